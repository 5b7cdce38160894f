package io.berth.shell.cli;

import java.util.List;

import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ParsedInput;

import io.berth.shell.ConsoleException;

/**
 * Parses words into a command call as kubectl (pflag) does, which Spring Shell's own parser does
 * not: it splits a line on blanks ignoring single quotes, reads a boolean option's type only for
 * one-word commands (so {@code get pods -w} asked for a value), and has no {@code -it}.
 *
 * <ul>
 *   <li>the command is the longest run of words naming a registered command or alias
 *       ({@code get pods}, {@code get po});
 *   <li>{@code --name=value}, {@code --name value}, {@code -o value}, {@code -ovalue}; a boolean
 *       option takes no value ({@code -w}, {@code --rm}) and short booleans combine ({@code -it});
 *   <li>an option that takes a value takes the next word whatever it looks like ({@code -f -});
 *   <li>after {@code --} every word is an argument; the {@code --} itself is kept as an argument,
 *       so that a command taking a container command ({@code run x -- sh -c 'echo hi'}) can tell
 *       its own arguments from the container's;
 *   <li>an option the command does not declare is a usage error naming the command's help.
 * </ul>
 *
 * Each option is recorded under both its long and short name, so a command can read it by either.
 */
public class BerthCommandParser implements CommandParser {
    /** The argument that separates a command's own arguments from a container command. */
    public static final String SEPARATOR = "--";

    private final CommandRegistry registry;

    public BerthCommandParser(CommandRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ParsedInput parse(String input) {
        return parse(Words.split(input));
    }

    public ParsedInput parse(List<String> words) {
        if (words.isEmpty()) {
            throw ConsoleException.usage("no command given: run `berth help` for the list of commands");
        }
        ParsedInput.Builder builder = ParsedInput.builder().commandName(words.get(0));
        String name = words.get(0);
        int next = 1;
        while (next < words.size() && namesCommand(name + " " + words.get(next))) {
            builder.addSubCommand(words.get(next));
            name = name + " " + words.get(next);
            next++;
        }
        Command command = registry.getCommandByName(name);
        if (command == null) {
            boolean kindGiven = next < words.size() && !words.get(next).startsWith("-");
            throw unknownCommand(kindGiven ? name + " " + words.get(next) : name);
        }
        int argumentIndex = 0;
        for (int i = next; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals(SEPARATOR)) {
                for (int j = i; j < words.size(); j++) {
                    builder.addArgument(new CommandArgument(argumentIndex++, words.get(j)));
                }
                break;
            }
            if (word.startsWith("--")) {
                String body = word.substring(2);
                int eq = body.indexOf('=');
                String longName = eq < 0 ? body : body.substring(0, eq);
                if (longName.equals("help")) {
                    builder.addOption(help());
                    continue;
                }
                CommandOption declared = byLong(command, longName);
                if (eq >= 0) {
                    builder.addOption(with(declared, body.substring(eq + 1)));
                } else if (isBoolean(declared)) {
                    builder.addOption(with(declared, "true"));
                } else if (i + 1 < words.size()) {
                    builder.addOption(with(declared, words.get(++i)));
                } else {
                    throw ConsoleException.usage("option --" + longName + " needs a value: " + usage(command));
                }
            } else if (word.startsWith("-") && word.length() > 1) {
                // -it, -w, -o json, -ojson, -o=json
                for (int k = 1; k < word.length(); k++) {
                    char shortName = word.charAt(k);
                    if (shortName == 'h' && word.length() == 2 && byShortOrNull(command, 'h') == null) {
                        builder.addOption(help());
                        break;
                    }
                    CommandOption declared = byShort(command, shortName, word);
                    if (isBoolean(declared)) {
                        builder.addOption(with(declared, "true"));
                        continue;
                    }
                    String rest = word.substring(k + 1);
                    if (rest.startsWith("=")) {
                        rest = rest.substring(1);
                    }
                    if (!rest.isEmpty()) {
                        builder.addOption(with(declared, rest));
                    } else if (i + 1 < words.size()) {
                        builder.addOption(with(declared, words.get(++i)));
                    } else {
                        throw ConsoleException.usage("option -" + shortName + " needs a value: " + usage(command));
                    }
                    break;
                }
            } else {
                builder.addArgument(new CommandArgument(argumentIndex++, word));
            }
        }
        return builder.build();
    }

    private boolean namesCommand(String candidate) {
        String prefix = candidate + " ";
        for (Command c : registry.getCommands()) {
            if (c.isHidden()) {
                continue;
            }
            if (c.getName().equals(candidate) || c.getName().startsWith(prefix)) {
                return true;
            }
            for (String alias : c.getAliases()) {
                if (alias.equals(candidate) || alias.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    private ConsoleException unknownCommand(String name) {
        String first = name.split(" ")[0];
        List<String> under = registry.getCommands().stream()
                .filter(c -> !c.isHidden() && c.getName().startsWith(first + " "))
                .map(Command::getName).sorted().toList();
        if (!under.isEmpty() && !name.equals(first)) {
            return ConsoleException.usage("unknown command '" + name + "': " + first + " takes one of "
                    + String.join(", ", under.stream().map(n -> n.substring(first.length() + 1)).toList()));
        }
        if (!under.isEmpty()) {
            return ConsoleException.usage("'" + first + "' needs one of: " + String.join(", ", under));
        }
        return ConsoleException.usage("unknown command '" + name + "': run `berth help` for the list of commands");
    }

    private static String usage(Command command) {
        return "see `berth " + command.getName() + " --help`";
    }

    private static CommandOption byLong(Command command, String longName) {
        for (CommandOption o : command.getOptions()) {
            if (longName.equals(o.longName())) {
                return o;
            }
        }
        throw ConsoleException.usage("unknown option --" + longName + " for '" + command.getName() + "': " + usage(command));
    }

    private static CommandOption byShortOrNull(Command command, char shortName) {
        for (CommandOption o : command.getOptions()) {
            if (o.shortName() == shortName) {
                return o;
            }
        }
        return null;
    }

    private static CommandOption byShort(Command command, char shortName, String word) {
        CommandOption o = byShortOrNull(command, shortName);
        if (o == null) {
            throw ConsoleException.usage("unknown option -" + shortName + (word.length() > 2 ? " (in " + word + ")" : "")
                    + " for '" + command.getName() + "': " + usage(command));
        }
        return o;
    }

    static boolean isBoolean(CommandOption o) {
        return o.type() == boolean.class || o.type() == Boolean.class;
    }

    private static CommandOption with(CommandOption declared, String value) {
        return CommandOption.with().shortName(declared.shortName()).longName(declared.longName())
                .type(declared.type()).value(value).build();
    }

    private static CommandOption help() {
        return CommandOption.with().shortName('h').longName("help").type(Boolean.class).value("true").build();
    }

    /** Whether the parsed call asks for the command's help instead of running it. */
    public static boolean wantsHelp(ParsedInput parsed) {
        return parsed.options().stream().anyMatch(o -> "help".equals(o.longName()));
    }
}
