package io.berth.shell.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.remotecommand.RemoteSession;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * {@code attach [-i] [-t] POD [-c C]}: the running container's main process, as
 * {@code kubectl attach}, over the daemon's pods/attach WebSocket: its output from now on, and with
 * -i its stdin (a container whose spec has {@code stdin: true}); -t shares its terminal.
 */
public class AttachCommand {
    /** kubectl's words, for a shell that printed its prompt before anyone attached. */
    static final String PROMPT_HINT = "If you don't see a command prompt, try pressing enter.";

    private final Daemon daemon;
    private final Console console;

    public AttachCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "attach", group = "Pods", description = "Attach to a running container's main process",
            help = "attach [-i] [-t] POD [-c CONTAINER]")
    public void attach(@Arguments List<String> arguments,
            @Option(shortName = 'c', longName = "container", description = "the container (default: the pod's only one)") String container,
            @Option(shortName = 'i', longName = "stdin", description = "pass this terminal's input to the container") Boolean stdin,
            @Option(shortName = 't', longName = "tty", description = "use the container's terminal (it needs tty: true)") Boolean tty) {
        if (arguments.size() != 1) {
            throw ConsoleException.usage("attach needs one pod: berth attach [-i] [-t] POD [-c CONTAINER]");
        }
        String ns = daemon.namespace();
        int code = attach(daemon, console, ns, arguments.get(0), container, Boolean.TRUE.equals(stdin), Boolean.TRUE.equals(tty));
        if (code != 0) {
            throw new ConsoleException(null, code, null);
        }
    }

    /** Attaches as asked, dropping -i or -t (with a word on stderr, as kubectl) when the container has no stdin or terminal. */
    static int attach(Daemon daemon, Console console, String ns, String name, String container, boolean stdin, boolean tty) {
        Pod pod = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
        if (pod == null) {
            throw new ConsoleException("pod " + name + " not found: see `berth get pods`");
        }
        List<Container> cs = pod.getSpec().getContainers();
        Container c = container == null || container.isEmpty() ? (cs.size() == 1 ? cs.get(0) : null)
                : cs.stream().filter(x -> x.getName().equals(container)).findFirst().orElse(null);
        if (c == null) {
            throw new ConsoleException(container == null || container.isEmpty()
                    ? "pod " + name + " has several containers: choose one with -c (" + cs.stream().map(Container::getName).toList() + ")"
                    : "container " + container + " is not in pod " + name + ": choose one of " + cs.stream().map(Container::getName).toList());
        }
        if (stdin && !Boolean.TRUE.equals(c.getStdin())) {
            System.err.println("warning: container " + c.getName() + " has no stdin (stdin: true in its spec): attaching to its output only");
            stdin = false;
        }
        if (tty && !Boolean.TRUE.equals(c.getTty())) {
            System.err.println("Unable to use a TTY - container " + c.getName() + " did not allocate one");
            tty = false;
        }
        List<Map.Entry<String, String>> query = new ArrayList<>();
        query.add(Map.entry("container", c.getName()));
        return RemoteSession.run(daemon, console, ns, name, "attach", query, stdin, tty, tty && stdin ? PROMPT_HINT : null);
    }
}
