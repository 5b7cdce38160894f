package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.berth.testkit.WebPod;

/**
 * {@code berth port-forward} against a real daemon: a busybox httpd on the pod's loopback only,
 * fetched through the console's local ports in a row, at once and in bulk (several MiB checked by
 * digest); a port with nothing listening reports the error and the next connection still works;
 * a missing pod and a bad port pair are one-line errors; Ctrl-C (SIGINT) ends it with status 0.
 */
class PortForwardConsoleIT {
    private static final int BIG = 4 * 1024 * 1024;
    private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> (\\d+)");

    @Test
    void forwardsUntilCtrlC() throws Exception {
        try (TestDaemon daemon = new TestDaemon()) {
            String pod = WebPod.yaml("web", BIG);
            ConsoleProcess.Result applied = daemon.berthWithInput(pod, "apply", "-f", "-");
            assertThat(applied.exit()).as(applied.toString()).isZero();
            Awaitility.await().atMost(90, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                    .until(() -> daemon.berth("exec", "web", "--", "test", "-f", "/www/big").exit() == 0);
            String digest = daemon.berth("exec", "web", "--", "sha256sum", "/www/big").out().split(" ")[0];

            ConsoleProcess.Result missing = daemon.berth("port-forward", "nope", "8080");
            assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
            assertThat(missing.err()).contains("pod nope not found");
            ConsoleProcess.Result bad = daemon.berth("port-forward", "web", "80:http");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
            assertThat(bad.err()).contains("'80:http' is not a port pair");

            // SIGINT at its default, as in a terminal: a test run started in the background of a
            // non-interactive shell inherits it ignored, and the console could not see the Ctrl-C below.
            ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT", ConsoleProcess.launcher().toString(), "port-forward", "web",
                    ":8080", ":9999");
            pb.environment().remove("KUBECONFIG");
            pb.environment().put("BERTH_HOME", daemon.home.toString());
            pb.environment().put("NO_COLOR", "1");
            Process p = pb.start();
            StringBuffer err = new StringBuffer();
            drain(p.getErrorStream(), err, null);
            List<Integer> ports = new ArrayList<>();
            StringBuffer out = new StringBuffer();
            drain(p.getInputStream(), out, ports);
            try {
                Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> ports.size() == 2 || !p.isAlive());
                assertThat(ports).as("stdout: " + out + "\nstderr: " + err).hasSize(2);
                int web = ports.get(0);
                for (int i = 0; i < 3; i++) {
                    assertThat(new String(WebPod.get(web, "/index.html"), StandardCharsets.UTF_8)).isEqualTo(WebPod.INDEX);
                }
                ExecutorService pool = Executors.newFixedThreadPool(4);
                try {
                    List<Future<byte[]>> all = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        all.add(pool.submit(() -> WebPod.get(web, "/index.html")));
                    }
                    for (Future<byte[]> f : all) {
                        assertThat(new String(f.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo(WebPod.INDEX);
                    }
                } finally {
                    pool.shutdownNow();
                }
                byte[] big = WebPod.get(web, "/big");
                assertThat(big.length).isEqualTo(BIG);
                assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big))).isEqualTo(digest);

                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", ports.get(1)), 5000);
                    s.setSoTimeout(20_000);
                    assertThat(s.getInputStream().read()).as("the connection ends without data").isEqualTo(-1);
                }
                Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(err.toString())
                        .contains("an error occurred forwarding " + ports.get(1) + " -> 9999")
                        .contains("127.0.0.1:9999: connect: connection refused"));
                assertThat(new String(WebPod.get(web, "/index.html"), StandardCharsets.UTF_8)).as("the forwarding goes on")
                        .isEqualTo(WebPod.INDEX);

                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
                boolean ended = p.waitFor(20, TimeUnit.SECONDS);
                // When it does not end, what its threads wait for says why.
                assertThat(ended).as("Ctrl-C ends port-forward\nstderr: %s\nthreads:\n%s", err, ended ? "" : threads(p.pid())).isTrue();
                assertThat(p.exitValue()).as("stderr: " + err).isZero();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", web), 5000);
                    throw new AssertionError("port " + web + " still listens after port-forward ended");
                } catch (java.net.ConnectException expected) {
                    // nothing listens any more
                }
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void drain(java.io.InputStream in, StringBuffer into, List<Integer> ports) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.append(line).append('\n');
                    Matcher m = FORWARDING.matcher(line);
                    if (ports != null && m.find()) {
                        ports.add(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** The JVM's thread dump (jcmd), or why there is none. */
    private static String threads(long pid) {
        try {
            // The jcmd of the JDK that runs it (bin/berth may pick a newer one than the tests').
            Path exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe"));
            Process j = new ProcessBuilder(exe.resolveSibling("jcmd").toString(), Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            j.waitFor(20, TimeUnit.SECONDS);
            return dump;
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e + ")";
        }
    }
}
