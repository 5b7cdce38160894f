package io.berth.runtime.cli;

import io.berth.runtime.linux.Signals;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

final class KillCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "kill", "Send a signal (default SIGTERM) to a container's init process.");
        spec.addOption(Invocation.flag("signal every process in the container's cgroup", "-a", "--all"));
        spec.addPositional(Invocation.idParameter());
        spec.addPositional(PositionalParamSpec.builder().index("1").arity("0..1").paramLabel("<signal>")
                .description("signal: name (TERM, SIGKILL) or number (default: SIGTERM)").defaultValue("SIGTERM").build());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        String signal = call.positional(1);
        call.runtime(false).kill(call.id(), Signals.number(signal), call.flag("--all"));
        return 0;
    }
}
