package io.berth.runtime.cli;

import java.util.List;
import java.util.concurrent.Callable;

import io.berth.runtime.container.ContainerJson;
import io.berth.runtime.container.OciState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "list", aliases = "ps-all", description = "List containers.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    BerthRuntime top;

    @Option(names = {"-f", "--format"}, description = "table or json (default: ${DEFAULT-VALUE})", defaultValue = "table")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "ids only")
    boolean quiet;

    @Override
    public Integer call() {
        List<OciState> states = top.runtime(false).list();
        if (format.equals("json")) {
            System.out.println(ContainerJson.compact(states));
        } else if (quiet) {
            states.forEach(s -> System.out.println(s.id()));
        } else {
            System.out.printf("%-24s %-8s %-9s %s%n", "ID", "PID", "STATUS", "BUNDLE");
            states.forEach(s -> System.out.printf("%-24s %-8d %-9s %s%n", s.id(), s.pid(), s.status().json(), s.bundle()));
        }
        return 0;
    }
}
