package io.berth.runtime.cli;

import java.nio.file.Path;

import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.linux.Stdio;
import picocli.CommandLine.Model.CommandSpec;

/** create + start + wait + delete; exits with the container's exit code, like {@code runc run}. */
final class RunCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "run", "Create and run a container, wait for it and delete it.");
        spec.addOption(Invocation.bundleOption());
        spec.addOption(Invocation.path("<pidFile>", "write the container's pid here", "--pid-file").build());
        spec.addOption(Invocation.flag("do not wait for the container", "-d", "--detach"));
        spec.addOption(Invocation.path("<consoleSocket>", "AF_UNIX socket that receives the terminal's master (process.terminal)", "--console-socket").build());
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) throws InterruptedException {
        String id = call.id();
        boolean detach = call.flag("--detach");
        Path bundle = call.option("--bundle");
        ContainerRuntime runtime = call.runtime(detach);
        Container c = runtime.create(id, bundle, Stdio.inherit(), call.option("--console-socket"));
        try {
            if (detach && c.terminal().isPresent()) {
                throw new CliException("process.terminal is true but no --console-socket was given: a detached container's terminal needs a socket to go to");
            }
            Thread relay = c.terminal().isPresent() ? TerminalRelay.start(c.terminal().get()) : null;
            PidFile.write(call.option("--pid-file"), c.pid());
            runtime.start(id);
            if (detach) {
                c.detach();
                return 0;
            }
            ExitResult exit = c.waitFor();
            if (relay != null) {
                relay.join(1000); // the output still in the pty reaches our stdout before we exit
            }
            if (exit.signal() != null) {
                System.err.println("berth-runtime: container " + id + " " + exit.describe());
            }
            return exit.exitCode();
        } finally {
            if (!detach) {
                runtime.delete(id, true);
            }
        }
    }
}
