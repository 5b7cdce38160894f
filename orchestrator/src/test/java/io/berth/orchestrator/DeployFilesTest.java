package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** deploy/systemd/berth.service is a unit systemd accepts, and runs the launcher install.sh installs. */
class DeployFilesTest {

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        Path analyze = Requirements.command("systemd-analyze", "systemd");
        Path checkout = RealNode.checkout();
        String unit = Files.readString(checkout.resolve("deploy/systemd/berth.service"));
        assertThat(unit).contains("\nKillMode=process\n", "\nSendSIGKILL=no\n")
                .contains("ExecStart=/usr/local/lib/berth/current/bin/berth daemon ");
        // install.sh copies bin/berth into the release's bin/: the path ExecStart names.
        assertThat(Files.readString(checkout.resolve("deploy/install.sh"))).contains("cp \"$checkout/bin/berth\" \"$release/bin/berth\"");
        Path dir = Files.createTempDirectory("berth-unit-test");
        try {
            // verify checks that ExecStart's binary exists: point it at one that does.
            Files.writeString(dir.resolve("berth.service"), unit.replace("/usr/local/lib/berth/current/bin/berth", "/bin/true"));
            Process p = new ProcessBuilder(analyze.toString(), "verify", dir.resolve("berth.service").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).as("systemd-analyze verify's complaints").isBlank();
        } finally {
            DaemonFixture.deleteTree(dir);
        }
    }
}
