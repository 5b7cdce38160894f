package io.berth.shell.remotecommand;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingInputStream;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;

/**
 * One exec or attach from the operator's side, to its end: the {@link ChannelClient} wired to this
 * process's stdio, or with a terminal to the operator's terminal in raw mode (restored afterwards,
 * also on failure), its size following the window (SIGWINCH becomes a resize frame). Returns the
 * remote side's exit status.
 */
public final class RemoteSession {
    private RemoteSession() {
    }

    /**
     * @param subresource "exec" or "attach"
     * @param query       the request's own parameters (container, command); stdin, stdout, stderr and tty are added here
     * @param hint        printed on stderr once connected with a terminal (kubectl's "If you don't see a command prompt..."), or null
     */
    public static int run(Daemon daemon, Console console, String ns, String pod, String subresource, List<Map.Entry<String, String>> query,
            boolean stdin, boolean tty, String hint) {
        List<Map.Entry<String, String>> q = new ArrayList<>(query);
        q.add(Map.entry("stdout", "true"));
        if (stdin) {
            q.add(Map.entry("stdin", "true"));
        }
        if (tty) {
            q.add(Map.entry("tty", "true"));
        } else {
            q.add(Map.entry("stderr", "true"));
        }
        var config = daemon.call(c -> c.getConfiguration());
        console.out().flush();
        return tty ? withTerminal(config, console, ns, pod, subresource, q, stdin, hint)
                : withStreams(config, console, ns, pod, subresource, q, stdin);
    }

    /** Output to this process's stdout and stderr (the console's writer in the console); stdin from ours, its end sent as EOF. */
    private static int withStreams(io.fabric8.kubernetes.client.Config config, Console console, String ns, String pod, String subresource,
            List<Map.Entry<String, String>> q, boolean stdin) {
        OutputStream out = console.interactive() ? new WriterStream(console) : new FileOutputStream(FileDescriptor.out);
        OutputStream err = console.interactive() ? new WriterStream(console) : new FileOutputStream(FileDescriptor.err);
        try (ChannelClient client = ChannelClient.open(config, ns, pod, subresource, q, out, err)) {
            if (stdin) {
                daemonThread("berth-stdin", () -> {
                    InputStream in = new FileInputStream(FileDescriptor.in);
                    byte[] buf = new byte[32 * 1024];
                    try {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            client.stdin(buf, 0, n);
                        }
                    } catch (IOException e) {
                        // our stdin broke: what was read has been sent
                    }
                    client.closeStdin();
                });
            }
            return await(client);
        }
    }

    private static int withTerminal(io.fabric8.kubernetes.client.Config config, Console console, String ns, String pod, String subresource,
            List<Map.Entry<String, String>> q, boolean stdin, String hint) {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            boolean raw = stdin && !"dumb".equals(terminal.getType());
            OutputStream out = flushing(terminal.output());
            ChannelClient client = ChannelClient.open(config, ns, pod, subresource, q, out, out);
            if (hint != null) {
                System.err.println(hint);
            }
            Attributes saved = raw ? rawMode(terminal) : null;
            Thread input = null;
            try {
                resize(terminal, client);
                terminal.handle(Terminal.Signal.WINCH, s -> resize(terminal, client));
                if (stdin) {
                    input = copyInput(terminal.input(), client);
                }
                return await(client);
            } finally {
                terminal.handle(Terminal.Signal.WINCH, Terminal.SignalHandler.SIG_DFL);
                if (input != null) {
                    input.interrupt();
                }
                client.close();
                if (saved != null) {
                    terminal.setAttributes(saved);
                }
                terminal.flush();
            }
        } catch (IOException e) {
            throw new ConsoleException("cannot use this terminal: " + e.getMessage() + ": run without -t");
        }
    }

    private static int await(ChannelClient client) {
        try {
            return client.exit().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleException("interrupted: the process may still run in the container");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConsoleException ce) {
                throw ce;
            }
            throw new ConsoleException("the connection to the daemon broke: " + e.getCause().getMessage(), e.getCause());
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
        raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ICANON, Attributes.LocalFlag.ECHO, Attributes.LocalFlag.IEXTEN,
                Attributes.LocalFlag.ISIG), false);
        raw.setInputFlags(EnumSet.of(Attributes.InputFlag.IXON, Attributes.InputFlag.ICRNL, Attributes.InputFlag.INLCR,
                Attributes.InputFlag.BRKINT, Attributes.InputFlag.ISTRIP), false);
        raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
        raw.setControlChar(Attributes.ControlChar.VMIN, 1);
        raw.setControlChar(Attributes.ControlChar.VTIME, 0);
        terminal.setAttributes(raw);
        return saved;
    }

    /** JLine's terminal output is buffered; the remote output must show as it comes. */
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

    private static void resize(Terminal terminal, ChannelClient client) {
        Size size = terminal.getSize();
        if (size.getColumns() > 0 && size.getRows() > 0) {
            client.resize(size.getColumns(), size.getRows());
        }
    }

    /** Keystrokes to the remote side until it ends; polls so that the thread notices the end. */
    private static Thread copyInput(InputStream from, ChannelClient to) {
        return daemonThread("berth-terminal-input", () -> {
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
                    to.stdin(one, 0, 1);
                }
            } catch (IOException e) {
                // the terminal is gone
            }
        });
    }

    private static Thread daemonThread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
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
