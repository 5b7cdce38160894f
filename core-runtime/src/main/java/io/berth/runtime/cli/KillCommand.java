package io.berth.runtime.cli;

import java.util.concurrent.Callable;

import io.berth.runtime.linux.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "kill", description = "Send a signal (default SIGTERM) to a container's init process.")
final class KillCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Option(names = {"-a", "--all"}, description = "signal every process in the container's cgroup")
    boolean all;

    @Parameters(index = "0", description = "container id")
    String id;

    @Parameters(index = "1", arity = "0..1", description = "signal: name (TERM, SIGKILL) or number (default: SIGTERM)", defaultValue = "SIGTERM")
    String signal;

    @Override
    public Integer call() {
        top.runtime(false).kill(id, Signals.number(signal), all);
        return 0;
    }
}
