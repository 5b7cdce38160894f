package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.security.CertificateAuthority;
import io.berth.testkit.Requirements;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * 200 pods created at once through the API, all Running, then all deleted: afterwards nothing of
 * them is left - no mounts, cgroups, processes, file descriptors or database rows.
 */
class ConcurrentPodsTest {

    private static final int PODS = 200;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CONTROLLERS = "/sys/fs/cgroup";

    @Test
    void twoHundredConcurrentPodsRunAndLeaveNothingBehind() throws Exception {
        Requirements.root();
        Path dir = RealNode.dirWithBusybox("berth-concurrent-test");
        String cgroupParent = "/berth-concurrent-" + ProcessHandle.current().pid();
        Throwable failure = null;
        try (DaemonFixture d = new DaemonFixture(dir, cgroupParent)) {
            d.removeOnClose = false; // removed below, once nothing is mounted there any more
            try {
                run(d, dir, cgroupParent);
            } catch (Throwable t) {
                failure = t;
                throw t;
            } finally {
                // A stopped daemon leaves its pods running (by design): a failed test must not leave one behind.
                try {
                    deleteAllPods(d);
                } catch (Throwable t) {
                    keep(failure, t);
                }
            }
        } finally {
            // Whatever the daemon did not stop (only after a failure): this test's own processes, by cgroup.
            try {
                killCgroupProcesses(cgroupParent);
                io.berth.runtime.cgroup.Cgroups.open(cgroupParent).destroy();
            } catch (Throwable t) {
                keep(failure, t);
            } finally {
                unmountUnder(dir);
                DaemonFixture.deleteTree(dir);
            }
        }
    }

