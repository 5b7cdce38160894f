package io.berth.runtime.oci;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link Spec.Process} from another one without rewriting its sixteen components: start
 * from {@code DefaultSpec.processBuilder()} (an exec with Berth's defaults) or
 * {@code spec.process().toBuilder()}, change what differs, {@link #build()}. Each setter checks its
 * own argument (an env entry without '=' fails here, naming it); the whole process is checked by
 * {@link SpecValidator} when a container is created or a process exec'd. {@link SpecBuilder} offers
 * the same setters for a whole spec.
 */
public final class ProcessSpecBuilder {
    private boolean terminal;
    private Spec.ConsoleSize consoleSize;
    private Spec.User user;
    private List<String> args;
    private String commandLine;
    private List<String> env;
    private String cwd;
    private Spec.Capabilities capabilities;
    private List<Spec.Rlimit> rlimits;
    private boolean noNewPrivileges;
    private String apparmorProfile;
    private Integer oomScoreAdj;
    private String selinuxLabel;
    private Object ioPriority;
    private Object scheduler;
    private Object execCpuAffinity;

    ProcessSpecBuilder(Spec.Process p) {
        Objects.requireNonNull(p, "process");
        terminal = p.terminal();
        consoleSize = p.consoleSize();
        user = p.user();
        args = new ArrayList<>(p.args());
        commandLine = p.commandLine();
        env = new ArrayList<>(p.env());
        cwd = p.cwd();
        capabilities = p.capabilities();
        rlimits = new ArrayList<>(p.rlimits());
        noNewPrivileges = p.noNewPrivileges();
        apparmorProfile = p.apparmorProfile();
        oomScoreAdj = p.oomScoreAdj();
        selinuxLabel = p.selinuxLabel();
        ioPriority = p.ioPriority();
        scheduler = p.scheduler();
        execCpuAffinity = p.execCpuAffinity();
    }

    /** The program and its arguments; {@code args[0]} is looked up with the env's PATH inside the container. */
    public ProcessSpecBuilder args(String... args) {
        return args(Arrays.asList(args));
    }

    public ProcessSpecBuilder args(List<String> args) {
        Objects.requireNonNull(args, "args");
        if (args.isEmpty() || args.get(0) == null || args.get(0).isBlank()) {
            throw new IllegalArgumentException("process args " + args + " name no program: give at least the program, e.g. args(\"sh\")");
        }
        for (String a : args) {
            Objects.requireNonNull(a, "args contains null");
        }
        this.args = new ArrayList<>(args);
        return this;
    }

    /** Replaces the whole environment; each entry is NAME=value. */
    public ProcessSpecBuilder env(List<String> env) {
        Objects.requireNonNull(env, "env");
        env.forEach(ProcessSpecBuilder::checkEnvEntry);
        this.env = new ArrayList<>(env);
        return this;
    }

    /** Sets one variable, replacing an entry of the same name (the rest of the environment stays). */
    public ProcessSpecBuilder env(String name, String value) {
        Objects.requireNonNull(value, "value of " + name);
        if (name == null || name.isEmpty() || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("environment variable name '" + name + "' is invalid: give a non-empty name without '='");
        }
        String prefix = name + "=";
        env.removeIf(e -> e.startsWith(prefix));
        env.add(prefix + value);
        return this;
    }

    /** The working directory inside the container: an absolute path. */
    public ProcessSpecBuilder cwd(String cwd) {
        if (cwd == null || !cwd.startsWith("/")) {
            throw new IllegalArgumentException("cwd '" + cwd + "' is not absolute: give a path inside the container, e.g. \"/\"");
        }
        this.cwd = cwd;
        return this;
    }

    /** Numeric uid and gid inside the container (Berth does not look names up in its /etc/passwd); additional gids stay. */
    public ProcessSpecBuilder user(long uid, long gid) {
        checkId("uid", uid);
        checkId("gid", gid);
        this.user = new Spec.User(uid, gid, user.umask(), user.additionalGids(), user.username());
        return this;
    }

    /** The supplementary groups (Kubernetes' supplementalGroups), replacing any given before. */
    public ProcessSpecBuilder additionalGids(long... gids) {
        List<Long> list = new ArrayList<>(gids.length);
        for (long g : gids) {
            checkId("additional gid", g);
            list.add(g);
        }
        this.user = new Spec.User(user.uid(), user.gid(), user.umask(), list, user.username());
        return this;
    }

    /** The process's umask (runc's default, 0022, when left unset). */
    public ProcessSpecBuilder umask(int umask) {
        if (umask < 0 || umask > 0777) {
            throw new IllegalArgumentException("umask " + Integer.toOctalString(umask) + " is invalid: give 0 to 0777");
        }
        this.user = new Spec.User(user.uid(), user.gid(), umask, user.additionalGids(), user.username());
        return this;
    }

    public ProcessSpecBuilder user(Spec.User user) {
        this.user = Objects.requireNonNull(user, "user");
        return this;
    }

    /** A pty as stdin/out/err; with {@code false} the console size is dropped as well (it only applies to a terminal). */
    public ProcessSpecBuilder terminal(boolean terminal) {
        this.terminal = terminal;
        if (!terminal) {
            consoleSize = null;
        }
        return this;
    }

    /** A terminal of {@code rows} x {@code cols}: sets {@code terminal} too. */
    public ProcessSpecBuilder terminal(int rows, int cols) {
        if (rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff) {
            throw new IllegalArgumentException("terminal size " + rows + "x" + cols + " is invalid: give 1..65535 rows and columns");
        }
        this.terminal = true;
        this.consoleSize = new Spec.ConsoleSize(rows, cols);
        return this;
    }

    public ProcessSpecBuilder capabilities(Spec.Capabilities capabilities) {
        this.capabilities = capabilities;
        return this;
    }

    public ProcessSpecBuilder noNewPrivileges(boolean noNewPrivileges) {
        this.noNewPrivileges = noNewPrivileges;
        return this;
    }

    /** Sets one rlimit ({@code RLIMIT_NOFILE}, ...), replacing one of the same type; -1 is unlimited. */
    public ProcessSpecBuilder rlimit(String type, long soft, long hard) {
        if (type == null || !type.startsWith("RLIMIT_")) {
            throw new IllegalArgumentException("rlimit type '" + type + "' is invalid: give its name as the spec writes it, e.g. RLIMIT_NOFILE");
        }
        rlimits.removeIf(r -> r.type().equals(type));
        rlimits.add(new Spec.Rlimit(type, hard, soft));
        return this;
    }

    /** /proc/PID/oom_score_adj, -1000..1000; null leaves the inherited value. */
    public ProcessSpecBuilder oomScoreAdj(Integer oomScoreAdj) {
        if (oomScoreAdj != null && (oomScoreAdj < -1000 || oomScoreAdj > 1000)) {
            throw new IllegalArgumentException("oomScoreAdj " + oomScoreAdj + " is invalid: give -1000..1000");
        }
        this.oomScoreAdj = oomScoreAdj;
        return this;
    }

    public Spec.Process build() {
        return new Spec.Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits,
                noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel, ioPriority, scheduler, execCpuAffinity);
    }

    private static void checkEnvEntry(String e) {
        if (e == null || e.indexOf('=') <= 0) {
            throw new IllegalArgumentException("environment entry '" + e + "' is invalid: give NAME=value");
        }
    }

    private static void checkId(String what, long id) {
        if (id < 0 || id > 0xfffffffeL) {
            throw new IllegalArgumentException(what + " " + id + " is invalid: give 0.." + 0xfffffffeL);
        }
    }
}
