package io.berth.shell.command;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;

import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingInputStream;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.cli.BerthCommandParser;
import io.berth.shell.client.Daemon;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.TtyExecErrorable;

/**
 * {@code exec [-i] [-t] POD [-c C] -- CMD...}: a process in a running container, as
 * {@code kubectl exec}, over the daemon's pods/exec WebSocket (fabric8's client). With -t the
 * operator's terminal is put in raw mode (restored afterwards, also on failure) and its size
 * follows the window (SIGWINCH becomes a resize). The process's exit status is berth's.
 */
public class ExecCommand {
    private final Daemon daemon;
    private final Console console;

    public ExecCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "exec", group = "Pods", description = "Run a command in a running container (-it: a shell)",
            help = "exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS...]")
    public void exec(@Arguments List<String> arguments,
            @Option(shortName = 'c', longName = "container", description = "the container (default: the pod's only one)") String container,
            @Option(shortName = 'i', longName = "stdin", description = "pass this terminal's input to the process") Boolean stdin,
            @Option(shortName = 't', longName = "tty", description = "give the process a terminal (with -i: an interactive shell)") Boolean tty) {
        int sep = arguments.indexOf(BerthCommandParser.SEPARATOR);
        List<String> own = sep < 0 ? arguments : arguments.subList(0, sep);
        List<String> command = sep < 0 ? List.of() : arguments.subList(sep + 1, arguments.size());
        if (own.size() != 1 || command.isEmpty()) {
            throw ConsoleException.usage("exec needs a pod and a command: berth exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS...]");
        }
        String name = own.get(0);
        boolean in = Boolean.TRUE.equals(stdin);
        boolean terminal = Boolean.TRUE.equals(tty);
        String ns = daemon.namespace();
        console.out().flush();
        int code = terminal ? withTerminal(ns, name, container, in, command) : withStreams(ns, name, container, in, command);
        if (code != 0) {
            throw new ConsoleException(null, code, null); // the process said what went wrong, if anything
        }
    }

    private ContainerResource target(String ns, String name, String container) {
        PodResource pod = daemon.call(c -> c.pods().inNamespace(ns).withName(name));
        return container == null || container.isEmpty() ? pod : pod.inContainer(container);
    }

    /** Output to this process's stdout and stderr (the console's writer in the console), stdin from ours with -i. */
    private int withStreams(String ns, String name, String container, boolean in, List<String> command) {
        ContainerResource target = target(ns, name, container);
        OutputStream out = console.interactive() ? new WriterStream(console) : new FileOutputStream(FileDescriptor.out);
        OutputStream err = console.interactive() ? new WriterStream(console) : new FileOutputStream(FileDescriptor.err);
        TtyExecErrorable streams = (in ? target.readingInput(new FileInputStream(FileDescriptor.in)) : target).writingOutput(out);
        ExecWatch watch = daemon.call(c -> streams.writingError(err).exec(command.toArray(String[]::new)));
        try (watch) {
            return exitCode(watch);
        } finally {
            flush(out);
            flush(err);
        }
    }

    private int withTerminal(String ns, String name, String container, boolean in, List<String> command) {
        ContainerResource target = target(ns, name, container);
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            boolean raw = in && !"dumb".equals(terminal.getType());
            Attributes saved = raw ? rawMode(terminal) : null;
            ExecWatch watch = null;
            Thread input = null;
            try {
                TtyExecErrorable chosen = (in ? target.redirectingInput() : target).writingOutput(flushing(terminal.output()));
                watch = daemon.call(c -> chosen.withTTY().exec(command.toArray(String[]::new)));
                ExecWatch w = watch;
                resize(terminal, w);
                terminal.handle(Terminal.Signal.WINCH, s -> resize(terminal, w));
                if (in) {
                    input = copyInput(terminal.input(), w.getInput());
                }
                return exitCode(w);
            } finally {
                terminal.handle(Terminal.Signal.WINCH, Terminal.SignalHandler.SIG_DFL);
                if (input != null) {
                    input.interrupt();
                }
                if (watch != null) {
                    watch.close();
                }
                if (saved != null) {
                    terminal.setAttributes(saved);
                }
                terminal.flush();
            }
        } catch (IOException e) {
            throw new ConsoleException("cannot use this terminal: " + e.getMessage() + ": run exec without -t");
        }
    }

    /**
     * As cfmakeraw: unlike JLine's enterRawMode this also turns off ISIG (Ctrl-C, Ctrl-Z and Ctrl-\
     * go to the process in the container, whose own terminal turns them into signals) and OPOST
     * (the container's pty already turned its newlines into CR LF). @return what to restore
     */
    private static Attributes rawMode(Terminal terminal) {
        Attributes saved = terminal.getAttributes();
        Attributes raw = new Attributes(saved);
        raw.setLocalFlags(java.util.EnumSet.of(Attributes.LocalFlag.ICANON, Attributes.LocalFlag.ECHO, Attributes.LocalFlag.IEXTEN,
                Attributes.LocalFlag.ISIG), false);
        raw.setInputFlags(java.util.EnumSet.of(Attributes.InputFlag.IXON, Attributes.InputFlag.ICRNL, Attributes.InputFlag.INLCR,
                Attributes.InputFlag.BRKINT, Attributes.InputFlag.ISTRIP), false);
        raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
        raw.setControlChar(Attributes.ControlChar.VMIN, 1);
        raw.setControlChar(Attributes.ControlChar.VTIME, 0);
        terminal.setAttributes(raw);
        return saved;
    }

    /** JLine's terminal output is buffered; the process's output must show as it comes. */
    private static OutputStream flushing(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                out.flush();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                out.flush();
            }
        };
    }

    private static void resize(Terminal terminal, ExecWatch watch) {
        Size size = terminal.getSize();
        if (size.getColumns() > 0 && size.getRows() > 0) {
            watch.resize(size.getColumns(), size.getRows());
        }
    }

    /** Keystrokes to the process until it ends; polls so that the thread notices the end. */
    private static Thread copyInput(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            byte[] one = new byte[1];
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    int b = from instanceof NonBlockingInputStream nb ? nb.read(100L) : from.read();
                    if (b == NonBlockingInputStream.READ_EXPIRED) {
                        continue;
                    }
                    if (b < 0) {
                        break;
                    }
                    one[0] = (byte) b;
                    to.write(one);
                    to.flush();
                }
            } catch (IOException e) {
                // the exec ended: its stream is closed
            }
        }, "berth-exec-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int exitCode(ExecWatch watch) {
        try {
            Integer code = watch.exitCode().get();
            return code == null ? ConsoleException.FAILURE : code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleException("interrupted: the process may still run in the container");
        } catch (ExecutionException e) {
            throw new ConsoleException("exec failed: " + e.getCause().getMessage());
        }
    }

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            // nothing more can be shown
        }
    }

    /** The console's writer as a stream (the interactive console writes through JLine's terminal). */
    private static final class WriterStream extends OutputStream {
        private final Console console;

        WriterStream(Console console) {
            this.console = console;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            console.out().write(new String(b, off, len, StandardCharsets.UTF_8));
            console.out().flush();
        }
    }
}
