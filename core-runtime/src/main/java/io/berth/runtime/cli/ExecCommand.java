package io.berth.runtime.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ExecProcess;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Runs a process in a running container, as {@code runc exec}: from {@code --process FILE} (what
 * containerd passes), or from the container's own process with the command and overrides given here.
 */
@Command(name = "exec", description = "Execute a new process inside a running container.")
final class ExecCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Option(names = {"-p", "--process"}, description = "process.json (an OCI process object)")
    Path processFile;

    @Option(names = {"-d", "--detach"}, description = "do not wait for the process")
    boolean detach;

    @Option(names = "--pid-file", description = "write the process's pid here")
    Path pidFile;

    @Option(names = {"-t", "--tty"}, description = "allocate a terminal")
    boolean tty;

    @Option(names = "--console-socket", description = "AF_UNIX socket that receives the terminal's master")
    Path consoleSocket;

    @Option(names = {"-e", "--env"}, description = "add NAME=value to the environment")
    List<String> env = new ArrayList<>();

    @Option(names = "--cwd", description = "working directory inside the container")
    String cwd;

    @Option(names = {"-u", "--user"}, description = "uid[:gid]")
    String user;

    @Parameters(index = "0", description = "container id")
    String id;

    @Parameters(index = "1..*", description = "command and arguments (unless --process)")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        ContainerRuntime runtime = top.runtime(detach);
        Spec.Process process = process(runtime);
        if (detach && process.terminal() && consoleSocket == null) {
            throw new CliException("a terminal was asked for but no --console-socket was given: a detached process's terminal needs a socket to go to");
        }
        ExecProcess p = runtime.exec(id, process, Stdio.inherit(), detach, consoleSocket);
        PidFile.write(pidFile, p.pid());
        if (detach) {
            return 0; // this process exits; the exec'd one is reparented (containerd's shim reaps it)
        }
        try (p) {
            Thread relay = p.terminal().map(TerminalRelay::start).orElse(null);
            ExitResult exit = p.waitFor();
            if (relay != null) {
                relay.join(1000);
            }
            return exit.exitCode();
        }
    }

    private Spec.Process process(ContainerRuntime runtime) {
        if (processFile != null) {
            if (!command.isEmpty()) {
                throw new CliException("give either --process or a command, not both");
            }
            return SpecJson.readProcess(processFile);
        }
        if (command.isEmpty()) {
            throw new CliException("exec needs a command (or --process FILE)");
        }
        Spec.Process base = SpecJson.read(Path.of(runtime.state(id).bundle(), "config.json")).process();
        List<String> allEnv = new ArrayList<>(base.env());
        allEnv.addAll(env);
        Spec.User u = base.user();
        if (user != null) {
            String[] parts = user.split(":", 2);
            try {
                u = new Spec.User(Long.parseLong(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : 0, u.umask(), List.of(), null);
            } catch (NumberFormatException e) {
                throw new CliException("--user '" + user + "' is not uid[:gid] with numbers");
            }
        }
        return new Spec.Process(tty, null, u, command, null, allEnv, cwd == null ? base.cwd() : cwd,
                base.capabilities(), base.rlimits(), base.noNewPrivileges(), base.apparmorProfile(), base.oomScoreAdj(),
                base.selinuxLabel(), base.ioPriority(), base.scheduler(), base.execCpuAffinity());
    }
}
