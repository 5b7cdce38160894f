package io.berth.runtime.cli;

import io.berth.runtime.container.ContainerJson;
import picocli.CommandLine.Model.CommandSpec;

/** Prints the OCI state JSON. */
final class StateCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "state", "Print a container's state as JSON.");
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        System.out.println(ContainerJson.pretty(call.runtime(false).state(call.id())));
        return 0;
    }
}
