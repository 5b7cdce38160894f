package io.berth.runtime.cli;

import picocli.CommandLine.Model.CommandSpec;

final class PauseCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "pause", "Freeze every process of a running container.");
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        call.runtime(false).pause(call.id());
        return 0;
    }
}
