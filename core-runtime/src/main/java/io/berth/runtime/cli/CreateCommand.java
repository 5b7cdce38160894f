package io.berth.runtime.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.linux.Stdio;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Creates a container that waits before exec until {@code start}; this process then exits and the
 * container outlives it. The child is cloned fork-style so it pins none of this JVM's memory.
 */
@Command(name = "create", description = "Create a container; it waits for 'start'.")
final class CreateCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Option(names = {"-b", "--bundle"}, description = "bundle directory (default: current directory)", defaultValue = ".")
    Path bundle;

    @Option(names = "--pid-file", description = "write the container's pid here")
    Path pidFile;

    @Option(names = "--console-socket", description = "AF_UNIX socket that receives the terminal's master (process.terminal)")
    Path consoleSocket;

    @Option(names = "--no-pivot", description = "accepted for runc compatibility; Berth always uses pivot_root, which is stricter")
    boolean noPivot;

    @Option(names = "--no-new-keyring", description = "accepted for runc compatibility; Berth never creates a session keyring")
    boolean noNewKeyring;

    @Option(names = "--preserve-fds", description = "pass N extra fds (from 3) to the container (only 0 is supported)", defaultValue = "0")
    int preserveFds;

    @Parameters(index = "0", description = "container id")
    String id;

    @Override
    public Integer call() {
        if (preserveFds != 0) {
            throw new CliException("--preserve-fds " + preserveFds + " is not supported by berth-runtime yet: pass data through stdio or mounts");
        }
        ContainerRuntime runtime = top.runtime(true);
        Container c = runtime.create(id, bundle, Stdio.inherit(), consoleSocket);
        if (c.terminal().isPresent()) {
            // Nobody would ever read it once this process exits (runc refuses this too).
            runtime.delete(id, true);
            throw new CliException("process.terminal is true but no --console-socket was given: create detaches, so the terminal needs a socket to go to");
        }
        PidFile.write(pidFile, c.pid());
        c.detach();
        return 0;
    }
}
