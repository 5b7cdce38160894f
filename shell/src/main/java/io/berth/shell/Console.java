package io.berth.shell;

import java.io.PrintWriter;

import io.berth.shell.format.Colors;

/**
 * Where the running command writes: standard output and error in one-shot mode, the terminal in
 * the interactive console. Set once by the runner before the first command.
 */
public class Console {
    private PrintWriter out;
    private PrintWriter err;
    private Colors colors = new Colors(false);
    private boolean interactive;
    private boolean debug;

    public void use(PrintWriter out, PrintWriter err, Colors colors, boolean interactive) {
        this.out = out;
        this.err = err;
        this.colors = colors;
        this.interactive = interactive;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    public Colors colors() {
        return colors;
    }

    public boolean interactive() {
        return interactive;
    }

    public boolean debug() {
        return debug;
    }

    public void setDebug(boolean debug) {
        this.debug = debug;
    }
}
