package io.berth.runtime.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import io.berth.runtime.linux.TerminalMaster;

/**
 * A foreground container's terminal, relayed to this process's stdio (runc run with a terminal
 * and no console socket). The local terminal is not put into raw mode: input is line-buffered
 * and echoed twice when a person types; scripts and pipes see exactly the container's output.
 */
final class TerminalRelay {
    private TerminalRelay() {
    }

    /** Starts copying both ways; returns the thread that ends when the container's side hangs up. */
    static Thread start(TerminalMaster terminal) {
        Thread in = copy("berth-tty-in", System.in, terminal.output(), false);
        in.start();
        Thread out = copy("berth-tty-out", terminal.input(), System.out, true);
        out.start();
        return out;
    }

    private static Thread copy(String name, InputStream from, OutputStream to, boolean flushEach) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    to.write(buf, 0, n);
                    if (flushEach) {
                        to.flush();
                    }
                }
            } catch (IOException e) {
                // Hang-up or our stdin closed: the relay in this direction is over.
            }
        }, name);
        t.setDaemon(true);
        return t;
    }
}
