package io.berth.shell.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.shell.core.InputReader;
import org.springframework.shell.jline.JLineInputReader;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.format.Colors;

/**
 * Replaces Spring Shell's runners. Its non-interactive runner joins the arguments with blanks
 * (losing the shell's quoting: {@code -- sh -c 'echo a b'}) and logs failures instead of
 * returning a status; its interactive one prints errors in its own words. Here one-shot mode
 * parses the process arguments as given and records an exit status, and the console reads lines
 * with Spring Shell's JLine line reader (its completion and history) and runs them through the
 * same {@link Dispatcher}.
 */
public class ConsoleRunner implements ApplicationRunner {
    /** What the interactive console shows when it waits for a command. */
    public static final String PROMPT = "berth> ";

    private final Dispatcher dispatcher;
    private final Console console;
    private final ObjectProvider<LineReader> lineReader;
    private int exitCode;

    public ConsoleRunner(Dispatcher dispatcher, Console console, ObjectProvider<LineReader> lineReader) {
        this.dispatcher = dispatcher;
        this.console = console;
        this.lineReader = lineReader;
    }

    @Override
    public void run(ApplicationArguments args) {
        String[] words = args.getSourceArgs();
        if (words.length == 0) {
            interactive();
        } else {
            oneShot(Arrays.asList(words));
        }
    }

    public int exitCode() {
        return exitCode;
    }

    private void oneShot(List<String> words) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        console.use(out, err, new Colors(Colors.stdoutIsTerminal()), false);
        InputReader noInput = new InputReader() {
        };
        exitCode = dispatcher.execute(words, noInput);
        out.flush();
    }

    private void interactive() {
        LineReader reader = lineReader.getObject();
        PrintWriter terminal = reader.getTerminal().writer();
        boolean colour = !"dumb".equals(reader.getTerminal().getType()) && System.getenv("NO_COLOR") == null;
        console.use(terminal, terminal, new Colors(colour), true);
        InputReader input = new JLineInputReader(reader);
        terminal.println("Berth console: `help` lists the commands, `exit` or Ctrl-D leaves.");
        terminal.flush();
        while (true) {
            String line;
            try {
                line = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                continue; // Ctrl-C clears the line, as in bash
            } catch (EndOfFileException e) {
                break;
            }
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.equals("exit") || trimmed.equals("quit")) {
                break;
            }
            List<String> words;
            try {
                words = Words.split(trimmed);
            } catch (ConsoleException e) {
                terminal.println(console.colors().red("error:") + " " + e.getMessage());
                terminal.flush();
                continue;
            }
            // Ctrl-C while a command runs (logs -f, get -w, a wait) interrupts the command, not the console.
            Thread worker = Thread.currentThread();
            Terminal.SignalHandler previous = reader.getTerminal().handle(Terminal.Signal.INT, s -> worker.interrupt());
            try {
                exitCode = dispatcher.execute(words, input);
            } finally {
                reader.getTerminal().handle(Terminal.Signal.INT, previous);
                Thread.interrupted();
            }
        }
        exitCode = 0;
    }
}
