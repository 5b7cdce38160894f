package io.berth.orchestrator.daemon;

import io.berth.image.store.ImageStore;
import io.berth.orchestrator.images.ImagePulls;
import io.berth.orchestrator.kuberuntime.NodeOptions;
import io.berth.orchestrator.kuberuntime.NodePodRuntime;
import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.kuberuntime.PodStatusListener;
import io.berth.orchestrator.logs.PodLogs;
import io.berth.orchestrator.network.NetworkOptions;
import io.berth.runtime.cgroup.CgroupMigrations;
import java.io.IOException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The node side in the daemon: {@link NodePodRuntime} over the same state root, named as the API
 * names the node; pods' cgroups under {@code berth.node.cgroup-parent} (default /berth); pods' network
 * from {@code berth.network.mode} (cni, the default, or none) and {@code berth.network.netns} (docs/networking.md). Tests that drive the API alone register their own {@link PodRuntime} first.
 * Before the first container, the host's cgroup migrations are made fast ({@link CgroupMigrations}), unless
 * {@code berth.node.favor-cgroup-migrations=false} (docs/operator-guide.md).
 */
@Configuration(proxyBeanMethods = false)
public class NodeSide {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(PodRuntime.class)
    public PodRuntime podRuntime(StateRoot root, DaemonOptions options, HostNode host, PodStatusListener listener,
                                 @Value("${berth.node.cgroup-parent:" + NodeOptions.DEFAULT_CGROUP_PARENT + "}") String cgroupParent,
                                 @Value("${berth.network.mode:cni}") String networkMode,
                                 @Value("${berth.network.netns:}") String networkNetns,
                                 @Value("${berth.node.favor-cgroup-migrations:true}") boolean favorCgroupMigrations) {
        if (favorCgroupMigrations) {
            CgroupMigrations.Outcome o = CgroupMigrations.favorDynamicModifications();
            LOG.log(o.on() ? System.Logger.Level.INFO : System.Logger.Level.WARNING, o.message());
        }
        NodeOptions d = NodeOptions.defaults(root.dir());
        return new NodePodRuntime(new NodeOptions(d.stateRoot(), cgroupParent, options.restartBackoff(), d.imagePullBackoff(),
                d.resyncInterval(), d.clock(), host.name(), host.ip(), d.logMaxBytes(), d.logMaxFiles(), d.rootfsMode()),
                NetworkOptions.fromSettings(root.dir(), networkMode, networkNetns), listener);
    }

    /**
     * The node's image store, which the Images API reads: NodePodRuntime's own (one ImageStore per
     * state root); a store over the same root when another PodRuntime stands in (tests).
     */
    @Bean
    public ImageStore imageStore(PodRuntime runtime, StateRoot root) throws IOException {
        return runtime instanceof NodePodRuntime node ? node.images() : new ImageStore(root.dir());
    }

    /** The node's pulls, shared by pods' containers and the Images API (one pull of a reference at a time). */
    @Bean
    public ImagePulls imagePulls(PodRuntime runtime, ImageStore store) {
        return runtime instanceof NodePodRuntime node ? node.imagePulls() : new ImagePulls(store);
    }

    /** Where the node side writes container output, which pods/log serves. */
    @Bean
    public PodLogs podLogs(StateRoot root) {
        return NodeOptions.defaults(root.dir()).logs();
    }
}
