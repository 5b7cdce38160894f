package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.berth.image.registry.LocalRegistry;
import io.berth.image.registry.TestImages;
import io.berth.shell.it.ConsoleProcess.Result;
import io.berth.testkit.Requirements;

/**
 * {@code image pull} from a real docker-registry on loopback, through a real daemon's progress
 * stream: a line per layer when the output is a pipe, a bar redrawn in place on a terminal
 * ({@code script}'s pseudo-terminal), and a pull that fails in one line.
 */
class ImagePullIT {
    @Test
    void pullShowsProgressAndFailsInOneLine() throws Exception {
        try (TestDaemon daemon = new TestDaemon(); LocalRegistry registry = LocalRegistry.start()) {
            // Three incompressible 6 MiB layers: enough bytes for the bar to move.
            TestImages.Layout random = TestImages.random(Files.createDirectories(daemon.dir.resolve("random")), "1", 3, 6 << 20, 42);
            TestImages.push(random, registry.hostPort(), "test/random:1");
            // Other bytes for the terminal's pull: blobs the store has already are not fetched again.
            TestImages.push(TestImages.random(Files.createDirectories(daemon.dir.resolve("other")), "1", 3, 6 << 20, 43),
                    registry.hostPort(), "test/again:1");

            String ref = registry.hostPort() + "/test/random:1";
            Result piped = daemon.berth("image", "pull", ref);
            assertThat(piped.exit()).as(piped.toString()).isZero();
            assertThat(piped.out()).as(piped.toString()).startsWith("Pulled " + ref + " (sha256-");
            // A pipe gets plain lines: what is pulled, then each blob (three layers and the config) when it is complete.
            assertThat(piped.err()).as(piped.toString()).startsWith("Pulling " + ref + " ...\n").doesNotContain("\r");
            assertThat(piped.err().lines().filter(l -> l.matches("  sha256:[0-9a-f]{12}: [0-9.]+(B|KiB|MiB) done"))).as(piped.toString())
                    .hasSizeGreaterThanOrEqualTo(3);

            // On a terminal: one bar, redrawn in place, cleared before the result.
            Requirements.command("script", "bsdutils");
            Path typescript = daemon.dir.resolve("typescript");
            String again = registry.hostPort() + "/test/again:1";
            ProcessBuilder pb = new ProcessBuilder("script", "-qefc", ConsoleProcess.launcher() + " image pull " + again, typescript.toString())
                    .redirectErrorStream(true);
            pb.environment().remove("KUBECONFIG");
            pb.environment().put("BERTH_HOME", daemon.home.toString());
            pb.environment().put("TERM", "xterm");
            pb.environment().remove("NO_COLOR");
            Process p = pb.start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String screen = Files.readString(typescript, StandardCharsets.ISO_8859_1);
            assertThat(p.exitValue()).as(screen).isZero();
            assertThat(screen).as(screen).containsPattern("\rPulling " + java.util.regex.Pattern.quote(again) + " \\[=*\\s*\\] +\\d+% ")
                    .contains("100%").contains("\r\033[K").contains("Pulled " + again);

            Result missing = daemon.berth("image", "pull", registry.hostPort() + "/test/absent:1");
            assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
            assertThat(missing.err().lines().filter(l -> !l.isBlank()).toList()).as(missing.toString())
                    .hasSize(2).element(1).asString().startsWith("error: cannot pull " + registry.hostPort() + "/test/absent:1: ");
        }
    }
}
