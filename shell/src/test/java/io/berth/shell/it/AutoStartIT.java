package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.Requirements;

/**
 * With the daemon's own kubeconfig and no daemon answering, the console starts one, says so and
 * where it logs, and the command then works. The daemon listens on its default address
 * (127.0.0.1:6443), so the test runs the console in a network namespace of its own: its daemon
 * cannot meet anyone else's.
 */
class AutoStartIT {
    @TempDir
    Path dir;

    @Test
    void startsADaemonWhenNoneAnswers() throws Exception {
        Requirements.root();
        Path unshare = Requirements.command("unshare", "util-linux");
        Path ip = Requirements.command("ip", "iproute2");
        Path home = dir.resolve("state");
        String script = ip + " link set lo up && exec " + ConsoleProcess.launcher() + " get pods";
        ProcessBuilder pb = new ProcessBuilder(unshare.toString(), "--net", "sh", "-c", script)
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().remove("KUBECONFIG");
        pb.environment().put("BERTH_HOME", home.toString());
        pb.environment().put("NO_COLOR", "1");
        // The daemon it starts inherits this: its pods' cgroups (none here) under a parent of the test's own.
        pb.environment().put("BERTH_NODE_CGROUPPARENT", "/berth-shell-autostart-" + ProcessHandle.current().pid());
        Process p = pb.start();
        Long daemonPid = null;
        try {
            p.getOutputStream().close();
            assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("the console finished").isTrue();
            String err = Files.readString(dir.resolve("err"));
            Matcher m = Pattern.compile("started one in the background \\(pid (\\d+), logs in (\\S+)\\)").matcher(err);
            assertThat(m.find()).as(err).isTrue();
            daemonPid = Long.parseLong(m.group(1));
            assertThat(m.group(2)).isEqualTo(home.resolve("daemon.log").toString());
            assertThat(p.exitValue()).as(err + (Files.exists(home.resolve("daemon.log")) ? Files.readString(home.resolve("daemon.log")) : "")).isZero();
            assertThat(err).contains("No resources found in default namespace.");
            assertThat(home.resolve("kubeconfig")).exists();
        } finally {
            p.destroyForcibly();
            if (daemonPid != null) {
                Optional<ProcessHandle> daemon = ProcessHandle.of(daemonPid);
                if (daemon.isPresent()) {
                    daemon.get().destroy();
                    daemon.get().onExit().get(60, TimeUnit.SECONDS);
                }
            }
        }
    }
}
