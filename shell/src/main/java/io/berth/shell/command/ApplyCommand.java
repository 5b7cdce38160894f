package io.berth.shell.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.command.Manifests.Manifest;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * {@code apply -f FILE}: makes the daemon's pods match the file. A pod that does not exist is
 * created; one whose spec is already as the file says is left alone ("unchanged"); one that
 * differs is replaced (deleted and created again), because a pod's spec cannot be changed in place
 * and kubectl's answer (an error) leaves the user to do exactly that by hand.
 */
public class ApplyCommand {
    private final Daemon daemon;
    private final Console console;

    public ApplyCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(name = "apply", group = "Pods", description = "Create or update the pods of a YAML or JSON file",
            help = "apply -f FILE|-")
    public void apply(@Option(shortName = 'f', longName = "filename", description = "YAML or JSON file, - for standard input") String file) {
        List<Manifest> manifests = Manifests.read(file, System.in);
        String ns = daemon.namespace();
        List<String> failures = new ArrayList<>();
        for (Manifest m : manifests) {
            try {
                console.out().println("pod/" + m.name() + " " + applyOne(m, ns));
                console.out().flush();
            } catch (ConsoleException e) {
                failures.add("pod/" + m.name() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new ConsoleException(String.join("; ", failures));
        }
    }

    private String applyOne(Manifest m, String ns) {
        Pod existing = daemon.call(c -> c.pods().inNamespace(ns).withName(m.name()).get());
        if (existing == null) {
            daemon.call(c -> c.pods().inNamespace(ns).resource(m.pod()).create());
            return "created";
        }
        if (sameIntent(m.pod(), existing)) {
            return "unchanged";
        }
        daemon.run(c -> c.pods().inNamespace(ns).withName(m.name()).delete());
        DeleteCommand.waitGone(daemon, ns, m.name());
        daemon.call(c -> c.pods().inNamespace(ns).resource(m.pod()).create());
        return "configured";
    }

    /**
     * Whether the daemon's pod already is what the file asks for: the fields a user writes
     * (containers' image, command, args, env, limits; restart policy; hostname; labels), compared
     * so that defaults the daemon filled in do not count as a difference.
     */
    static boolean sameIntent(Pod wanted, Pod existing) {
        if (!Objects.equals(orEmpty(wanted.getMetadata().getLabels()), orEmpty(existing.getMetadata().getLabels()))) {
            return false;
        }
        var w = wanted.getSpec();
        var e = existing.getSpec();
        if (w == null || e == null) {
            return w == e;
        }
        if (w.getRestartPolicy() != null && !w.getRestartPolicy().equals(e.getRestartPolicy())) {
            return false;
        }
        if (!Objects.equals(w.getHostname(), e.getHostname()) && w.getHostname() != null) {
            return false;
        }
        if (w.getContainers().size() != e.getContainers().size()) {
            return false;
        }
        for (int i = 0; i < w.getContainers().size(); i++) {
            var wc = w.getContainers().get(i);
            var ec = e.getContainers().get(i);
            if (!Objects.equals(wc.getName(), ec.getName()) || !Objects.equals(wc.getImage(), ec.getImage())
                    || !Objects.equals(orEmpty(wc.getCommand()), orEmpty(ec.getCommand()))
                    || !Objects.equals(orEmpty(wc.getArgs()), orEmpty(ec.getArgs()))
                    || !Objects.equals(orEmpty(wc.getEnv()), orEmpty(ec.getEnv()))) {
                return false;
            }
            var wl = wc.getResources() == null ? null : wc.getResources().getLimits();
            var el = ec.getResources() == null ? null : ec.getResources().getLimits();
            if (!Objects.equals(orEmpty(wl), orEmpty(el))) {
                return false;
            }
        }
        return true;
    }

    private static <K, V> java.util.Map<K, V> orEmpty(java.util.Map<K, V> m) {
        return m == null ? java.util.Map.of() : m;
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
