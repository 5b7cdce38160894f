package io.berth.runtime.linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts a child per a {@link LaunchPlan}: the plan is laid out in native memory and C's
 * berth_spawn clones the interpreter in berth_child.c onto it (DESIGN.md "How a container
 * starts"). No Java runs in the child. The returned child waits for {@link ChildProcess#proceed()}.
 */
public final class Launcher {
    private Launcher() {
    }

    public static ChildProcess launch(LaunchPlan plan) {
        checkMountsAreContained(plan);
        checkTerminal(plan);
        NativeLibrary nl = Undumpable.NATIVE;
        List<ChildOp> program = program(plan);
        // Joining a user namespace: the new namespaces must belong to it, so they are made by
        // unshare after the setns (program), not by the clone, whose would belong to ours.
        long flags = joinsUserNamespace(plan) ? 0 : Namespace.flags(plan.newNamespaces()) & ~Namespace.CGROUP.cloneFlag();
        if (plan.shareMemory()) {
            flags |= PlanLayout.CLONE_VM;
        }

        int gateRead = plan.startGateFd();
        int gateWrite = -1;
        if (plan.startGateFd() == LaunchPlan.GATE_PIPE) {
            int[] fds = new int[2];
            long r = nl.lib.berth_pipe(fds);
            if (r < 0) {
                throw new ChildSetupException("pipe", (int) -r, "pipe: " + nl.strerror((int) -r));
            }
            gateRead = fds[0];
            gateWrite = fds[1];
        }
        // Library mode: the child sends the master to its end, ChildProcess receives on ours.
        int consoleChild = plan.consoleSocketFd();
        int consoleOurs = -1;
        NativePlan np;
        try {
            if (plan.consoleSocketFd() == LaunchPlan.CONSOLE_PAIR) {
                int[] fds = Console.socketPair();
                consoleOurs = fds[0];
                consoleChild = fds[1];
            }
            np = NativePlan.write(nl, plan, program, flags, gateRead, consoleChild);
        } catch (RuntimeException | Error e) {
            closeQuietly(nl, gateRead, gateWrite, plan);
            closeOwned(nl, consoleOurs, plan.consoleSocketFd() == LaunchPlan.CONSOLE_PAIR ? consoleChild : -1);
            throw e;
        }
        long pid = nl.lib.berth_spawn(np.address());
        if (plan.startGateFd() == LaunchPlan.GATE_PIPE) {
            // The child has its own copy; ours would keep the gate from ever reading EOF.
            nl.lib.berth_close(gateRead);
        }
        if (plan.consoleSocketFd() == LaunchPlan.CONSOLE_PAIR) {
            // Likewise: with ours closed, a child that dies before sending shows as EOF, not a hang.
            nl.lib.berth_close(consoleChild);
        }
        if (pid < 0) {
            np.free();
            if (gateWrite >= 0) {
                nl.lib.berth_close(gateWrite);
            }
            closeOwned(nl, consoleOurs, -1);
            int errno = (int) -pid;
            throw new ChildSetupException("clone", errno, "clone: " + nl.strerror(errno) + cloneHint(errno, plan));
        }
        return new ChildProcess(nl, np, program, plan.argv().get(0), (int) pid,
                (int) np.readSlot(PlanLayout.PIDFD), (int) np.readSlot(PlanLayout.REPORT_R),
                (int) np.readSlot(PlanLayout.GO_W), gateWrite, plan.startGateFd(), consoleOurs);
    }

    /**
     * True once this JVM is non-dumpable, which every launch makes it first. Between clone and
     * execve a launcher child is the JVM (CLONE_VM) or a copy of it (fork-style), and after joining a
     * container's PID namespace (exec, a pod's shared namespace) the container can see it: a
     * dumpable process of the same uid would open its /proc/PID/exe (the host's java binary), mem,
     * environ, root, cwd and fds to anyone there (runc's CVE-2016-9962 and CVE-2019-5736). The flag
     * belongs to the address space, so with CLONE_VM the child cannot set it without setting it for
     * the JVM; it is set here, once and on purpose, rather than as a side effect of the first child.
     * What that changes for the JVM (no core dumps, root-owned /proc/self files; jcmd and jstack as
     * root still work): docs/security.md.
     */
    public static boolean jvmIsUndumpable() {
        return Undumpable.NATIVE.lib.berth_get_dumpable() == 0;
    }

    /** Holder: the library, loaded and the JVM made non-dumpable, before the first launch. */
    private static final class Undumpable {
        static final NativeLibrary NATIVE = init();

        private static NativeLibrary init() {
            NativeLibrary nl = NativeLibrary.get();
            long r = nl.lib.berth_set_dumpable(0);
            if (r < 0) {
                throw new IllegalStateException("prctl(PR_SET_DUMPABLE, 0): " + nl.strerror((int) -r)
                        + ": Berth will not start containers from a JVM that containers could read through /proc");
            }
            return nl;
        }
    }

    /** Joins (user first so the rest are permitted, mount last so the other paths still resolve),
     *  after a joined user namespace the new namespaces (as runc's nsexec), the fork that enters a
     *  joined or so-made PID namespace, the user namespace's root identity, a cgroup namespace once
     *  the parent placed the child, then the caller's setup. */
    static List<ChildOp> program(LaunchPlan plan) {
        List<ChildOp> program = new ArrayList<>();
        List<Map.Entry<Namespace, Path>> joins = new ArrayList<>(plan.joinNamespaces().entrySet());
        joins.sort(Comparator.comparingInt(e -> joinOrder(e.getKey())));
        for (Map.Entry<Namespace, Path> j : joins) {
            program.add(new ChildOp.SetNs(j.getKey(), j.getValue().toString()));
        }
        boolean unsharedPid = false;
        if (joinsUserNamespace(plan)) {
            Set<Namespace> fresh = EnumSet.noneOf(Namespace.class);
            fresh.addAll(plan.newNamespaces());
            fresh.remove(Namespace.CGROUP); // after the parent placed the child, below
            if (!fresh.isEmpty()) {
                program.add(new ChildOp.Unshare(fresh));
            }
            unsharedPid = fresh.contains(Namespace.PID);
        }
        if (plan.joinNamespaces().containsKey(Namespace.PID) || unsharedPid) {
            // unshare and setns move only the children into a PID namespace: the init is the grandchild.
            program.add(new ChildOp.EnterPidNamespace());
        }
        if (plan.newNamespaces().contains(Namespace.USER) || plan.joinNamespaces().containsKey(Namespace.USER)) {
            // Writing the id maps does not change the child's own ids: until it sets them it is the
            // unmapped overflow user in its namespace and cannot create files. Become the namespace's root.
            program.add(new ChildOp.SetGid(0));
            program.add(new ChildOp.SetUid(0));
        }
        if (plan.newNamespaces().contains(Namespace.CGROUP)) {
            program.add(new ChildOp.Unshare(Set.of(Namespace.CGROUP)));
        }
        program.addAll(plan.setup());
        return program;
    }

    private static boolean joinsUserNamespace(LaunchPlan plan) {
        return plan.joinNamespaces().containsKey(Namespace.USER);
    }

    private static int joinOrder(Namespace ns) {
        return ns == Namespace.USER ? 0 : ns == Namespace.MOUNT ? 2 : 1;
    }

    /** Mount ops outside a private mount namespace would change the host's mounts. */
    private static void checkMountsAreContained(LaunchPlan plan) {
        if (plan.newNamespaces().contains(Namespace.MOUNT) || plan.joinNamespaces().containsKey(Namespace.MOUNT)) {
            return;
        }
        for (ChildOp op : plan.setup()) {
            ChildOp inner = op instanceof ChildOp.IfExists ? ((ChildOp.IfExists) op).op() : op;
            if (inner instanceof ChildOp.Mount || inner instanceof ChildOp.Bind || inner instanceof ChildOp.Remount
                    || inner instanceof ChildOp.PivotRoot || inner instanceof ChildOp.MaskPath) {
                throw new IllegalArgumentException("setup step \"" + op.step() + "\" changes mounts but the plan has no"
                        + " new or joined mount namespace: add Namespace.MOUNT so the host's mounts stay untouched");
            }
        }
    }

    /** A terminal step needs a console socket and the reverse; one terminal per process. */
    private static void checkTerminal(LaunchPlan plan) {
        long terminals = plan.setup().stream().filter(ChildOp.SetupTerminal.class::isInstance).count();
        if (terminals > 1) {
            throw new IllegalArgumentException("setup has " + terminals + " terminal steps: a process gets one terminal");
        }
        if (terminals == 1 && plan.consoleSocketFd() == LaunchPlan.NO_CONSOLE) {
            throw new IllegalArgumentException("setup step \"set up the terminal\" has nowhere to send the pty master:"
                    + " set the plan's consoleSocketFd (CONSOLE_PAIR in the library, Console.connect(path) for"
                    + " --console-socket)");
        }
        if (terminals == 0 && plan.consoleSocketFd() != LaunchPlan.NO_CONSOLE) {
            throw new IllegalArgumentException("the plan has a console socket but no terminal step: add"
                    + " ChildOp.SetupTerminal (ProcessSetup.prepare with a Terminal) or use NO_CONSOLE");
        }
    }

    private static void closeOwned(NativeLibrary nl, int a, int b) {
        for (int fd : new int[] {a, b}) {
            if (fd >= 0) {
                nl.lib.berth_close(fd);
            }
        }
    }

    private static String cloneHint(int errno, LaunchPlan plan) {
        if (errno == Errno.EPERM) {
            return " (creating namespaces " + plan.newNamespaces() + " needs root or a user namespace)";
        }
        if (errno == Errno.EINVAL && plan.newNamespaces().contains(Namespace.USER)) {
            return " (a new user namespace cannot be combined with some flags here)";
        }
        return "";
    }

    private static void closeQuietly(NativeLibrary nl, int gateRead, int gateWrite, LaunchPlan plan) {
        if (plan.startGateFd() == LaunchPlan.GATE_PIPE) {
            nl.lib.berth_close(gateRead);
            nl.lib.berth_close(gateWrite);
        }
    }
}
