package io.berth.runtime.cli;

import picocli.CommandLine.Model.CommandSpec;

final class ResumeCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "resume", "Thaw a paused container.");
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        call.runtime(false).resume(call.id());
        return 0;
    }
}
