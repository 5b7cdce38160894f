package io.berth.runtime.container;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a container's (or an exec'd process's) stdin, stdout and stderr go, chosen in Java terms:
 * the library opens what it needs and closes every fd it opened once the process has its copies,
 * on success and failure alike. A pipe is the one choice with a caller's side: keep the
 * {@link Output.Pipe} (or {@link Input.Pipe}) you passed and read (or write) its {@code stream()}
 * once create or exec returned.
 *
 * <pre>{@code
 * ContainerIo.Output.Pipe out = ContainerIo.Output.pipe();
 * runtime.create("web", bundle, spec, ContainerIo.of(ContainerIo.Input.devNull(), out, ContainerIo.Output.append(log)));
 * runtime.start("web");
 * String text = new String(out.stream().readAllBytes(), UTF_8);
 * }</pre>
 *
 * A pipe holds what the process writes until it is read: read stdout and stderr pipes (from two
 * threads, or merge them by passing the same pipe twice), or a chatty process blocks. With
 * {@code process.terminal} the stdio is the terminal: pass {@link #terminal()} and use
 * {@code Container.terminal()} / {@code ExecProcess.terminal()}. The CLI's fd-level
 * {@link io.berth.runtime.linux.Stdio} remains for callers that hold raw fds.
 */
public sealed interface ContainerIo permits ContainerIo.Streams, ContainerIo.Terminal {

    /** stdin, stdout and stderr each on /dev/null. */
    static Streams discard() {
        return new Streams(Input.devNull(), Output.devNull(), Output.devNull());
    }

    /** This JVM's own stdin, stdout and stderr. */
    static Streams inherit() {
        return new Streams(Input.inherit(), Output.inherit(), Output.inherit());
    }

    static Streams of(Input stdin, Output stdout, Output stderr) {
        return new Streams(stdin, stdout, stderr);
    }

    /** The process's pty, whose master this JVM receives (the spec's process.terminal must be true). */
    static Terminal terminal() {
        return new Terminal();
    }

    /** Three separate choices; passing one output (a file or a pipe) for both stdout and stderr merges them, as 2>&1. */
    record Streams(Input stdin, Output stdout, Output stderr) implements ContainerIo {
        public Streams {
            Objects.requireNonNull(stdin, "stdin");
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }
    }

    record Terminal() implements ContainerIo {
    }

    /** What the process reads as stdin. */
    sealed interface Input permits Input.Inherit, Input.Null, Input.File, Input.Pipe {
        static Inherit inherit() {
            return new Inherit();
        }

        static Null devNull() {
            return new Null();
        }

        /** Reads an existing file from its start. */
        static File file(Path path) {
            return new File(path);
        }

        /** A pipe whose writing end is {@link Pipe#stream()}; closing that stream is the process's EOF. */
        static Pipe pipe() {
            return new Pipe();
        }

        record Inherit() implements Input {
        }

        record Null() implements Input {
        }

        record File(Path path) implements Input {
            public File {
                Objects.requireNonNull(path, "path");
            }
        }

        /** One process's stdin: a pipe serves one create or exec. */
        final class Pipe extends PipeEnd<OutputStream> implements Input {
            Pipe() {
            }

            /** Writes the process's stdin; available once create or exec returned. Close it to send EOF. */
            public OutputStream stream() {
                return callerSide("Input.pipe()");
            }

            @Override
            OutputStream open(int fd) throws IOException {
                return new FileOutputStream(procFd(fd));
            }
        }
    }

    /** Where the process's stdout or stderr goes. */
    sealed interface Output permits Output.Inherit, Output.Null, Output.File, Output.Pipe {
        static Inherit inherit() {
            return new Inherit();
        }

        static Null devNull() {
            return new Null();
        }

        /** A file made if missing (mode 0644 less the umask) and emptied if not. */
        static File file(Path path) {
            return new File(path, false);
        }

        /** A file made if missing and written at its end (a log across restarts). */
        static File append(Path path) {
            return new File(path, true);
        }

        /** A pipe whose reading end is {@link Pipe#stream()}; it ends when the process and its children closed theirs. */
        static Pipe pipe() {
            return new Pipe();
        }

        record Inherit() implements Output {
        }

        record Null() implements Output {
        }

        record File(Path path, boolean append) implements Output {
            public File {
                Objects.requireNonNull(path, "path");
            }
        }

        /** One process's stdout (or stdout and stderr merged): a pipe serves one create or exec. */
        final class Pipe extends PipeEnd<InputStream> implements Output {
            Pipe() {
            }

            /** Reads what the process writes; available once create or exec returned. */
            public InputStream stream() {
                return callerSide("Output.pipe()");
            }

            @Override
            InputStream open(int fd) throws IOException {
                return new PipeEnd.PipeInputStream(new FileInputStream(procFd(fd)));
            }
        }
    }
}
