package io.berth.shell.cli;

import java.util.List;

import org.springframework.shell.core.InputReader;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ParsedInput;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Failures;

/**
 * Runs one command line the same way in both modes: parse, help, call the command, and turn any
 * failure into one line on the error stream and an exit status.
 */
public class Dispatcher {
    private final CommandRegistry registry;
    private final BerthCommandParser parser;
    private final Console console;

    public Dispatcher(CommandRegistry registry, BerthCommandParser parser, Console console) {
        this.registry = registry;
        this.parser = parser;
        this.console = console;
    }

    /** @return the exit status: 0 when the command worked */
    public int execute(List<String> words, InputReader input) {
        try {
            ParsedInput parsed = parser.parse(words);
            String name = parsed.subCommands().isEmpty() ? parsed.commandName()
                    : parsed.commandName() + " " + String.join(" ", parsed.subCommands());
            Command command = registry.getCommandByName(name);
            if (BerthCommandParser.wantsHelp(parsed)) {
                Usage.command(command, console.out());
                return 0;
            }
            command.execute(new CommandContext(parsed, registry, console.out(), input));
            console.out().flush();
            return 0;
        } catch (Exception e) {
            console.out().flush();
            if (Thread.currentThread().isInterrupted()) {
                // Ctrl-C: the user knows why it stopped; 130 as a shell reports SIGINT.
                console.err().println();
                console.err().flush();
                return 130;
            }
            ConsoleException failure = failure(e);
            if (console.debug()) {
                e.printStackTrace(console.err());
            }
            if (failure.getMessage() != null) {
                console.err().println(console.colors().red("error:") + " " + failure.getMessage());
            }
            console.err().flush();
            return failure.exitCode();
        }
    }

    static ConsoleException failure(Throwable e) {
        ConsoleException known = Failures.find(e, ConsoleException.class);
        if (known != null) {
            return known;
        }
        // Spring's conversion of an option value ("--tail abc")
        org.springframework.core.convert.ConversionException conversion =
                Failures.find(e, org.springframework.core.convert.ConversionException.class);
        if (conversion != null) {
            Throwable root = conversion;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return ConsoleException.usage("bad option value (" + Failures.oneLine(root.getMessage()) + "): see the command's --help");
        }
        IllegalArgumentException illegal = Failures.find(e, IllegalArgumentException.class);
        if (illegal != null && illegal.getMessage() != null && illegal.getMessage().startsWith("Required option")) {
            return ConsoleException.usage(illegal.getMessage().replace("Required option", "the option").replace(" is missing.", " is required")
                    + ": see the command's --help");
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new ConsoleException("the command failed: " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + Failures.oneLine(root.getMessage()))
                + " (run again with --debug for the details)", e);
    }
}
