package io.berth.runtime.container;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.container.ContainerIo.Input;
import io.berth.runtime.container.ContainerIo.Output;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.testkit.OpenFds;

/** ContainerIo: the library opens files and pipes and keeps none of the process's ends. */
class ContainerIoTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    private static Spec spec(String script) {
        return Bundles.spec(List.of("sh", "-c", script)).build();
    }

    private static String read(InputStream in) throws Exception {
        try (in) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void pipesForStdinStdoutAndStderr() throws Exception {
        Set<String> before = OpenFds.now();
        Input.Pipe in = Input.pipe();
        Output.Pipe out = Output.pipe();
        Output.Pipe err = Output.pipe();
        Container c = f.runtime.create("p1", dir, spec("read x; echo out:$x; echo err:$x >&2; exit 5"), ContainerIo.of(in, out, err));
        f.runtime.start("p1");
        try (OutputStream stdin = in.stream()) {
            stdin.write("hello\n".getBytes(UTF_8));
        }
        assertThat(read(out.stream())).isEqualTo("out:hello\n");
        assertThat(read(err.stream())).isEqualTo("err:hello\n");
        assertThat(c.waitFor().exitCode()).isEqualTo(5);
        f.runtime.delete("p1", false);
        assertThat(OpenFds.now()).as("open fds once the caller closed its streams").isSubsetOf(before);
    }

    @Test
    void oneOutputForStdoutAndStderrMergesThem() throws Exception {
        Output.Pipe both = Output.pipe();
        Container c = f.runtime.create("p2", dir, spec("echo a; echo b >&2; echo c; stat -L -c %t:%T /proc/self/fd/0"),
                ContainerIo.of(Input.devNull(), both, both));
        f.runtime.start("p2");
        assertThat(read(both.stream())).as("stdin is /dev/null: 1:3").isEqualTo("a\nb\nc\n1:3\n");
        assertThat(c.waitFor().exitCode()).isZero();

        Path log = Files.writeString(dir.resolve("log"), "old contents that are longer\n");
        Container d = f.runtime.create("p3", dir, spec("echo a; echo b >&2"), ContainerIo.of(Input.devNull(), Output.file(log), Output.file(log)));
        f.runtime.start("p3");
        assertThat(d.waitFor().exitCode()).isZero();
        assertThat(Files.readString(log)).as("truncated, then one offset for both").isEqualTo("a\nb\n");
    }

    @Test
    void filesAreOpenedByTheLibraryToReadTruncateOrAppend() throws Exception {
        Set<String> before = OpenFds.now();
        Path input = Files.writeString(dir.resolve("in"), "from a file\n");
        Path out = Files.writeString(dir.resolve("out.log"), "kept\n");
        Path err = dir.resolve("err.log"); // made by the library
        for (String id : List.of("f1", "f2")) {
            Container c = f.runtime.create(id, dir, spec("cat; echo to-stderr >&2"),
                    ContainerIo.of(Input.file(input), Output.append(out), Output.file(err)));
            f.runtime.start(id);
            assertThat(c.waitFor().exitCode()).isZero();
            f.runtime.delete(id, false); // the container's own fds (pidfd, report pipe) go with it
        }
        assertThat(Files.readString(out)).isEqualTo("kept\nfrom a file\nfrom a file\n");
        assertThat(Files.readString(err)).isEqualTo("to-stderr\n");
        // Mode 0644 less the umask: the owner's read and write at least, nothing beyond rw-r--r--.
        assertThat(Files.getPosixFilePermissions(err)).contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
                .isSubsetOf(PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(OpenFds.now()).as("open fds").isSubsetOf(before);
    }

    @Test
    void execTakesContainerIoToo() throws Exception {
        f.runtime.create("e1", dir, spec("sleep 60"), ContainerIo.discard());
        f.runtime.start("e1");
        Output.Pipe out = Output.pipe();
        Spec.Process p = DefaultSpec.processBuilder().args("sh", "-c", "echo exec:$(cat /proc/1/cmdline | tr '\\0' ' ')").build();
        try (ExecProcess e = f.runtime.exec("e1", p, ContainerIo.of(Input.devNull(), out, Output.inherit()))) {
            assertThat(read(out.stream())).isEqualTo("exec:sleep 60\n");
            assertThat(e.waitFor(Duration.ofSeconds(10)).orElseThrow().exitCode()).isZero();
        }
        f.runtime.delete("e1", true);
    }

    @Test
    void aBundlesConfigJsonWithContainerIo() throws Exception {
        Path bundle = Bundles.write(dir.resolve("bundle"), List.of("sh", "-c", "echo from config.json"));
        Output.Pipe out = Output.pipe();
        Container c = f.runtime.create("b1", bundle, ContainerIo.of(Input.devNull(), out, Output.devNull()));
        f.runtime.start("b1");
        assertThat(read(out.stream())).isEqualTo("from config.json\n");
        assertThat(c.waitFor().exitCode()).isZero();
    }

    @Test
    void anExecWithATerminalAndAFailedExecThatClosesItsPipes() throws Exception {
        f.runtime.create("e2", dir, spec("sleep 60"), ContainerIo.discard());
        f.runtime.start("e2");
        Spec.Process tty = DefaultSpec.processBuilder().args("tty").terminal(true).build();
        try (ExecProcess e = f.runtime.exec("e2", tty, ContainerIo.terminal())) {
            try (var t = e.terminal().orElseThrow()) {
                assertThat(read(t.input())).startsWith("/dev/pts/");
            }
            assertThat(e.waitFor(Duration.ofSeconds(10)).orElseThrow().exitCode()).isZero();
        }
        f.runtime.kill("e2", io.berth.runtime.linux.Signals.SIGKILL, true);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> f.runtime.state("e2").status() == ContainerStatus.STOPPED);
        Set<String> before = OpenFds.now();
        Output.Pipe out = Output.pipe();
        assertThatThrownBy(() -> f.runtime.exec("e2", DefaultSpec.processBuilder().args("true").build(),
                ContainerIo.of(Input.devNull(), out, out)))
                .isInstanceOf(ContainerException.class).hasMessageContaining("it is stopped, not running");
        assertThatThrownBy(out::stream).isInstanceOf(IllegalStateException.class);
        assertThat(OpenFds.now()).as("open fds").isSubsetOf(before);
    }

    @Test
    void aFailedCreateClosesEveryFdItOpenedAndItsPipes() throws Exception {
        Set<String> before = OpenFds.now();
        Output.Pipe out = Output.pipe();
        Input.Pipe in = Input.pipe();
        assertThatThrownBy(() -> f.runtime.create("x", dir, Bundles.spec(List.of("/bin/nope")).build(),
                ContainerIo.of(in, out, Output.append(dir.resolve("err")))))
                .hasMessageContaining("/bin/nope: No such file or directory");
        assertThatThrownBy(out::stream).isInstanceOf(IllegalStateException.class)
                .hasMessage("the create or exec this pipe was given to failed: it has no stream");
        assertThatThrownBy(in::stream).isInstanceOf(IllegalStateException.class);
        assertThat(OpenFds.now()).as("open fds").isSubsetOf(before);
        assertThat(f.runtime.list()).isEmpty();

        // Failing while opening: stdout's pipe is already made when stderr's file cannot be.
        Output.Pipe first = Output.pipe();
        assertThatThrownBy(() -> f.runtime.create("x", dir, spec("true"),
                ContainerIo.of(Input.devNull(), first, Output.file(dir.resolve("no-such-dir/err")))))
                .isInstanceOf(ContainerException.class)
                .hasMessage("stderr file " + dir.resolve("no-such-dir/err") + " cannot be opened (No such file or directory):"
                        + " its directory must exist and be writable");
        assertThatThrownBy(first::stream).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.runtime.create("x", dir, spec("true"),
                ContainerIo.of(Input.file(dir.resolve("missing")), Output.devNull(), Output.devNull())))
                .hasMessage("stdin file " + dir.resolve("missing") + " cannot be opened (No such file or directory):"
                        + " give a file that exists and can be read");
        assertThat(OpenFds.now()).as("open fds").isSubsetOf(before);
        assertThat(f.runtime.list()).isEmpty();
    }

    @Test
    void aPipeServesOneProcessAndHasNoStreamBeforeIt() throws Exception {
        Output.Pipe out = Output.pipe();
        assertThatThrownBy(out::stream).isInstanceOf(IllegalStateException.class)
                .hasMessage("Output.pipe() is connected by create or exec: pass it to one, then read its stream");
        Container c = f.runtime.create("once", dir, spec("echo once"), ContainerIo.of(Input.devNull(), out, Output.devNull()));
        Set<String> before = OpenFds.now();
        assertThatThrownBy(() -> f.runtime.create("twice", dir, spec("true"), ContainerIo.of(Input.devNull(), out, Output.devNull())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this pipe already served a process: make a new one for each create or exec");
        assertThat(OpenFds.now()).as("open fds").isSubsetOf(before);
        f.runtime.start("once");
        assertThat(read(out.stream())).as("the first use is untouched").isEqualTo("once\n");
        c.waitFor();
    }

    @Test
    void aTerminalIsChosenBothInTheSpecAndInTheIo() throws Exception {
        assertThatThrownBy(() -> f.runtime.create("t", dir, Bundles.spec(List.of("true")).terminal(true).build(), ContainerIo.discard()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("process.terminal is true, so the process's stdin, stdout and stderr are its terminal:"
                        + " pass ContainerIo.terminal() and use the terminal() of what create or exec returns");
        assertThatThrownBy(() -> f.runtime.create("t", dir, spec("true"), ContainerIo.terminal()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("ContainerIo.terminal() needs process.terminal set to true");
        Container c = f.runtime.create("t", dir, Bundles.spec(List.of("tty")).terminal(true).build(), ContainerIo.terminal());
        f.runtime.start("t");
        assertThat(read(c.terminal().orElseThrow().input())).isEqualTo("/dev/pts/0\r\n");
        assertThat(c.waitFor().exitCode()).isZero();
        c.terminal().orElseThrow().close();
    }
}
