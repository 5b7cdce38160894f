package io.berth.runtime.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.berth.testkit.BusyboxRootfs;

/**
 * Processes for cgroup tests: busybox sh scripts that wait on stdin ("read x") so the test can put
 * them into a cgroup before they do anything, and are all killed afterwards.
 */
final class CgroupTestSupport {
    private final List<Process> processes = new ArrayList<>();

    /** "/berth-test-<random>": each test's own parent, so parallel and repeated runs never collide. */
    static String testParent() {
        return "/berth-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Starts {@code busybox sh -c script}; the script should begin with "read x". */
    Process shell(String script) throws IOException {
        Path busybox = BusyboxRootfs.path().resolve("bin/busybox");
        Process p = new ProcessBuilder(busybox.toString(), "sh", "-c", script).start();
        processes.add(p);
        return p;
    }

    /** Lets a waiting script go on. */
    static void release(Process p) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    static int pid(Process p) {
        return Math.toIntExact(p.pid());
    }

    static int exitWithin(Process p, long seconds) throws InterruptedException {
        assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as("process %d exited within %d s", p.pid(), seconds).isTrue();
        return p.exitValue();
    }

    static String stdout(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    static String stderr(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Kills every started process (and its descendants) and waits for it. */
    void close() throws InterruptedException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
