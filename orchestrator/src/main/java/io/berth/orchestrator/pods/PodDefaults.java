package io.berth.orchestrator.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;

/** The defaults the apiserver fills in, for the fields Berth honours; one place for each value. */
public final class PodDefaults {

    public static final String RESTART_POLICY = "Always";
    public static final long TERMINATION_GRACE_PERIOD_SECONDS = 30;

    private PodDefaults() {
    }

    public static void apply(PodSpec spec, String nodeName) {
        if (spec.getRestartPolicy() == null) {
            spec.setRestartPolicy(RESTART_POLICY);
        }
        if (spec.getTerminationGracePeriodSeconds() == null) {
            spec.setTerminationGracePeriodSeconds(TERMINATION_GRACE_PERIOD_SECONDS);
        }
        spec.setNodeName(nodeName);
        containers(spec.getInitContainers());
        containers(spec.getContainers());
    }

    private static void containers(List<Container> containers) {
        if (containers == null) {
            return;
        }
        for (Container c : containers) {
            if (c.getImagePullPolicy() == null) {
                c.setImagePullPolicy(pullPolicy(c.getImage()));
            }
        }
    }

    /** As Kubernetes: Always for :latest or no tag (unless pinned by digest), else IfNotPresent. */
    static String pullPolicy(String image) {
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        boolean tagged = colon > slash;
        return !tagged || image.endsWith(":latest") ? "Always" : "IfNotPresent";
    }
}
