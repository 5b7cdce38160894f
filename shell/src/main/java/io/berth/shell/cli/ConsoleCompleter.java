package io.berth.shell.cli;

import java.util.List;

import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.completion.CompletionContext;
import org.springframework.shell.core.command.completion.CompletionProposal;
import org.springframework.shell.core.command.completion.CompletionProvider;
import org.springframework.shell.jline.CommandCompleter;

/**
 * Tab completion in the console. Spring Shell's completer finds the command only when every word
 * before the cursor is part of its name, so it completes {@code describe pod <Tab>} but not
 * {@code describe pod we<Tab>} and never a second argument. This one finds the command as the
 * parser does (the longest run of words naming one), then completes: an option's name after
 * {@code -}; a value for options that have a fixed set ({@code -o}); otherwise an argument, from
 * the command's completion provider (the daemon's pod names for the commands that take pods, its
 * image names for {@code image rm|inspect}), and image names after {@code --image};
 * before a command is named, the next word of the command names.
 */
public class ConsoleCompleter extends CommandCompleter {
    private final CommandRegistry registry;
    /** Completes the value of {@code --image} (the daemon's image names). */
    private final CompletionProvider imageNames;

    public ConsoleCompleter(CommandRegistry registry, CompletionProvider imageNames) {
        super(registry);
        this.registry = registry;
        this.imageNames = imageNames;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int current = line.wordIndex();
        Command command = null;
        int commandWords = 0;
        for (int n = Math.min(current, words.size()); n >= 1; n--) {
            Command c = registry.getCommandByName(String.join(" ", words.subList(0, n)));
            if (c != null) {
                command = c;
                commandWords = n;
                break;
            }
        }
        if (command == null) {
            commandNames(words.subList(0, Math.min(current, words.size())),
                    current < words.size() ? words.get(current) : "", candidates);
            return;
        }
        String word = current < words.size() ? words.get(current) : "";
        String previous = current - 1 >= commandWords ? words.get(current - 1) : "";
        CommandOption valueOf = optionNamed(command, previous);
        if (valueOf != null && !BerthCommandParser.isBoolean(valueOf)) {
            if ("output".equals(valueOf.longName())) {
                for (String format : List.of("wide", "json", "yaml", "name")) {
                    candidates.add(new Candidate(format));
                }
            } else if ("image".equals(valueOf.longName())) {
                propose(imageNames, new CompletionContext(words, current, line.wordCursor(), command, null), candidates);
            }
            return;
        }
        if (word.startsWith("-")) {
            for (CommandOption o : command.getOptions()) {
                candidates.add(new Candidate("--" + o.longName(), "--" + o.longName(), null, o.description(), null, null, true));
            }
            return;
        }
        propose(command.getCompletionProvider(), new CompletionContext(words, current, line.wordCursor(), command, null), candidates);
    }

    private static void propose(CompletionProvider provider, CompletionContext context, List<Candidate> candidates) {
        for (CompletionProposal p : provider.apply(context)) {
            candidates.add(new Candidate(p.value(), p.displayText(), p.category(), p.description(), null, null, p.complete()));
        }
    }

    /**
     * The next word of the command names that start with the words typed so far ("get" -> events,
     * nodes, pods). Spring Shell's own version of this initialises Hibernate Validator (through its
     * Utils class) at the first Tab, which costs time and logs a line into the console.
     */
    private void commandNames(List<String> typed, String word, List<Candidate> candidates) {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (Command c : registry.getCommands()) {
            if (c.isHidden()) {
                continue;
            }
            List<String> names = new java.util.ArrayList<>(c.getAliases());
            names.add(0, c.getName());
            for (String name : names) {
                String[] parts = name.split(" ");
                if (parts.length <= typed.size() || !parts[typed.size()].startsWith(word)) {
                    continue;
                }
                if (!List.of(parts).subList(0, typed.size()).equals(typed)) {
                    continue;
                }
                String next = parts[typed.size()];
                boolean last = parts.length == typed.size() + 1;
                if (seen.add(next + last)) {
                    candidates.add(new Candidate(next, next, c.getGroup(), last ? c.getDescription() : null, null, null, last));
                }
            }
        }
    }

    private static CommandOption optionNamed(Command command, String word) {
        if (!word.startsWith("-") || word.contains("=")) {
            return null;
        }
        for (CommandOption o : command.getOptions()) {
            if (o.isOptionEqual(word)) {
                return o;
            }
        }
        return null;
    }
}
