package io.berth.shell.format;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One line on the terminal redrawn in place ({@code \r}) as bytes arrive: what is done, a bar,
 * the percentage and the MiB. Redrawn only when the percentage changes; {@link #clear()} leaves
 * the line empty for the result. For terminals only: a pipe gets plain lines from the caller.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final String label;
    private int shown = -1;

    /** @param label what is going on, e.g. "Importing rootfs.tar" */
    public ProgressBar(PrintWriter out, String label) {
        this.out = out;
        this.label = label;
    }

    public void update(long done, long total) {
        int percent = (int) Math.min(100, done * 100 / Math.max(1, total));
        if (percent == shown) {
            return;
        }
        shown = percent;
        int filled = percent * WIDTH / 100;
        out.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %.1f/%.1f MiB", label, "=".repeat(filled),
                " ".repeat(WIDTH - filled), percent, done / 1048576.0, total / 1048576.0));
        out.flush();
    }

    public void clear() {
        out.print("\r\033[K");
        out.flush();
    }
}
