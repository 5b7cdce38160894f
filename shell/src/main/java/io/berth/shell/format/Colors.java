package io.berth.shell.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Colour only where a person reads it: on a terminal, unless {@code NO_COLOR} is set
 * (no-color.org) or the terminal is "dumb". Scripts that pipe the output get plain text.
 */
public final class Colors {
    private static final String RESET = "\u001b[0m";
    private final boolean enabled;

    public Colors(boolean enabled) {
        this.enabled = enabled;
    }

    /** Whether standard output is a terminal someone looks at (Linux: where fd 1 points). */
    public static boolean stdoutIsTerminal() {
        String noColor = System.getenv("NO_COLOR");
        if (noColor != null && !noColor.isEmpty() || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        return stdoutIsTty();
    }

    /** Whether standard output is a terminal at all, coloured or not (a redraw in place needs one). */
    public static boolean stdoutIsTty() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public String red(String s) {
        return paint("31", s);
    }

    public String green(String s) {
        return paint("32", s);
    }

    public String yellow(String s) {
        return paint("33", s);
    }

    public String bold(String s) {
        return paint("1", s);
    }

    private String paint(String code, String s) {
        return enabled && !s.isEmpty() ? "\u001b[" + code + "m" + s + RESET : s;
    }

    /** A pod's or container's state coloured by how good it is. */
    public String status(String status) {
        switch (status) {
            case "Running":
            case "Succeeded":
            case "Completed":
            case "Ready":
            case "Normal":
                return green(status);
            case "Pending":
            case "ContainerCreating":
            case "Terminating":
            case "PodInitializing":
                return yellow(status);
            default:
                return status.isEmpty() ? status : red(status);
        }
    }
}
