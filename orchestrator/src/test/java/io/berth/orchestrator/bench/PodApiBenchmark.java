package io.berth.orchestrator.bench;

import io.berth.image.content.Progress;
import io.berth.image.store.ImageStore;
import io.berth.orchestrator.security.CertificateAuthority;
import io.berth.testkit.BusyboxRootfs;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;


import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;


import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The daemon's figures through its API, with the daemon run as an operator runs it ({@code bin/berth
 * daemon}: berth-subreaper, then the JVM) on a temporary state root (docs/benchmarks.md):
 * <ol>
 * <li>pod start: POST of a busybox {@code sleep} pod to its Running status seen on a watch, against
 * {@code runc run --detach} of the same rootfs (the same run, so the ratio holds);</li>
 * <li>density: PODS sleep pods at once; the daemon JVM's RSS, the memory outside the containers per
 * pod (every process of the node that is not a container's: sandbox, monitors, subreaper), the idle
 * daemon's CPU;</li>
 * <li>adoption: SIGKILL of the daemon's JVM, then a new daemon: time until its API lists every pod
 * Running with the same containers (nothing restarted) - the container processes never stopped -
 * and until the daemon logs that every pod is adopted (its API answers before that).</li>
 * </ol>
 * A program, not a test: it prints figures and judges nothing. Needs root.
 * Usage: PodApiBenchmark CHECKOUT [starts] [pods]
 */
public final class PodApiBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path checkout;
    private final Path state;
    private final int port;
    private Process daemon;
    private Process oldSubreaper;
    private HttpClient http;
    private String token;

    private PodApiBenchmark(Path checkout, Path state, int port) {
        this.checkout = checkout;
        this.state = state;
        this.port = port;
    }

    public static void main(String[] args) throws Exception {
        Path checkout = Path.of(args[0]).toAbsolutePath();
        int starts = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int pods = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        Path dir = Files.createTempDirectory("berth-pod-bench-");
        Path state = dir.resolve("state");
        Path tar = dir.resolve("busybox.tar");
        new ProcessBuilder("tar", "-C", BusyboxRootfs.path().toString(), "-cf", tar.toString(), ".").inheritIO().start().waitFor();
        new ImageStore(state).importRootfs(tar, "busybox", Progress.NONE);
        Files.delete(tar);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PodApiBenchmark b = new PodApiBenchmark(checkout, state, port);
        try {
            b.startDaemon();
            if (starts > 0) {
                b.startLatency(starts, dir);
            }
            if (pods > 0) {
                b.densityAndAdoption(pods);
            }
        } finally {
            b.cleanUp();
            deleteTree(dir);
        }
    }

    // ---- 1. pod start through the API against runc run ----

    private void startLatency(int runs, Path dir) throws Exception {
        int warmup = 3;
        // Alternating, run by run: the POST on the client's own connection (over HTTP/2 the watch and
        // the POST share it; over HTTP/1.1 the watch holds the idle one, so the POST connects anew),
        // and the POST from a client made for it, so every run pays a TCP connection and a TLS
        // handshake, as a one-shot kubectl does.
        double[] kept = new double[runs];
        double[] fresh = new double[runs];
        double[] handshake = new double[runs];
        Map<String, double[]> stepsBefore = null;
        for (int i = -warmup; i < runs; i++) {
            if (i == 0) {
                stepsBefore = startupSteps();
            }
            for (boolean newConnection : new boolean[] {false, true}) {
                String name = "start-" + (i + warmup) + (newConnection ? "-new" : "");
                BufferedReader watch = openWatch();
                HttpClient client = newConnection ? newClient() : http;
                long t0 = System.nanoTime();
                createPod(client, name, List.of("sleep", "3600"));
                awaitRunningOnWatch(watch, name);
                long t1 = System.nanoTime();
                watch.close();
                close(client);
                if (i >= 0) {
                    (newConnection ? fresh : kept)[i] = (t1 - t0) / 1e6;
                }
                deletePod(name);
            }
            // A connection alone: TCP, TLS and one small GET, from a client made for it.
            HttpClient client = newClient();
            long t0 = System.nanoTime();
            client.send(request("/version").GET().build(), HttpResponse.BodyHandlers.ofString());
            long t1 = System.nanoTime();
            close(client);
            if (i >= 0) {
                handshake[i] = (t1 - t0) / 1e6;
            }
        }
        Map<String, double[]> stepsAfter = startupSteps();
        awaitPodCount(0, Duration.ofSeconds(120));
        String version = http.send(request("/version").GET().build(), HttpResponse.BodyHandlers.ofString()).version().toString();
        double[] runc = runcRun(runs, warmup, dir);
        Arrays.sort(kept);
        Arrays.sort(fresh);
        Arrays.sort(handshake);
        Arrays.sort(runc);
        System.out.printf("%-60s %8s %8s %8s %8s%n", "pod start, " + runs + " runs after " + warmup + " warm-up (" + version + ")", "min ms", "p50 ms", "p90 ms", "max ms");
        row("POST -> Running on a watch, the client's connection", kept);
        row("POST -> Running on a watch, a new connection per POST", fresh);
        row("new connection + GET /version (TCP, TLS, one request)", handshake);
        row("runc run --detach (same rootfs, sleep)", runc);
        System.out.printf("ratio p50 berth/runc: %.2f (client's connection), %.2f (new connection per POST)%n",
                percentile(kept, 50) / percentile(runc, 50), percentile(fresh, 50) / percentile(runc, 50));
        // The daemon's own steps in the same runs (its berth.pod.startup metric, both kinds of run):
        // means, since the metric keeps a sum and a count, not each value.
        StringBuilder steps = new StringBuilder("daemon's steps, mean ms over the " + 2 * runs + " timed pods (berth_pod_startup_seconds):");
        for (String phase : List.of("total", "sandbox", "image", "rootfs", "monitor", "create", "start")) {
            double[] a = stepsAfter.getOrDefault(phase, new double[2]);
            double[] b = stepsBefore.getOrDefault(phase, new double[2]);
            steps.append(String.format(" %s %.1f", phase, a[1] == b[1] ? 0 : (a[0] - b[0]) / (a[1] - b[1]) * 1000));
        }
        System.out.println(steps);
        System.out.printf("RESULT api_p50_ms=%.1f api_new_connection_p50_ms=%.1f connect_p50_ms=%.1f runc_p50_ms=%.1f%n",
                percentile(kept, 50), percentile(fresh, 50), percentile(handshake, 50), percentile(runc, 50));
    }

    /** berth_pod_startup_seconds by phase (successful starts): {sum in seconds, count}. */
    private Map<String, double[]> startupSteps() throws Exception {
        String text = http.send(request("/actuator/prometheus").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, double[]> out = new HashMap<>();
        Pattern line = Pattern.compile(
                "berth_pod_startup_seconds_(sum|count)\\{outcome=\"success\",phase=\"([a-z]+)\"} (\\S+)");
        for (String l : text.split("\n")) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                out.computeIfAbsent(m.group(2), k -> new double[2])[m.group(1).equals("sum") ? 0 : 1] = Double.parseDouble(m.group(3));
            }
        }
        return out;
    }

    private HttpClient newClient() throws Exception {
        return HttpClient.newBuilder().sslContext(CertificateAuthority.trustingOnly(state.resolve("pki/ca.crt"))).build();
    }

    /** Closes a client made for one request (its connection with it); the benchmark's own stays. */
    private void close(HttpClient client) throws Exception {
        // HttpClient is AutoCloseable from JDK 21 on; the sources are compiled for 17.
        if (client != http && client instanceof AutoCloseable c) {
            c.close();
        }
    }

    private static double[] runcRun(int runs, int warmup, Path dir) throws Exception {
        Path bundle = dir.resolve("runc-bundle");
        Files.createDirectories(bundle);
        run(bundle, "runc", "spec");
        Path config = bundle.resolve("config.json");
        String spec = Files.readString(config)
                .replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"sh\"", "\"sleep\", \"3600\"")
                .replace("\"path\": \"rootfs\"", "\"path\": \"" + BusyboxRootfs.path() + "\"");
        Files.writeString(config, spec);
        double[] ms = new double[runs];
        Path root = dir.resolve("runc-root");
        for (int i = -warmup; i < runs; i++) {
            String id = "berth-bench-runc-" + (i + warmup);
            long t0 = System.nanoTime();
            // The container inherits runc's stdio: a pipe would stay open as long as sleep runs.
            runDetached(bundle, dir.resolve("runc.log"), "runc", "--root", root.toString(), "run", "--detach", id);
            long t1 = System.nanoTime();
            run(bundle, "runc", "--root", root.toString(), "delete", "--force", id);
            if (i >= 0) {
                ms[i] = (t1 - t0) / 1e6;
            }
        }
        return ms;
    }

    // ---- 2. density, 3. adoption ----

    private void densityAndAdoption(int pods) throws Exception {
        long jvm = jvmPid();
        long idleRss = rssKb(jvm);
        Map<String, Long> nodeBefore = nodeProcesses();
        long t0 = System.nanoTime();
        // At most 50 requests in flight: a client as eager as kubectl apply of a large file.
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            inFlight.add(http.sendAsync(request("/api/v1/namespaces/default/pods").timeout(Duration.ofSeconds(300))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(podJson("d-" + i, List.of("sleep", "36000"))))
                    .build(), HttpResponse.BodyHandlers.ofString()));
            if (inFlight.size() == 50) {
                inFlight.forEach(PodApiBenchmark::created);
                inFlight.clear();
            }
        }
        inFlight.forEach(PodApiBenchmark::created);
        Map<String, String> containers = awaitAllRunning(pods, Duration.ofMinutes(20));
        double allRunning = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(10_000); // let start-up work settle before measuring idle
        long rss = rssKb(jvm);
        Map<String, Long> node = nodeProcesses();
        long outsideKb = 0;
        long outsidePssKb = 0;
        int outsideCount = 0;
        for (Map.Entry<String, Long> e : node.entrySet()) {
            long pid = e.getValue();
            if (pid == jvm || nodeBefore.containsValue(pid)) {
                continue;
            }
            outsideKb += rssKb(pid);
            outsidePssKb += pssKb(pid);
            outsideCount++;
        }
        double cpu = cpuPercent(jvm, Duration.ofSeconds(30));
        System.out.printf("density: %d sleep pods created (50 requests in flight), all Running after %.1f s%n", pods, allRunning);
        System.out.printf("  daemon JVM RSS: idle with no pods %.0f MB, with %d pods %.0f MB (%.0f KB per pod)%n",
                idleRss / 1024.0, pods, rss / 1024.0, (rss - idleRss) / (double) pods);
        System.out.printf("  outside the containers: %d processes (sandbox, monitors), RSS %.0f MB = %.0f KB per pod, PSS %.0f KB per pod%n",
                outsideCount, outsideKb / 1024.0, outsideKb / (double) pods, outsidePssKb / (double) pods);
        System.out.printf("  idle daemon CPU over 30 s: %.2f%% of one core%n", cpu);
        System.out.printf("RESULT pods=%d daemon_rss_mb=%.0f outside_kb_per_pod=%.0f outside_pss_kb_per_pod=%.0f idle_cpu_pct=%.2f%n",
                pods, rss / 1024.0, outsideKb / (double) pods, outsidePssKb / (double) pods, cpu);

        // Adoption: the JVM dies at once; berth-subreaper keeps the containers (and their exits).
        new ProcessBuilder("kill", "-KILL", Long.toString(jvm)).start().waitFor();
        while (ProcessHandle.of(jvm).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(1);
        }
        // The old berth-subreaper lingers as the containers' parent until they exit (cleanUp waits for it).
        oldSubreaper = daemon;
        long k0 = System.nanoTime();
        startDaemonProcess();
        double ready = awaitApi(Duration.ofMinutes(15), k0);
        Map<String, String> after = awaitAllRunning(pods, Duration.ofMinutes(10));
        double adopted = (System.nanoTime() - k0) / 1e9;
        long same = containers.entrySet().stream().filter(e -> e.getValue().equals(after.get(e.getKey()))).count();
        System.out.printf("adoption: from the JVM's death, the new daemon's API ready after %.2f s; all %d pods listed Running after %.2f s; %d of %d with the same container ID%n",
                ready, pods, adopted, same, pods);
        System.out.printf("RESULT adoption_api_ready_s=%.2f adoption_all_running_s=%.2f same_containers=%d%n", ready, adopted, same);
        // The API answers while the node side is still adopting (each pod's worker queues the API's
        // requests behind its own recovery); the daemon logs when the last pod is resumed.
        String resumed = awaitLogLine("resumed " + pods + " pods in ", Duration.ofMinutes(10));
        double allAdopted = (System.nanoTime() - k0) / 1e9;
        System.out.printf("adoption: every pod adopted and reconciled by the new daemon after %.2f s from the JVM's death (daemon log: %s)%n",
                allAdopted, resumed);
        System.out.printf("RESULT adoption_all_adopted_s=%.2f%n", allAdopted);
    }

    // ---- the daemon ----

    private void startDaemon() throws Exception {
        long t0 = System.nanoTime();
        startDaemonProcess();
        System.out.printf("daemon (bin/berth daemon, berth-subreaper + JVM) API ready after %.2f s%n", awaitApi(Duration.ofSeconds(120), t0));
    }

    private void startDaemonProcess() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(checkout.resolve("bin/berth").toString(), "daemon", "--state", state.toString(), "--port", Integer.toString(port));
        // Its own cgroup parent (berth.node.cgroup-parent, bound from the environment), not the node's default /berth.
        pb.environment().put("BERTH_NODE_CGROUP_PARENT", cgroupParent());
        // The API's figures, not the network's (scripts/bench-net.sh has those): pods get only lo.
        pb.environment().put("BERTH_NETWORK_MODE", "none");
        daemon = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(state.resolveSibling("daemon.log").toFile())).start();
    }

    /** The first line of the daemon's log (the current daemon's, after the last start) containing {@code text}. */
    private String awaitLogLine(String text, Duration timeout) throws Exception {
        Path log = state.resolveSibling("daemon.log");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0 && !lines.get(i).contains("Starting "); i--) {
                if (lines.get(i).contains(text)) {
                    return lines.get(i).substring(lines.get(i).indexOf(text));
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the daemon did not log '" + text + "' in " + timeout + "; see " + log);
    }

    /** Waits for the API (up to timeout). */
    private double awaitApi(Duration timeout, long t0) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(state.resolve("kubeconfig")) && Files.exists(state.resolve("token"))) {
                try {
                    token = Files.readString(state.resolve("token")).trim();
                    http = HttpClient.newBuilder().sslContext(CertificateAuthority.trustingOnly(state.resolve("pki/ca.crt"))).build();
                    if (http.send(request("/readyz").GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode() < 500
                            && http.send(request("/api/v1/namespaces/default/pods").GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        return (System.nanoTime() - t0) / 1e9;
                    }
                } catch (Exception notYet) {
                    // not listening yet, or an old kubeconfig
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the daemon's API did not answer in " + timeout + "; see " + state.resolveSibling("daemon.log"));
    }

    private void cleanUp() throws Exception {
        try {
            if (http != null && daemon != null && daemon.isAlive()) {
                for (String name : podNames()) {
                    deletePod(name);
                }
                awaitPodCount(0, Duration.ofMinutes(10));
            }
        } catch (Exception e) {
            System.err.println("PodApiBenchmark: cleaning up pods failed: " + e);
        } finally {
            if (daemon != null) {
                daemon.destroy(); // SIGTERM: the subreaper passes it to the JVM
                if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                    daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                    daemon.destroyForcibly();
                }
            }
            if (oldSubreaper != null && !oldSubreaper.waitFor(60, TimeUnit.SECONDS)) {
                System.err.println("PodApiBenchmark: the first berth-subreaper still has children after the pods were deleted");
            }
            // The node side removes each pod's cgroup; the parent is the benchmark's.
            try {
                io.berth.runtime.cgroup.Cgroups.open(cgroupParent()).destroy();
            } catch (Exception e) {
                System.err.println("PodApiBenchmark: could not remove cgroup parent " + cgroupParent() + ": " + e);
            }
        }
    }

    private static String cgroupParent() {
        return "/berth-pod-bench-" + ProcessHandle.current().pid();
    }

    // ---- the API ----

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
    }

    private static String podJson(String name, List<String> command) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
                 "spec":{"terminationGracePeriodSeconds":0,
                  "containers":[{"name":"main","image":"busybox","imagePullPolicy":"IfNotPresent","command":%s}]}}"""
                .formatted(name, JSON.writeValueAsString(command));
    }

    private void createPod(HttpClient client, String name, List<String> command) throws Exception {
        created(client.sendAsync(request("/api/v1/namespaces/default/pods").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(podJson(name, command))).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static void created(CompletableFuture<HttpResponse<String>> f) {
        HttpResponse<String> r = f.join();
        if (r.statusCode() != 201) {
            throw new IllegalStateException("create: " + r.statusCode() + " " + r.body());
        }
    }

    private void deletePod(String name) throws Exception {
        http.send(request("/api/v1/namespaces/default/pods/" + name + "?gracePeriodSeconds=0").DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private BufferedReader openWatch() throws Exception {
        HttpResponse<InputStream> r = http.send(request("/api/v1/namespaces/default/pods?watch=true").timeout(Duration.ofMinutes(5)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        return new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    }

    private static void awaitRunningOnWatch(BufferedReader watch, String name) throws Exception {
        for (String line; (line = watch.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode o = JSON.readTree(line).get("object");
            if (o != null && name.equals(o.path("metadata").path("name").asString()) && running(o)) {
                return;
            }
        }
        throw new IllegalStateException("the watch ended before " + name + " ran");
    }

    private static boolean running(JsonNode pod) {
        JsonNode st = pod.path("status");
        if (!"Running".equals(st.path("phase").asString()) || !st.path("containerStatuses").isArray() || st.path("containerStatuses").isEmpty()) {
            return false;
        }
        for (JsonNode cs : st.path("containerStatuses")) {
            if (!cs.path("state").has("running")) {
                return false;
            }
        }
        return true;
    }

    private List<JsonNode> list() throws Exception {
        HttpResponse<String> r = http.send(request("/api/v1/namespaces/default/pods").GET().build(), HttpResponse.BodyHandlers.ofString());
        List<JsonNode> out = new ArrayList<>();
        JsonNode items = JSON.readTree(r.body()).get("items");
        if (items != null) {
            items.forEach(out::add);
        }
        return out;
    }

    private List<String> podNames() throws Exception {
        return list().stream().map(p -> p.path("metadata").path("name").asString()).toList();
    }

    private void awaitPodCount(int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (list().size() != n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not " + n + " pods after " + timeout);
            }
            Thread.sleep(200);
        }
    }

    /** Pod name to its container ID, once all n pods are Running with every container running and none restarted. */
    private Map<String, String> awaitAllRunning(int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, String> ids = new HashMap<>();
            for (JsonNode p : list()) {
                if (running(p) && p.path("status").path("containerStatuses").get(0).path("restartCount").asInt() == 0) {
                    ids.put(p.path("metadata").path("name").asString(), p.path("status").path("containerStatuses").get(0).path("containerID").asString());
                }
            }
            if (ids.size() == n) {
                return ids;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + ids.size() + " of " + n + " pods Running after " + timeout);
            }
            Thread.sleep(100);
        }
    }

    // ---- /proc ----

    /** The JVM: berth-subreaper's child. */
    private long jvmPid() {
        return daemon.children().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no JVM under " + daemon.pid())).pid();
    }

    /** Every process of the node that is not a container's: the subreaper's descendants outside pod cgroups' sleep. */
    private Map<String, Long> nodeProcesses() {
        Map<String, Long> out = new HashMap<>();
        Stream.concat(Stream.of(daemon.toHandle()), daemon.descendants()).forEach(p -> {
            String cmd = p.info().command().orElse("?");
            if (!cmd.endsWith("/sleep") && !cmd.equals("sleep") && !cmd.endsWith("/busybox")) {
                out.put(p.pid() + " " + cmd, p.pid());
            }
        });
        return out;
    }

    private static long rssKb(long pid) throws Exception {
        return statusField(Path.of("/proc/" + pid + "/status"), "VmRSS:");
    }

    private static long pssKb(long pid) throws Exception {
        return statusField(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:");
    }

    private static long statusField(Path file, String field) {
        try {
            for (String l : Files.readAllLines(file)) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (Exception gone) {
            // exited meanwhile
        }
        return 0;
    }

    private static double cpuPercent(long pid, Duration over) throws Exception {
        long ticks0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        Thread.sleep(over.toMillis());
        long ticks1 = cpuTicks(pid);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return (ticks1 - ticks0) / 100.0 / seconds * 100; // USER_HZ is 100 on Linux
    }

    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    }

    // ---- helpers ----

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static void runDetached(Path dir, Path log, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + Files.readString(log));
        }
    }

    private static void row(String what, double[] sorted) {
        System.out.printf("%-60s %8.1f %8.1f %8.1f %8.1f%n", what, sorted[0], percentile(sorted, 50), percentile(sorted, 90), sorted[sorted.length - 1]);
    }

    private static double percentile(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void deleteTree(Path dir) throws Exception {
        new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).inheritIO().start().waitFor();
    }
}
