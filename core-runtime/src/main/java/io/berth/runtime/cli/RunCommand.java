package io.berth.runtime.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.container.ExitResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** create + start + wait + delete; exits with the container's exit code, like {@code runc run}. */
@Command(name = "run", description = "Create and run a container, wait for it and delete it.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Option(names = {"-b", "--bundle"}, description = "bundle directory (default: current directory)", defaultValue = ".")
    Path bundle;

    @Option(names = "--pid-file", description = "write the container's pid here")
    Path pidFile;

    @Option(names = {"-d", "--detach"}, description = "do not wait for the container")
    boolean detach;

    @Option(names = "--console-socket", description = "AF_UNIX socket that receives the terminal's master (process.terminal)")
    Path consoleSocket;

    @Parameters(index = "0", description = "container id")
    String id;

    @Override
    public Integer call() throws InterruptedException {
        ContainerRuntime runtime = top.runtime(detach);
        Container c = runtime.create(id, bundle, Stdio.inherit(), consoleSocket);
        try {
            if (detach && c.terminal().isPresent()) {
                throw new CliException("process.terminal is true but no --console-socket was given: a detached container's terminal needs a socket to go to");
            }
            Thread relay = c.terminal().map(TerminalRelay::start).orElse(null);
            PidFile.write(pidFile, c.pid());
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
