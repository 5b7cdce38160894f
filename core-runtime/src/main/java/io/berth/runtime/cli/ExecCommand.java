package io.berth.runtime.cli;

import java.nio.file.Path;
import java.util.List;

import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ExecProcess;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.ProcessSpecBuilder;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Runs a process in a running container, as {@code runc exec}: from {@code --process FILE} (what
 * containerd passes), or from the container's own process with the command and overrides given here.
 */
final class ExecCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "exec", "Execute a new process inside a running container.");
        spec.addOption(Invocation.path("<processFile>", "process.json (an OCI process object)", "-p", "--process").build());
        spec.addOption(Invocation.flag("do not wait for the process", "-d", "--detach"));
        spec.addOption(Invocation.path("<pidFile>", "write the process's pid here", "--pid-file").build());
        spec.addOption(Invocation.flag("allocate a terminal", "-t", "--tty"));
        spec.addOption(Invocation.path("<consoleSocket>", "AF_UNIX socket that receives the terminal's master", "--console-socket").build());
        spec.addOption(OptionSpec.builder("-e", "--env").type(List.class).auxiliaryTypes(String.class).arity("1").paramLabel("<env>")
                .description("add NAME=value to the environment").build());
        spec.addOption(Invocation.string("<cwd>", "working directory inside the container", "--cwd").build());
        spec.addOption(Invocation.string("<user>", "uid[:gid]", "-u", "--user").build());
        spec.addPositional(Invocation.idParameter());
        spec.addPositional(PositionalParamSpec.builder().index("1..*").arity("0..*").type(List.class).auxiliaryTypes(String.class)
                .paramLabel("<command>").description("command and arguments (unless --process)").build());
        // Like runc: everything after the container id belongs to the command ("exec ID sh -c ...").
        spec.parser().stopAtPositional(true);
        return spec;
    }

    @Override
    public int run(Invocation call) throws InterruptedException {
        String id = call.id();
        boolean detach = call.flag("--detach");
        Path consoleSocket = call.option("--console-socket");
        ContainerRuntime runtime = call.runtime(detach);
        Spec.Process process = process(call, runtime);
        if (detach && process.terminal() && consoleSocket == null) {
            throw new CliException("a terminal was asked for but no --console-socket was given: a detached process's terminal needs a socket to go to");
        }
        ExecProcess p = runtime.exec(id, process, Stdio.inherit(), detach, consoleSocket);
        PidFile.write(call.option("--pid-file"), p.pid());
        if (detach) {
            return 0; // this process exits; the exec'd one is reparented (containerd's shim reaps it)
        }
        try (p) {
            Thread relay = p.terminal().isPresent() ? TerminalRelay.start(p.terminal().get()) : null;
            ExitResult exit = p.waitFor();
            if (relay != null) {
                relay.join(1000);
            }
            return exit.exitCode();
        }
    }

    private static Spec.Process process(Invocation call, ContainerRuntime runtime) {
        Path processFile = call.option("--process");
        List<String> command = call.positionalList(1);
        if (processFile != null) {
            if (!command.isEmpty()) {
                throw new CliException("give either --process or a command, not both");
            }
            return SpecJson.readProcess(processFile);
        }
        if (command.isEmpty()) {
            throw new CliException("exec needs a command (or --process FILE)");
        }
        Spec.Process base = SpecJson.read(Path.of(runtime.state(call.id()).bundle(), "config.json")).process();
        // The container's own process with this exec's overrides, as runc exec builds it; an
        // --env NAME that the container already sets replaces it (runc: the last one wins), so
        // the environment never holds the name twice.
        ProcessSpecBuilder process = base.toBuilder().args(command).terminal(call.flag("--tty"));
        try {
            for (String entry : call.list("--env")) {
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new CliException("--env '" + entry + "' is not NAME=value: give e.g. --env PATH=/bin");
                }
                process.env(entry.substring(0, eq), entry.substring(eq + 1));
            }
            String cwd = call.option("--cwd");
            if (cwd != null) {
                process.cwd(cwd);
            }
            String user = call.option("--user");
            if (user != null) {
                process.user(number(user, user.split(":", 2)[0]), user.contains(":") ? number(user, user.split(":", 2)[1]) : 0);
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        return process.build();
    }

    private static long number(String user, String part) {
        try {
            return Long.parseLong(part);
        } catch (NumberFormatException e) {
            throw new CliException("--user '" + user + "' is not uid[:gid] with numbers");
        }
    }
}
