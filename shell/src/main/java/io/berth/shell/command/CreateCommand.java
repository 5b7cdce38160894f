package io.berth.shell.command;

import java.util.ArrayList;
import java.util.List;

import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.command.Manifests.Manifest;

/**
 * {@code create -f FILE}: creates every object of the file, or none: when one is refused, those
 * already created by this call are deleted again before the error is reported.
 */
public class CreateCommand {
    private final Daemon daemon;
    private final Console console;

    public CreateCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(name = "create", group = "Pods", description = "Create the pods of a YAML or JSON file (all or none)",
            help = "create -f FILE|-")
    public void create(@Option(shortName = 'f', longName = "filename", description = "YAML or JSON file, - for standard input") String file) {
        List<Manifest> manifests = Manifests.read(file, System.in);
        String ns = daemon.namespace();
        List<Manifest> created = new ArrayList<>();
        for (Manifest m : manifests) {
            try {
                daemon.call(c -> c.pods().inNamespace(ns).resource(m.pod()).create());
            } catch (ConsoleException e) {
                throw rollBack(created, m, e, ns);
            }
            created.add(m);
        }
        for (Manifest m : created) {
            console.out().println("pod/" + m.name() + " created");
        }
    }

    private ConsoleException rollBack(List<Manifest> created, Manifest failed, ConsoleException e, String ns) {
        List<String> undone = new ArrayList<>();
        for (Manifest m : created) {
            try {
                daemon.call(c -> c.pods().inNamespace(ns).withName(m.name()).withGracePeriod(0).delete());
                undone.add("pod/" + m.name());
            } catch (ConsoleException ignored) {
                // reported below as not undone
            }
        }
        String note = created.isEmpty() ? "" : undone.size() == created.size()
                ? " (created nothing: " + String.join(", ", undone) + " deleted again)"
                : " (" + String.join(", ", undone) + " deleted again; delete the others by hand)";
        return new ConsoleException("pod/" + failed.name() + " from " + failed.source() + ": " + e.getMessage() + note, e);
    }
}
