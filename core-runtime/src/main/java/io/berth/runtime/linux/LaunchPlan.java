package io.berth.runtime.linux;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the child does, decided in Java before clone. The child creates
 * {@code newNamespaces} (a new CGROUP namespace is unshared right after "go", once the parent has
 * placed it in its cgroups), joins {@code joinNamespaces} (user first, mount last), runs
 * {@code setup} in order, waits at the start gate if there is one, and execs {@code argv} with
 * exactly {@code env}.
 *
 * @param shareMemory true: CLONE_VM (cheap at any heap size, for a long-lived JVM); false: a
 *                    fork-style copy that pins no memory of this JVM (a CLI that exits before start)
 * @param startGateFd {@link #NO_GATE}: exec right after setup; {@link #GATE_PIPE}: the launcher
 *                    makes a pipe and {@link ChildProcess#start()} releases it; else an fd the
 *                    child blocks reading one byte from before exec: an O_RDWR exec FIFO, released
 *                    by {@link ChildProcess#start()} writing into that same fd or by any other
 *                    process writing the FIFO (the CLI's {@code start}), who then skips start()
 * @param consoleSocketFd where a {@link ChildOp.SetupTerminal} step sends the pty master:
 *                    {@link #NO_CONSOLE} (the plan has no terminal); {@link #CONSOLE_PAIR}: the
 *                    launcher makes a socketpair and {@link ChildProcess#terminal()} holds the
 *                    master (the library); else a connected AF_UNIX stream socket, e.g. from
 *                    {@link Console#connect} on the caller's {@code --console-socket}, which the
 *                    caller owns and may close once {@link Launcher#launch} returned
 */
public record LaunchPlan(
        Set<Namespace> newNamespaces,
        Map<Namespace, Path> joinNamespaces,
        boolean shareMemory,
        List<ChildOp> setup,
        List<String> argv,
        List<String> env,
        Stdio stdio,
        int startGateFd,
        int consoleSocketFd) {

    public static final int NO_GATE = -1;
    public static final int GATE_PIPE = -2;
    public static final int NO_CONSOLE = -1;
    public static final int CONSOLE_PAIR = -2;
    /** PATH for finding argv[0] when env has none (runc's default). */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** The plan without a terminal (the shape every caller before terminals used). */
    public LaunchPlan(Set<Namespace> newNamespaces, Map<Namespace, Path> joinNamespaces, boolean shareMemory,
            List<ChildOp> setup, List<String> argv, List<String> env, Stdio stdio, int startGateFd) {
        this(newNamespaces, joinNamespaces, shareMemory, setup, argv, env, stdio, startGateFd, NO_CONSOLE);
    }

    public LaunchPlan {
        newNamespaces = newNamespaces.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(newNamespaces));
        joinNamespaces = Map.copyOf(joinNamespaces);
        setup = List.copyOf(setup);
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        Objects.requireNonNull(stdio, "stdio");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty: give the program to run as argv[0]");
        }
        for (Namespace ns : joinNamespaces.keySet()) {
            if (newNamespaces.contains(ns)) {
                throw new IllegalArgumentException("namespace " + ns + " is both new and joined: choose one");
            }
        }
        if (startGateFd < GATE_PIPE) {
            throw new IllegalArgumentException("startGateFd " + startGateFd + " is invalid: use NO_GATE, GATE_PIPE or an fd");
        }
        if (consoleSocketFd < CONSOLE_PAIR) {
            throw new IllegalArgumentException("consoleSocketFd " + consoleSocketFd
                    + " is invalid: use NO_CONSOLE, CONSOLE_PAIR or a connected socket's fd");
        }
        if (setup.stream().filter(op -> op instanceof ChildOp.Seccomp && ((ChildOp.Seccomp) op).beforeExec()).count() > 1) {
            throw new IllegalArgumentException("more than one seccomp filter is to be installed right before execve:"
                    + " give the process one profile");
        }
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("env entry \"" + e + "\" is not NAME=value");
            }
        }
    }

    /** The PATH value of {@link #env()}, or {@link #DEFAULT_PATH}. */
    public String pathEnv() {
        for (String e : env) {
            if (e.startsWith("PATH=")) {
                return e.substring(5);
            }
        }
        return DEFAULT_PATH;
    }

    /** A plan with no namespaces, no setup and no gate; adjust with the with* methods. */
    public static LaunchPlan of(List<String> argv, List<String> env, Stdio stdio) {
        return new LaunchPlan(Set.of(), Map.of(), true, List.of(), argv, env, stdio, NO_GATE);
    }

    public LaunchPlan withNewNamespaces(Set<Namespace> namespaces) {
        return new LaunchPlan(namespaces, joinNamespaces, shareMemory, setup, argv, env, stdio, startGateFd, consoleSocketFd);
    }

    public LaunchPlan withJoinNamespaces(Map<Namespace, Path> namespaces) {
        return new LaunchPlan(newNamespaces, namespaces, shareMemory, setup, argv, env, stdio, startGateFd, consoleSocketFd);
    }

    public LaunchPlan withShareMemory(boolean share) {
        return new LaunchPlan(newNamespaces, joinNamespaces, share, setup, argv, env, stdio, startGateFd, consoleSocketFd);
    }

    public LaunchPlan withSetup(List<ChildOp> ops) {
        return new LaunchPlan(newNamespaces, joinNamespaces, shareMemory, ops, argv, env, stdio, startGateFd, consoleSocketFd);
    }

    public LaunchPlan withStdio(Stdio s) {
        return new LaunchPlan(newNamespaces, joinNamespaces, shareMemory, setup, argv, env, s, startGateFd, consoleSocketFd);
    }

    public LaunchPlan withConsoleSocket(int fd) {
        return new LaunchPlan(newNamespaces, joinNamespaces, shareMemory, setup, argv, env, stdio, startGateFd, fd);
    }

    public LaunchPlan withStartGate(int fd) {
        return new LaunchPlan(newNamespaces, joinNamespaces, shareMemory, setup, argv, env, stdio, fd, consoleSocketFd);
    }
}
