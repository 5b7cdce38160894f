package io.berth.orchestrator;

import io.berth.orchestrator.daemon.DaemonOptions;
import io.berth.orchestrator.daemon.StateRoot;
import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.kuberuntime.PodStatusListener;
import io.berth.orchestrator.security.CertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * A daemon on its own temporary state root and ephemeral port, with {@link TestNode} as its node
 * side; an HTTPS client that trusts only the daemon's CA; kubectl with its own HOME and discovery
 * cache. Everything is removed on close, also when the test failed.
 */
public final class DaemonFixture implements AutoCloseable {

    final Path dir;
    final StateRoot root;
    final BerthDaemon.Running daemon;
    final TestNode node;
    final int port;
    final String token;
    final HttpClient http;
    /** Set by {@link #withNode}: close deletes the pods, then removes this cgroup parent. */
    private String ownedCgroupParent;

    DaemonFixture() throws Exception {
        this(Files.createTempDirectory("berth-daemon-test"));
    }

    /**
     * A daemon with its real node side on a new temporary directory whose state root holds busybox;
     * {@link #close} deletes its pods and removes the directory and the pods' cgroup parent.
     *
     * @param name        a word that names the test in the directory and cgroup names
     * @param daemonFlags {@code berth daemon} flags, if any, parsed as the command line is
     */
    static DaemonFixture realNode(String name, String... daemonFlags) throws Exception {
        Path dir = RealNode.dirWithBusybox("berth-" + name + "-test");
        return withNode(dir, name, daemonFlags);
    }

    /**
     * A daemon with its real node side on {@code dir} (its state root must hold the images the test
     * runs), its pods' cgroups under a parent of this test's own; {@link #close} deletes every pod
     * (a stopped daemon leaves its pods running, by design: a failed test must not leave one behind),
     * stops the daemon, removes {@code dir} and the cgroup parent. On a failure to start, {@code dir}
     * is removed here.
     */
    static DaemonFixture withNode(Path dir, String name, String... daemonFlags) throws Exception {
        String cgroupParent = "/berth-" + name + "-" + ProcessHandle.current().pid();
        try {
            DaemonFixture d = new DaemonFixture(dir, cgroupParent, daemonFlags);
            d.ownedCgroupParent = cgroupParent;
            return d;
        } catch (Exception | AssertionError e) {
            try {
                deleteTree(dir);
            } finally {
                io.berth.runtime.cgroup.Cgroups.open(cgroupParent).destroy();
            }
            throw e;
        }
    }

    /** Whether close removes the directory; a restart test keeps it for the second daemon. */
    boolean removeOnClose = true;

    DaemonFixture(Path dir) throws Exception {
        this(dir, null);
    }

    /**
     * @param cgroupParent null: the API alone, with {@link TestNode}; otherwise the daemon's real node
     *                     side, its pods' cgroups under this parent (the state root must hold the images)
     */
    DaemonFixture(Path dir, String cgroupParent, String... daemonFlags) throws Exception {
        this.dir = dir;
        this.root = new StateRoot(dir.resolve("state"));
        TestNode[] made = new TestNode[1];
        BerthDaemon.Running d;
        try {
            List<String> flags = new ArrayList<>(List.of("--state", root.dir().toString(), "--port", "0"));
            flags.addAll(List.of(daemonFlags));
            d = BerthDaemon.start(DaemonOptions.parse(flags.toArray(String[]::new), null), ctx -> {
                if (cgroupParent != null) {
                    ctx.getEnvironment().getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("test",
                            networkSettings(dir, cgroupParent)));
                    return;
                }
                ctx.registerBean(PodRuntime.class, () -> {
                    made[0] = new TestNode(() -> ctx.getBean(PodStatusListener.class), () -> ctx.getBean(io.berth.orchestrator.logs.PodLogs.class));
                    return made[0];
                });
            });
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
        this.daemon = d;
        this.node = made[0];
        this.port = ((WebServerApplicationContext) d.context()).getWebServer().getPort();
        this.token = Files.readString(root.token()).trim();
        this.http = HttpClient.newBuilder().sslContext(CertificateAuthority.trustingOnly(root.caCertificate())).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Pods here get no network unless the test wrote the path of a network namespace of its own into
     * {@code network-netns} in its directory: no test's daemon may put a bridge on the machine's real network.
     */
    private static java.util.Map<String, Object> networkSettings(Path dir, String cgroupParent) {
        Path netns = dir.resolve("network-netns");
        try {
            return Files.exists(netns)
                    ? java.util.Map.of("berth.node.cgroup-parent", cgroupParent, "berth.network.mode", "cni",
                            "berth.network.netns", Files.readString(netns).trim())
                    : java.util.Map.of("berth.node.cgroup-parent", cgroupParent, "berth.network.mode", "none");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port + path);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> send(HttpRequest.Builder req) throws IOException, InterruptedException {
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    HttpResponse<String> post(String path, String contentType, String body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** What a kubectl run printed and its exit code. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** kubectl that must succeed: its output, or an assertion failure showing all it printed. */
    Result kubectlOk(String stdin, String... args) throws IOException, InterruptedException {
        Result r = kubectlWithInput(stdin, args);
        org.assertj.core.api.Assertions.assertThat(r.exit()).as("kubectl %s\n%s", String.join(" ", args), r).isZero();
        return r;
    }

    Result kubectl(String... args) throws IOException, InterruptedException {
        return kubectlWithInput(null, args);
    }

    /** kubectl with this daemon's kubeconfig, its own HOME and cache (discovery is cached for hours). */
    Result kubectlWithInput(String stdin, String... args) throws IOException, InterruptedException {
        Process p = kubectlProcess(args);
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        reader(() -> out.complete(read(p.getInputStream())));
        reader(() -> err.complete(read(p.getErrorStream())));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    Process kubectlProcess(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("kubectl");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(kubectlEnvironment());
        return pb.start();
    }

    /** {@code kubectl ARGS} as a shell command line with this daemon's environment, for a terminal in tmux. */
    String kubectlCommandLine(String args) {
        StringBuilder line = new StringBuilder();
        kubectlEnvironment().forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
        return line.append("kubectl ").append(args).toString();
    }

    private java.util.Map<String, String> kubectlEnvironment() {
        return java.util.Map.of("KUBECONFIG", root.kubeconfig().toString(), "HOME", dir.resolve("home").toString(),
                "KUBECACHEDIR", dir.resolve("kubecache").toString());
    }

    private static void reader(Runnable r) {
        Thread t = new Thread(r, "kubectl-output");
        t.setDaemon(true);
        t.start();
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (ownedCgroupParent != null) {
                try {
                    kubectl("delete", "pods", "--all", "--grace-period=0", "--timeout=60s");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            try {
                daemon.close();
            } finally {
                try {
                    if (removeOnClose) {
                        deleteTree(dir);
                    }
                } finally {
                    if (ownedCgroupParent != null) {
                        io.berth.runtime.cgroup.Cgroups.open(ownedCgroupParent).destroy();
                    }
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
