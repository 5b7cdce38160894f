package io.berth.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.berth.runtime.container.ContainerJson;
import picocli.CommandLine.Model.CommandSpec;

/** The container's processes: {@code --format json} is the pid array containerd reads. */
final class PsCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "ps", "List the processes running in a container.");
        spec.addOption(Invocation.string("<format>", "table or json (default: ${DEFAULT-VALUE})", "-f", "--format").defaultValue("table").build());
        spec.addPositional(Invocation.idParameter());
        return spec;
    }

    @Override
    public int run(Invocation call) {
        String format = call.option("--format");
        List<Integer> pids = call.runtime(false).pids(call.id());
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
