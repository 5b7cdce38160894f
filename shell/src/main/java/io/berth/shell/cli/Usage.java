package io.berth.shell.cli;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;

/** Help text, built from the commands' own declarations so that it cannot drift from them. */
public final class Usage {
    private Usage() {
    }

    public static void command(Command command, PrintWriter out) {
        out.println(command.getDescription());
        out.println();
        String help = command.getHelp();
        out.println("Usage: berth " + (help == null || help.isEmpty() ? command.getName() + " [options]" : help));
        if (!command.getAliases().isEmpty()) {
            out.println("Also: " + String.join(", ", command.getAliases()));
        }
        List<CommandOption> options = command.getOptions();
        if (!options.isEmpty()) {
            out.println();
            out.println("Options:");
            for (CommandOption o : options.stream().sorted(Comparator.comparing(CommandOption::longName)).toList()) {
                String names = (o.shortName() != ' ' ? "-" + o.shortName() + ", " : "    ") + "--" + o.longName()
                        + (BerthCommandParser.isBoolean(o) ? "" : " VALUE");
                String def = o.defaultValue() == null || o.defaultValue().isEmpty() ? "" : " (default " + o.defaultValue() + ")";
                out.printf("  %-26s %s%s%n", names, o.description() == null ? "" : o.description(), def);
            }
        }
        out.flush();
    }

    public static void all(CommandRegistry registry, PrintWriter out) {
        out.println("Berth console: manage the pods of a Berth daemon, as kubectl does.");
        out.println();
        out.println("Usage: berth                 open the interactive console");
        out.println("       berth COMMAND ...     run one command and exit with its status");
        out.println("       berth daemon          run the daemon");
        out.println("Global options (before the command): --kubeconfig FILE, --debug");
        Map<String, TreeMap<String, String>> groups = new TreeMap<>();
        for (Command c : registry.getCommands()) {
            if (!c.isHidden()) {
                groups.computeIfAbsent(c.getGroup(), g -> new TreeMap<>()).put(c.getName(), c.getDescription());
            }
        }
        for (Map.Entry<String, TreeMap<String, String>> g : groups.entrySet()) {
            out.println();
            out.println(g.getKey() + ":");
            g.getValue().forEach((name, description) -> out.printf("  %-18s %s%n", name, description));
        }
        out.println();
        out.println("`berth COMMAND --help` shows a command's options.");
        out.flush();
    }
}
