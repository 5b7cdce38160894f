package io.berth.runtime.cli;

import java.util.List;

import io.berth.runtime.container.ContainerJson;
import io.berth.runtime.container.OciState;
import picocli.CommandLine.Model.CommandSpec;

final class ListCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "list", "List containers.").aliases("ps-all");
        spec.addOption(Invocation.string("<format>", "table or json (default: ${DEFAULT-VALUE})", "-f", "--format").defaultValue("table").build());
        spec.addOption(Invocation.flag("ids only", "-q", "--quiet"));
        return spec;
    }

    @Override
    public int run(Invocation call) {
        List<OciState> states = call.runtime(false).list();
        if (call.<String>option("--format").equals("json")) {
            System.out.println(ContainerJson.compact(states));
        } else if (call.flag("--quiet")) {
            for (OciState s : states) {
                System.out.println(s.id());
            }
        } else {
            System.out.printf("%-24s %-8s %-9s %s%n", "ID", "PID", "STATUS", "BUNDLE");
            for (OciState s : states) {
                System.out.printf("%-24s %-8d %-9s %s%n", s.id(), s.pid(), s.status().json(), s.bundle());
            }
        }
        return 0;
    }
}
