package io.berth.runtime.cli;

import picocli.CommandLine.Model.CommandSpec;

final class StartCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "start", "Start a created container.");
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        call.runtime(false).start(call.id());
        return 0;
    }
}
