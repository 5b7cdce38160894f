package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.json.JsonOut;
import io.berth.runtime.json.JsonValue;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * Berth's listening end of --console-socket against the reference sender: runc itself connects,
 * sends its pty master with the name as payload, and ConsoleSocket receives a working terminal.
 * (Berth as the sender against containerd's shim is ContainerdRuntimeContract's tty tests.)
 */
@Timeout(60)
class RuncConsoleInteropTest {
    @TempDir
    Path tmp;

    @Test
    void receivesTheMasterRuncSends() throws Exception {
        Requirements.root();
        Path runc = Requirements.command("runc", "runc");
        Path bundle = Files.createDirectory(tmp.resolve("bundle"));
        Path state = tmp.resolve("runc-state");
        String id = "berth-test-" + UUID.randomUUID().toString().substring(0, 8);
        run(List.of(runc.toString(), "spec", "--bundle", bundle.toString()));
        // runc's own config.json, edited as plain JSON so that nothing Berth does not model is lost.
        Map<String, Object> config = object(JsonValue.parse(Files.readAllBytes(bundle.resolve("config.json"))).asPlain());
        Map<String, Object> root = object(config.get("root"));
        root.put("path", BusyboxRootfs.path().toString());
        root.put("readonly", true);
        Map<String, Object> process = object(config.get("process"));
        process.put("terminal", true);
        process.put("consoleSize", Map.of("height", 24, "width", 80));
        process.put("args", List.of("sh", "-c", TerminalTest.PROBE));
        object(config.get("linux")).put("cgroupsPath", "/" + id);
        Files.writeString(bundle.resolve("config.json"), JsonOut.compact(config));

        try (ConsoleSocket listener = ConsoleSocket.listen(tmp.resolve("console.sock"))) {
            run(List.of(runc.toString(), "--root", state.toString(), "run", "-d", "--console-socket",
                    listener.path().toString(), "--bundle", bundle.toString(), id));
            try (TerminalMaster master = listener.accept(Duration.ofSeconds(10))) {
                // runc 1.1.5 names the master by its own path ("/dev/ptmx"); Berth sends the slave's
                // ("/dev/pts/0"). Receivers take the name as a label only.
                assertThat(master.name()).isNotBlank();
                assertThat(TerminalTest.lines(TerminalTest.drain(master)))
                        .containsExactly("/dev/pts/0", "24 80", "interactive");
            }
        } finally {
            new ProcessBuilder(runc.toString(), "--root", state.toString(), "delete", "--force", id)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(20, TimeUnit.SECONDS);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object plain) {
        return (Map<String, Object>) plain;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }
}
