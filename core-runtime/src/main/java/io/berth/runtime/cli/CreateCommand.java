package io.berth.runtime.cli;

import java.nio.file.Path;

import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.linux.Stdio;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Creates a container that waits before exec until {@code start}; this process then exits and the
 * container outlives it. The child is cloned fork-style so it pins none of this JVM's memory.
 */
final class CreateCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "create", "Create a container; it waits for 'start'.");
        spec.addOption(Invocation.bundleOption());
        spec.addOption(Invocation.path("<pidFile>", "write the container's pid here", "--pid-file").build());
        spec.addOption(Invocation.path("<consoleSocket>", "AF_UNIX socket that receives the terminal's master (process.terminal)", "--console-socket").build());
        spec.addOption(Invocation.flag("accepted for runc compatibility; Berth always uses pivot_root, which is stricter", "--no-pivot"));
        spec.addOption(Invocation.flag("accepted for runc compatibility; Berth never creates a session keyring", "--no-new-keyring"));
        spec.addOption(OptionSpec.builder("--preserve-fds").type(int.class).paramLabel("<preserveFds>")
                .description("pass N extra fds (from 3) to the container (only 0 is supported)").defaultValue("0").build());
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        int preserveFds = call.option("--preserve-fds");
        if (preserveFds != 0) {
            throw new CliException("--preserve-fds " + preserveFds + " is not supported by berth-runtime yet: pass data through stdio or mounts");
        }
        String id = call.id();
        ContainerRuntime runtime = call.runtime(true);
        Path bundle = call.option("--bundle");
        Container c = runtime.create(id, bundle, Stdio.inherit(), call.option("--console-socket"));
        if (c.terminal().isPresent()) {
            // Nobody would ever read it once this process exits (runc refuses this too).
            runtime.delete(id, true);
            throw new CliException("process.terminal is true but no --console-socket was given: create detaches, so the terminal needs a socket to go to");
        }
        PidFile.write(call.option("--pid-file"), c.pid());
        c.detach();
        return 0;
    }
}
