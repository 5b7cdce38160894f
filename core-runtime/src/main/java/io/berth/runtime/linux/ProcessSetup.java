package io.berth.runtime.linux;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.berth.runtime.seccomp.SeccompProgram;

/**
 * The process half of a container start, after {@link RootfsSetup} (or, for an exec, after the
 * joins of the container's namespaces): in this order
 * <ol>
 * <li><b>terminal</b> if asked ({@link ChildOp.SetupTerminal}): after pivot_root so /dev/ptmx is the
 *     container's devpts, before rlimits (a low RLIMIT_NOFILE must not fail it) and before the
 *     identity change (the slave is chowned with CAP_CHOWN);</li>
 * <li><b>rlimits</b> (first, while the child may still raise them with CAP_SYS_RESOURCE);</li>
 * <li><b>bounding</b>: drop what the bounding set should not hold (needs CAP_SETPCAP, so before the uid change);</li>
 * <li><b>seccomp</b> here if there is a profile but no no_new_privs: the kernel then requires
 *     CAP_SYS_ADMIN, which the identity change drops (runc does the same);</li>
 * <li><b>identity</b>: keep-caps on, setgroups, setresgid, setresuid, keep-caps off;</li>
 * <li><b>capabilities</b>: capset of effective/permitted/inheritable, then ambient raises;</li>
 * <li><b>no_new_privs</b> if asked, <b>umask</b>, <b>chdir</b> to the working directory;</li>
 * <li><b>check-executable</b>: argv[0] found via the env's PATH inside the container, so a missing
 *     binary fails before the start gate;</li>
 * <li><b>seccomp</b> with no_new_privs: after the start gate, right before execve, so the profile
 *     only has to allow execve (runc installs it just before its exec FIFO wait).</li>
 * </ol>
 */
public final class ProcessSetup {
    private ProcessSetup() {
    }

    /** The user the process runs as; {@code umask} as OCI's process.user.umask (0022 by default). */
    public record User(int uid, int gid, List<Integer> additionalGids, int umask) {
        public User {
            additionalGids = List.copyOf(additionalGids);
        }

        public static User root() {
            return new User(0, 0, List.of(), 0022);
        }
    }

    /** The five capability sets of OCI's process.capabilities. */
    public record Capabilities(Set<Capability> bounding, Set<Capability> effective, Set<Capability> permitted,
            Set<Capability> inheritable, Set<Capability> ambient) {
        public Capabilities {
            bounding = Set.copyOf(bounding);
            effective = Set.copyOf(effective);
            permitted = Set.copyOf(permitted);
            inheritable = Set.copyOf(inheritable);
            ambient = Set.copyOf(ambient);
        }

        /** The same set everywhere except inheritable and ambient (Docker's shape). */
        public static Capabilities of(Set<Capability> caps) {
            return new Capabilities(caps, caps, caps, Set.of(), Set.of());
        }
    }

    public record Limit(Rlimit resource, long soft, long hard) {
    }

    /**
     * OCI {@code process.terminal: true} with {@code process.consoleSize} ({@code rows} = height,
     * {@code cols} = width; either 0 leaves the kernel's default, as runc does without a size).
     * {@code bindDevConsole}: the slave is bound onto /dev/console, as runc does for a container's
     * first process (never for an exec, which must not add mounts to the running container).
     */
    public record Terminal(int rows, int cols, boolean bindDevConsole) {
        public Terminal {
            if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
                throw new IllegalArgumentException("console size " + rows + "x" + cols
                        + " is out of range: height and width must be 0..65535");
            }
        }

        /** For {@code create}/{@code run}: sized as given, and /dev/console is the terminal. */
        public static Terminal forContainer(int rows, int cols) {
            return new Terminal(rows, cols, true);
        }

        /** For {@code exec --tty}. */
        public static Terminal forExec(int rows, int cols) {
            return new Terminal(rows, cols, false);
        }
    }

    /** As below, without a terminal. */
    public static List<ChildOp> prepare(User user, Capabilities caps, boolean noNewPrivileges, List<Limit> rlimits,
            String cwd, List<String> argv, String path) {
        return prepare(user, caps, noNewPrivileges, rlimits, cwd, argv, path, null);
    }

    /** As below, without seccomp. */
    public static List<ChildOp> prepare(User user, Capabilities caps, boolean noNewPrivileges, List<Limit> rlimits,
            String cwd, List<String> argv, String path, Terminal terminal) {
        return prepare(user, caps, noNewPrivileges, rlimits, cwd, argv, path, terminal, null);
    }

    /**
     * @param terminal null: none; else the plan must also carry a console socket
     *                 ({@link LaunchPlan#consoleSocketFd()}) for the pty master
     * @param seccomp  null: none; else linux.seccomp compiled by
     *                 {@link io.berth.runtime.seccomp.SeccompCompiler#compile}, placed by
     *                 {@code noNewPrivileges} as the list above says
     */
    public static List<ChildOp> prepare(User user, Capabilities caps, boolean noNewPrivileges, List<Limit> rlimits,
            String cwd, List<String> argv, String path, Terminal terminal, SeccompProgram seccomp) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(caps, "caps");
        if (cwd == null || !cwd.startsWith("/")) {
            throw new IllegalArgumentException("working directory \"" + cwd + "\" is not absolute: give a path inside"
                    + " the container such as /");
        }
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty: give the program to run as argv[0]");
        }
        List<ChildOp> ops = new ArrayList<>();
        if (terminal != null) {
            ops.add(new ChildOp.SetupTerminal(terminal.rows(), terminal.cols(), user.uid(), terminal.bindDevConsole()));
        }
        for (Limit l : rlimits) {
            if (Long.compareUnsigned(l.soft(), l.hard()) > 0) {
                throw new IllegalArgumentException("rlimit RLIMIT_" + l.resource() + ": soft " + l.soft()
                        + " is above hard " + l.hard());
            }
            ops.add(new ChildOp.SetRlimit(l.resource(), l.soft(), l.hard()));
        }
        ops.add(new ChildOp.DropBounding(caps.bounding()));
        if (seccomp != null && !noNewPrivileges) {
            ops.add(new ChildOp.Seccomp(seccomp, false));
        }
        ops.add(new ChildOp.KeepCaps(true));
        ops.add(new ChildOp.SetGroups(user.additionalGids()));
        ops.add(new ChildOp.SetGid(user.gid()));
        ops.add(new ChildOp.SetUid(user.uid()));
        ops.add(new ChildOp.KeepCaps(false));
        ops.add(new ChildOp.SetCaps(caps.effective(), caps.permitted(), caps.inheritable()));
        // The kernel raises an ambient capability only when it is permitted and inheritable. runc
        // ignores the refusal for the others (its own `runc spec` lists ambient capabilities with no
        // inheritable set), so those are left out rather than failing the container.
        Set<Capability> ambient = EnumSet.noneOf(Capability.class);
        for (Capability c : caps.ambient()) {
            if (caps.permitted().contains(c) && caps.inheritable().contains(c)) {
                ambient.add(c);
            }
        }
        if (!ambient.isEmpty()) {
            ops.add(new ChildOp.RaiseAmbient(ambient));
        }
        if (noNewPrivileges) {
            ops.add(new ChildOp.NoNewPrivs());
        }
        ops.add(new ChildOp.Umask(user.umask()));
        ops.add(new ChildOp.Chdir(cwd));
        ops.add(new ChildOp.CheckExecutable(argv.get(0), path));
        if (seccomp != null && noNewPrivileges) {
            ops.add(new ChildOp.Seccomp(seccomp, true));
        }
        return ops;
    }
}
