package io.berth.runtime.cli;

import java.util.concurrent.Callable;

import io.berth.runtime.container.ContainerJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Prints the OCI state JSON. */
@Command(name = "state", description = "Print a container's state as JSON.")
final class StateCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Parameters(index = "0", description = "container id")
    String id;

    @Override
    public Integer call() {
        System.out.println(ContainerJson.pretty(top.runtime(false).state(id)));
        return 0;
    }
}
