package io.berth.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.berth.runtime.container.ContainerJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The container's processes: {@code --format json} is the pid array containerd reads. */
@Command(name = "ps", description = "List the processes running in a container.")
final class PsCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Option(names = {"-f", "--format"}, description = "table or json (default: ${DEFAULT-VALUE})", defaultValue = "table")
    String format;

    @Parameters(index = "0", description = "container id")
    String id;

    @Override
    public Integer call() {
        List<Integer> pids = top.runtime(false).pids(id);
        if (format.equals("json")) {
            System.out.println(ContainerJson.compact(pids));
            return 0;
        }
        if (!format.equals("table")) {
            throw new CliException("unknown --format '" + format + "': use table or json");
        }
        System.out.printf("%-8s %s%n", "PID", "CMD");
        for (int pid : pids) {
            System.out.printf("%-8d %s%n", pid, commandLine(pid));
        }
        return 0;
    }

    private static String commandLine(int pid) {
        try {
            String cmd = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"))).replace('\0', ' ').trim();
            return cmd.isEmpty() ? "[" + Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).trim() + "]" : cmd;
        } catch (IOException e) {
            return "(exited)";
        }
    }
}
