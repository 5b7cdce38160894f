package io.berth.runtime.cli;

import io.berth.runtime.container.ContainerNotFoundException;
import picocli.CommandLine.Model.CommandSpec;

final class DeleteCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "delete", "Delete a stopped container (--force: kill it first).");
        spec.addOption(Invocation.flag("kill a running container, then delete it", "-f", "--force"));
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        boolean force = call.flag("--force");
        try {
            call.runtime(false).delete(call.id(), force);
        } catch (ContainerNotFoundException e) {
            // As runc: --force means "make sure it is gone", and it is (containerd relies on this).
            if (!force) {
                throw e;
            }
        }
        return 0;
    }
}
