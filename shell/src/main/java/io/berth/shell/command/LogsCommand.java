package io.berth.shell.command;

import java.io.IOException;
import java.io.Reader;
import java.util.List;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.BytesLimitTerminateTimeTailPrettyLoggable;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.Loggable;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.TailPrettyLoggable;

/** {@code logs POD}: what the pod's container wrote, as {@code kubectl logs}. */
public class LogsCommand {
    private final Daemon daemon;
    private final Console console;

    public LogsCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "logs", group = "Pods", description = "Print a pod's output (-f follows it)",
            help = "logs POD [-c CONTAINER] [-f] [--previous] [--tail N] [--timestamps]")
    public void logs(@Arguments List<String> names,
            @Option(shortName = 'c', longName = "container", description = "the container (default: the pod's only one)") String container,
            @Option(shortName = 'f', longName = "follow", description = "keep printing new output until the container ends") Boolean follow,
            @Option(shortName = 'p', longName = "previous", description = "the output of the previous (restarted) container") Boolean previous,
            @Option(longName = "tail", description = "only the last N lines", defaultValue = "-1") Integer tail,
            @Option(longName = "timestamps", description = "prefix each line with its time") Boolean timestamps) {
        if (names.size() != 1) {
            throw ConsoleException.usage(names.isEmpty() ? "logs needs a pod name: berth logs POD (berth get pods lists them)"
                    : "logs takes one pod name, got " + names);
        }
        String name = names.get(0);
        String ns = daemon.namespace();
        Pod pod = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
        if (pod == null) {
            throw new ConsoleException("pod \"" + name + "\" not found: `berth get pods` lists the pods there are");
        }
        PodResource resource = daemon.call(c -> c.pods().inNamespace(ns).withName(name));
        Loggable loggable = logSource(resource, container, Boolean.TRUE.equals(previous), tail,
                Boolean.TRUE.equals(timestamps));
        console.out().flush();
        if (Boolean.TRUE.equals(follow)) {
            daemon.run(c -> copy(loggable.getLogReader()));
        } else {
            String text = daemon.call(c -> loggable.getLog());
            console.out().print(text);
            console.out().flush();
        }
    }

    private static Loggable logSource(PodResource resource, String container, boolean previous, int tail, boolean timestamps) {
        // fabric8's log options form a chain of narrower interfaces; each step is optional.
        ContainerResource base = container == null || container.isEmpty() ? resource : resource.inContainer(container);
        BytesLimitTerminateTimeTailPrettyLoggable stamped = timestamps ? base.usingTimestamps() : base;
        TailPrettyLoggable earlier = previous ? stamped.terminated() : stamped;
        return tail >= 0 ? earlier.tailingLines(tail) : earlier;
    }

    /** Copies the followed log to the console's writer (the terminal in the console), as it comes. */
    private void copy(Reader in) {
        char[] buffer = new char[8192];
        try (Reader stream = in) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                console.out().write(buffer, 0, n);
                console.out().flush();
            }
        } catch (IOException e) {
            throw new ConsoleException("the log stream of the pod broke off: " + e.getMessage() + ": run logs -f again");
        }
    }
}
