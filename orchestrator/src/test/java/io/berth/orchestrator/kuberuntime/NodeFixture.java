package io.berth.orchestrator.kuberuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.berth.image.content.Progress;
import io.berth.image.rootfs.RootfsManager;
import io.berth.image.store.ImageStore;
import io.berth.orchestrator.reconcile.BackoffPolicy;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.OciState;
import io.berth.runtime.container.RuntimeOptions;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/**
 * A node with its own state root and cgroup parent, the busybox image imported as {@code busybox},
 * fast backoff (100 ms doubling to 800 ms) and a teardown that removes whatever a failed test left:
 * containers, mounts, cgroups, files. {@code @RegisterExtension final NodeFixture f = new NodeFixture();}
 */
final class NodeFixture implements BeforeEachCallback, AfterEachCallback {
    static final BackoffPolicy FAST = new BackoffPolicy(Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofSeconds(30));
    final String cgroupParent = "/berth-node-test-" + UUID.randomUUID().toString().substring(0, 8);
    Path dir;
    Path state;
    NodeOptions options;
    RecordingListener listener;
    NodePodRuntime node;
    final List<NodePodRuntime> extraNodes = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Requirements.root();
        Path rootfs = BusyboxRootfs.path();
        dir = Files.createTempDirectory("berth-node-test-");
        state = dir.resolve("state");
        Path tar = dir.resolve("busybox.tar");
        Process p = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".").inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("tar of the busybox rootfs failed");
        }
        new ImageStore(state).importRootfs(tar, "busybox", Progress.NONE);
        Files.delete(tar);
        options = NodeOptions.defaults(state).withCgroupParent(cgroupParent).withRestartBackoff(FAST).withImagePullBackoff(FAST)
                .withResyncInterval(Duration.ofSeconds(2));
        listener = new RecordingListener();
        node = new NodePodRuntime(options, listener);
    }

    NodePodRuntime newNode() {
        NodePodRuntime n = new NodePodRuntime(options, listener);
        extraNodes.add(n);
        return n;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (dir == null) {
            return;
        }
        try {
            if (node != null) {
                node.close();
            }
            for (NodePodRuntime n : extraNodes) {
                n.close();
            }
        } finally {
            cleanUp();
        }
    }

    /** Whatever is left, by force: containers, root filesystems (mounts), cgroups, files. */
    private void cleanUp() throws IOException {
        try (ContainerRuntime rt = new ContainerRuntime(new RuntimeOptions(options.runtimeRoot(), cgroupParent, false))) {
            for (OciState s : rt.list()) {
                try {
                    rt.delete(s.id(), true);
                } catch (RuntimeException e) {
                    // keep going: the cgroup kill below catches what is left
                }
            }
        }
        try {
            Cgroups.open(cgroupParent).killAll(9);
        } catch (RuntimeException e) {
            // none
        }
        RootfsManager rm = new RootfsManager(new ImageStore(state), RootfsManager.Mode.AUTO);
        Path containers = state.resolve("containers");
        if (Files.isDirectory(containers)) {
            try (var s = Files.list(containers)) {
                for (Path d : s.toList()) {
                    rm.delete(d.getFileName().toString());
                }
            }
        }
        Cgroups.open(cgroupParent).destroy();
        Path volumes = state.resolve("volumes");
        if (Files.isDirectory(volumes)) {
            try (var s = Files.list(volumes)) {
                for (Path d : s.toList()) {
                    PodVolumes.remove(d); // memory emptyDirs are mounts: unmounted before the tree goes
                }
            }
        }
        BusyboxRootfs.deleteTree(dir);
    }

    static Pod pod(String name, String restartPolicy, Container... containers) {
        String uid = UUID.randomUUID().toString();
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(uid).endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy).withContainers(containers).endSpec().build();
    }

    static Container container(String name, String... command) {
        return new ContainerBuilder().withName(name).withImage("busybox").withImagePullPolicy("IfNotPresent")
                .withCommand(command).build();
    }

    static Container container(String name, UnaryOperator<ContainerBuilder> edit, String... command) {
        return edit.apply(new ContainerBuilder().withName(name).withImage("busybox").withImagePullPolicy("IfNotPresent")
                .withCommand(command)).build();
    }

    static String uid(Pod p) {
        return p.getMetadata().getUid();
    }

    /** The cgroup directory of a pod in the memory hierarchy (v1, as this machine kind). */
    Path podCgroupDir(Pod p) {
        return Path.of("/sys/fs/cgroup/memory", cgroupParent.substring(1), "pod" + uid(p));
    }

    /** A container instance's output as pods/log serves it (the files hold CRI records), "" while there is none. */
    String logText(Path live) {
        try {
            return Files.exists(live) ? new String(io.berth.orchestrator.logs.LogStream.read(live,
                    io.berth.orchestrator.logs.LogQuery.ALL), java.nio.charset.StandardCharsets.UTF_8) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Map<String, String> unused() {
        return Map.of();
    }
}
