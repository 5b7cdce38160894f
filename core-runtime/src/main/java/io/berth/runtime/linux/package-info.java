/**
 * Starting a process in new namespaces from the JVM (DESIGN.md "How a container starts").
 *
 * <p>Java decides everything and lays it out as a {@link io.berth.runtime.linux.LaunchPlan}: the
 * namespaces, an ordered list of {@link io.berth.runtime.linux.ChildOp}s, argv, env, stdio and
 * the start gate. {@link io.berth.runtime.linux.Launcher#launch} writes the plan into native
 * memory and calls C's {@code berth_spawn}, which clones a child that runs only the small C
 * interpreter in {@code src/main/c/berth_child.c}. The handshake, step by step:
 * <ol>
 * <li>clone (signals blocked around it; CLONE_VM or fork-style; CLONE_PIDFD gives the pidfd);</li>
 * <li>the child resets every signal handler and its mask, puts stdio on 0-2 and its pipes on 3-5,
 *     closes every other fd, and blocks for "go";</li>
 * <li>the caller places {@link io.berth.runtime.linux.ChildProcess#pid()} in its cgroups and writes
 *     uid/gid maps, then {@link io.berth.runtime.linux.ChildProcess#proceed()} says go;</li>
 * <li>the child joins namespaces, becomes root of its user namespace if any, unshares the cgroup
 *     namespace if asked, and runs the ops; a failed op comes back as {step, errno} and becomes a
 *     {@link io.berth.runtime.linux.ChildSetupException} naming the step;</li>
 * <li>READY: proceed() returns; with a start gate the child blocks on it until
 *     {@link io.berth.runtime.linux.ChildProcess#start()} (or another process writing the exec
 *     FIFO);</li>
 * <li>execve; EOF on the CLOEXEC error pipe confirms it and the native plan is freed;</li>
 * <li>{@link io.berth.runtime.linux.ChildProcess#waitFor()} reaps through the pidfd;
 *     {@link io.berth.runtime.linux.ChildProcess#close()} kills and reaps anything left.</li>
 * </ol>
 *
 * <p>{@link io.berth.runtime.linux.RootfsSetup} and {@link io.berth.runtime.linux.ProcessSetup}
 * hold the knowledge of which ops make a container: typical use is
 * <pre>{@code
 * List<ChildOp> ops = new ArrayList<>(RootfsSetup.prepare(rootfs, false, RootfsSetup.defaultMounts(),
 *         RootfsSetup.DEFAULT_MASKED_PATHS, RootfsSetup.DEFAULT_READONLY_PATHS, "web-1", true, false, null));
 * ops.addAll(ProcessSetup.prepare(user, caps, true, rlimits, "/", argv, pathFromEnv));
 * LaunchPlan plan = new LaunchPlan(namespaces, Map.of(), true, ops, argv, env, stdio, LaunchPlan.GATE_PIPE);
 * try (ChildProcess c = Launcher.launch(plan)) {
 *     cgroups.place(c.pid());
 *     c.proceed();   // set up, waiting at the gate
 *     c.start();     // exec confirmed
 *     ExitStatus s = c.waitFor();
 * }
 * }</pre>
 *
 * <p>{@code process.terminal} (runc's console-socket contract): pass a {@link
 * io.berth.runtime.linux.ProcessSetup.Terminal} to {@code ProcessSetup.prepare}, which places a
 * {@link io.berth.runtime.linux.ChildOp.SetupTerminal} step first (after pivot_root or the joins,
 * before rlimits and credentials), and give the plan a console socket: {@code
 * plan.withConsoleSocket(LaunchPlan.CONSOLE_PAIR)} in the library, after which
 * {@link io.berth.runtime.linux.ChildProcess#terminal()} holds the pty master once {@code proceed()}
 * returned; or {@code plan.withConsoleSocket(Console.connect(path))} for the CLI's
 * {@code --console-socket PATH}, where whoever listens on PATH (containerd's shim, or a
 * {@link io.berth.runtime.linux.ConsoleSocket}) receives it. {@link Launcher#launch} refuses a
 * terminal step without a socket and the reverse.
 */
package io.berth.runtime.linux;