    /** Rethrows a clean-up failure unless the test already failed, whose exception then carries it. */
    private static void keep(Throwable failure, Throwable cleanup) {
        if (failure == null) {
            if (cleanup instanceof RuntimeException r) {
                throw r;
            }
            if (cleanup instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(cleanup);
        }
        failure.addSuppressed(cleanup);
    }

    private static void deleteAllPods(DaemonFixture d) throws Exception {
        java.net.http.HttpClient http = patientClient(d);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        JsonNode items = JSON.readTree(d.get("/api/v1/namespaces/default/pods").body()).get("items");
        if (items != null) {
            for (JsonNode item : items) {
                sent.add(http.sendAsync(d.request("/api/v1/namespaces/default/pods/" + item.path("metadata").path("name").asString()
                        + "?gracePeriodSeconds=0").timeout(Duration.ofSeconds(120)).DELETE().build(), HttpResponse.BodyHandlers.ofString()));
            }
        }
        sent.forEach(CompletableFuture::join);
        awaitNoPods(d);
    }

    /** Mounts the daemon left under dir (only after a failure), deepest first. */
    private static void unmountUnder(Path dir) throws Exception {
        List<String> points = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .filter(m -> m.startsWith(dir.toString())).sorted(java.util.Comparator.reverseOrder()).toList();
        for (String m : points) {
            new ProcessBuilder("umount", "-l", m).inheritIO().start().waitFor();
        }
    }

    private static void killCgroupProcesses(String parent) throws IOException {
        Path root = Path.of(CONTROLLERS, "pids", parent.substring(1));
        if (!Files.isDirectory(root)) {
            return;
        }
        for (int round = 0; round < 50; round++) {
            List<Long> pids = new ArrayList<>();
            try (Stream<Path> s = Files.walk(root)) {
                for (Path procs : s.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                    Files.readAllLines(procs).stream().filter(l -> !l.isBlank()).map(Long::parseLong).forEach(pids::add);
                }
            }
            if (pids.isEmpty()) {
                return;
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void run(DaemonFixture d, Path dir, String cgroupParent) throws Exception {
        // One pod through its whole life first, so that what the daemon opens once (classes, jars,
        // pools, the first pod's node directories) is in the baseline rather than counted as a leak.
        createAll(d, "warm", 1);
        awaitRunning(d, 1);
        deleteAll(d, "warm", 1);
        awaitNoPods(d);
        Awaitility.await("warm-up pod's processes gone").atMost(30, TimeUnit.SECONDS)
                .until(() -> cgroupChildren(cgroupParent).isEmpty());
        Snapshot before = Snapshot.take(dir);

        createAll(d, "p", PODS);
        awaitRunning(d, PODS);
        Snapshot running = Snapshot.take(dir);
        assertThat(running.descendants).as("each pod runs at least one process").isGreaterThanOrEqualTo(before.descendants + PODS);
        assertThat(cgroupChildren(cgroupParent)).as("pod cgroups under " + cgroupParent).hasSizeGreaterThanOrEqualTo(PODS);
        assertThat(running.mountsUnder).as("rootfs mounts while running").hasSizeGreaterThanOrEqualTo(PODS);
        assertThat(rows(d, "pods")).isEqualTo(PODS);

        deleteAll(d, "p", PODS);
        awaitNoPods(d);
        Awaitility.await("nothing of the pods left").atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Snapshot after = Snapshot.take(dir);
            assertThat(cgroupChildren(cgroupParent)).as("pod cgroups left under " + cgroupParent).isEmpty();
            assertThat(after.mountsUnder).as("mounts left under " + dir).isEqualTo(before.mountsUnder);
            assertThat(after.mounts).as("mount count").isEqualTo(before.mounts);
            assertThat(after.descendants).as("the test JVM's descendant processes").isEqualTo(before.descendants);
            assertThat(after.pidfds).as("pidfds open").isEqualTo(before.pidfds);
            assertThat(after.fdsUnderState).as("fds open under the state root").isEqualTo(before.fdsUnderState);
            // The JVM may open a few fds of its own meanwhile (an HTTP connection, a jar); a pod's would be 200+.
            assertThat(after.fds).as("fds open in the daemon's JVM (before: %d)", before.fds).isLessThanOrEqualTo(before.fds + 10);
            assertThat(rows(d, "pods")).as("pod rows").isZero();
            assertThat(rows(d, "containers")).as("container rows").isZero();
        });
    }

    /**
     * The fixture's client, with a connect timeout that allows for 200 TLS handshakes at once on 2
     * shared cores (the fixture's 5 s is for one request at a time).
     */
    private static java.net.http.HttpClient patientClient(DaemonFixture d) throws Exception {
        return java.net.http.HttpClient.newBuilder().sslContext(CertificateAuthority.trustingOnly(d.root.caCertificate()))
                .connectTimeout(Duration.ofSeconds(120)).build();
    }

    private static void createAll(DaemonFixture d, String prefix, int n) throws Exception {
        java.net.http.HttpClient http = patientClient(d);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String pod = """
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s-%d"},
                     "spec":{"terminationGracePeriodSeconds":0,
                      "containers":[{"name":"main","image":"busybox","imagePullPolicy":"IfNotPresent","command":["sleep","3600"]}]}}"""
                    .formatted(prefix, i);
            sent.add(http.sendAsync(d.request("/api/v1/namespaces/default/pods").timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(pod)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
    }

    private static void deleteAll(DaemonFixture d, String prefix, int n) throws Exception {
        java.net.http.HttpClient http = patientClient(d);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(http.sendAsync(d.request("/api/v1/namespaces/default/pods/" + prefix + "-" + i + "?gracePeriodSeconds=0")
                    .timeout(Duration.ofSeconds(120)).DELETE().build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
        }
    }

    private static void awaitRunning(DaemonFixture d, int n) {
        Awaitility.await(n + " pods Running").atMost(300, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(phases(d).stream().filter("Running"::equals).count()).isEqualTo(n));
    }

    private static void awaitNoPods(DaemonFixture d) {
        Awaitility.await("no pods").atMost(300, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(phases(d)).isEmpty());
    }

    private static List<String> phases(DaemonFixture d) throws IOException, InterruptedException {
        HttpResponse<String> r = d.get("/api/v1/namespaces/default/pods");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        JsonNode items = JSON.readTree(r.body()).get("items");
        if (items == null) {
            return out; // an empty list leaves out its items
        }
        for (JsonNode item : items) {
            JsonNode status = item.get("status");
            out.add(status == null || status.get("phase") == null ? "" : status.get("phase").asString());
        }
        return out;
    }

    private static int rows(DaemonFixture d, String table) {
        return new JdbcTemplate(d.daemon.context().getBean(DataSource.class)).queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
    }

    /** Pod cgroups under the parent, in every v1 controller that has the parent. */
    private static List<Path> cgroupChildren(String parent) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> controllers = Files.list(Path.of(CONTROLLERS))) {
            for (Path c : controllers.toList()) {
                Path p = c.resolve(parent.substring(1));
                if (Files.isDirectory(p) && !Files.isSymbolicLink(c)) {
                    try (Stream<Path> s = Files.list(p)) {
                        s.filter(Files::isDirectory).forEach(out::add);
                    }
                }
            }
        }
        return out;
    }

    /** What the daemon (in this JVM) and its pods hold on this host. */
    record Snapshot(int mounts, List<String> mountsUnder, long descendants, int fds, long pidfds, List<String> fdsUnderState) {

        static Snapshot take(Path dir) throws IOException {
            List<String> mountinfo = Files.readAllLines(Path.of("/proc/self/mountinfo"));
            List<String> under = mountinfo.stream().filter(l -> l.contains(dir.toString())).toList();
            List<String> targets = new ArrayList<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        targets.add(Files.readSymbolicLink(fd).toString());
                    } catch (IOException closedMeanwhile) {
                        // the listing's own fd, or one closed since
                    }
                }
            }
            // The H2 database's files stay open for the daemon's life.
            List<String> underState = targets.stream().filter(t -> t.startsWith(dir.toString()) && !t.contains("/db/")).sorted().toList();
            return new Snapshot(mountinfo.size(), under, ProcessHandle.current().descendants().count(), targets.size(),
                    targets.stream().filter(t -> t.contains("pidfd")).count(), underState);
        }
    }
}
