package io.berth.orchestrator.kuberuntime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * A daemon stand-in for {@link KillAndResumeTest}: a NodePodRuntime in its own JVM (started under
 * berth-subreaper) that syncs the pods of a JSON PodList and runs until it is killed.
 * Args: stateRoot cgroupParent pods.json [netns]
 */
public final class NodeChildMain {
    private NodeChildMain() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        PodList pods = JsonMapper.builder().build().readValue(Files.readAllBytes(Path.of(args[2])), PodList.class);
        NodeOptions options = NodeOptions.defaults(state).withCgroupParent(args[1]).withRestartBackoff(NodeFixture.FAST)
                .withImagePullBackoff(NodeFixture.FAST).withResyncInterval(Duration.ofSeconds(2));
        // A 4th argument: the network namespace its pods' CNI plugins run in (PodNetworkTest).
        io.berth.orchestrator.network.NetworkOptions network = args.length > 3
                ? io.berth.orchestrator.network.NetworkOptions.cni(state).withHostNetns(Path.of(args[3]))
                : io.berth.orchestrator.network.NetworkOptions.none(state);
        NodePodRuntime node = new NodePodRuntime(options, network, new PodStatusListener() {
            @Override
            public void statusChanged(String podUid, PodStatus status) {
                System.out.println("status " + podUid + " " + status.getPhase());
            }

            @Override
            public void event(String podUid, String type, String reason, String message) {
                System.out.println("event " + podUid + " " + reason + " " + message);
            }

            @Override
            public void podGone(String podUid) {
                System.out.println("gone " + podUid);
            }
        });
        for (Pod p : pods.getItems()) {
            node.sync(p);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
