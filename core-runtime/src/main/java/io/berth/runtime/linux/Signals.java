package io.berth.runtime.linux;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Linux signal names and numbers (the generic table x86_64 and aarch64 share). */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGTERM = 15;

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
    private static final int SIGRTMIN = 34;
    private static final int SIGRTMAX = 64;
    private static final Map<String, Integer> BY_NAME = new TreeMap<>();

    static {
        for (int i = 1; i < NAMES.length; i++) {
            BY_NAME.put(NAMES[i], i);
        }
        BY_NAME.put("SIGIOT", 6);
        BY_NAME.put("SIGPOLL", 29);
        BY_NAME.put("SIGCLD", 17);
    }

    private Signals() {
    }

    /** "SIGTERM" for 15, "SIGRTMIN+2" for 36; "SIG" + number when unknown. */
    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        if (signal == SIGRTMIN) {
            return "SIGRTMIN";
        }
        if (signal > SIGRTMIN && signal <= SIGRTMAX) {
            return "SIGRTMIN+" + (signal - SIGRTMIN);
        }
        return "SIG" + signal;
    }

    /** Parses "SIGTERM", "TERM", "term", "15" or "SIGRTMIN+3" as kill(1) and runc do. */
    public static int number(String spec) {
        String s = spec.trim().toUpperCase(Locale.ROOT);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= SIGRTMAX) {
                return n;
            }
        } else {
            if (!s.startsWith("SIG")) {
                s = "SIG" + s;
            }
            if (s.length() > 3 && s.substring(3).chars().allMatch(Character::isDigit)) {
                return number(s.substring(3)); // "SIG32", as name() spells the unnamed ones
            }
            Integer n = BY_NAME.get(s);
            if (n != null) {
                return n;
            }
            if (s.startsWith("SIGRTMIN")) {
                int off = s.length() == 8 ? 0 : parseOffset(s.substring(8), '+');
                if (off >= 0 && SIGRTMIN + off <= SIGRTMAX) {
                    return SIGRTMIN + off;
                }
            }
            if (s.startsWith("SIGRTMAX")) {
                int off = s.length() == 8 ? 0 : parseOffset(s.substring(8), '-');
                if (off >= 0 && SIGRTMAX - off >= SIGRTMIN) {
                    return SIGRTMAX - off;
                }
            }
        }
        throw new IllegalArgumentException("unknown signal \"" + spec
                + "\": use a name such as SIGTERM or KILL, or a number from 1 to " + SIGRTMAX);
    }

    private static int parseOffset(String s, char sign) {
        if (s.length() < 2 || s.charAt(0) != sign || !s.substring(1).chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(s.substring(1));
    }
}
