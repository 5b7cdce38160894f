package io.berth.runtime.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "resume", description = "Thaw a paused container.")
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Parameters(index = "0", description = "container id")
    String id;

    @Override
    public Integer call() {
        top.runtime(false).resume(id);
        return 0;
    }
}
