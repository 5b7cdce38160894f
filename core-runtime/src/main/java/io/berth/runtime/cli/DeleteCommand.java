package io.berth.runtime.cli;

import java.util.concurrent.Callable;

import io.berth.runtime.container.ContainerNotFoundException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "delete", description = "Delete a stopped container (--force: kill it first).")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Option(names = {"-f", "--force"}, description = "kill a running container, then delete it")
    boolean force;

    @Parameters(index = "0", description = "container id")
    String id;

    @Override
    public Integer call() {
        try {
            top.runtime(false).delete(id, force);
        } catch (ContainerNotFoundException e) {
            // As runc: --force means "make sure it is gone", and it is (containerd relies on this).
            if (!force) {
                throw e;
            }
        }
        return 0;
    }
}
