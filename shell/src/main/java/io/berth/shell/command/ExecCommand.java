package io.berth.shell.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.cli.BerthCommandParser;
import io.berth.shell.client.Daemon;
import io.berth.shell.remotecommand.RemoteSession;

/**
 * {@code exec [-i] [-t] POD [-c C] -- CMD...}: a process in a running container, as
 * {@code kubectl exec}, over the daemon's pods/exec WebSocket ({@link RemoteSession}: v5, so the
 * end of piped input reaches the process). The process's exit status is berth's.
 */
public class ExecCommand {
    private final Daemon daemon;
    private final Console console;

    public ExecCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "exec", group = "Pods", description = "Run a command in a running container (-it: a shell)",
            help = "exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS...]")
    public void exec(@Arguments List<String> arguments,
            @Option(shortName = 'c', longName = "container", description = "the container (default: the pod's only one)") String container,
            @Option(shortName = 'i', longName = "stdin", description = "pass this terminal's input to the process") Boolean stdin,
            @Option(shortName = 't', longName = "tty", description = "give the process a terminal (with -i: an interactive shell)") Boolean tty) {
        int sep = arguments.indexOf(BerthCommandParser.SEPARATOR);
        List<String> own = sep < 0 ? arguments : arguments.subList(0, sep);
        List<String> command = sep < 0 ? List.of() : arguments.subList(sep + 1, arguments.size());
        if (own.size() != 1 || command.isEmpty()) {
            throw ConsoleException.usage("exec needs a pod and a command: berth exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS...]");
        }
        List<Map.Entry<String, String>> query = new ArrayList<>();
        if (container != null && !container.isEmpty()) {
            query.add(Map.entry("container", container));
        }
        command.forEach(c -> query.add(Map.entry("command", c)));
        int code = RemoteSession.run(daemon, console, daemon.namespace(), own.get(0), "exec", query,
                Boolean.TRUE.equals(stdin), Boolean.TRUE.equals(tty), null);
        if (code != 0) {
            throw new ConsoleException(null, code, null); // the process said what went wrong, if anything
        }
    }
}
