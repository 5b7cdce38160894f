package io.berth.runtime.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "pause", description = "Freeze every process of a running container.")
final class PauseCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Parameters(index = "0", description = "container id")
    String id;

    @Override
    public Integer call() {
        top.runtime(false).pause(id);
        return 0;
    }
}
