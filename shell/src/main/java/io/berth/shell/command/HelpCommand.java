package io.berth.shell.command;

import java.util.List;

import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.cli.Usage;

/** {@code help [COMMAND]}: the list of commands, or one command's usage and options. */
public class HelpCommand {
    private final Console console;

    public HelpCommand(Console console) {
        this.console = console;
    }

    @Command(name = "help", group = "Console", description = "List the commands, or show one command's options",
            help = "help [COMMAND]")
    public void help(@Arguments List<String> words, CommandContext context) {
        CommandRegistry registry = context.commandRegistry();
        if (words.isEmpty()) {
            Usage.all(registry, console.out());
            return;
        }
        String name = String.join(" ", words);
        org.springframework.shell.core.command.Command command = registry.getCommandByName(name);
        if (command == null) {
            throw ConsoleException.usage("no command '" + name + "': `berth help` lists the commands");
        }
        Usage.command(command, console.out());
    }
}
