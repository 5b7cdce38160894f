package io.berth.shell.command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.command.Manifests.Manifest;
import io.fabric8.kubernetes.api.model.StatusDetails;

/**
 * {@code delete pod NAME...} and {@code delete -f FILE}: asks the daemon to stop and remove pods,
 * then, as kubectl does, waits until they are gone, so that a script can reuse the name at once.
 */
public class DeleteCommand {
    /** How long to wait for a pod to go: its grace period (30 s by default) and some. */
    static final long WAIT_MARGIN_MS = 15_000;
    static final long DEFAULT_GRACE_SECONDS = 30;

    private final Daemon daemon;
    private final Console console;

    public DeleteCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "delete pod", alias = {"delete pods", "delete po"}, group = "Pods",
            description = "Stop and remove pods, waiting until they are gone",
            help = "delete pod NAME... [--grace-period SECONDS] [--now] [--wait=false]")
    public void pods(@Arguments List<String> names,
            @Option(longName = "grace-period", description = "seconds between SIGTERM and SIGKILL (default: the pod's, 30)") Long gracePeriod,
            @Option(longName = "now", description = "grace period of 1 s") Boolean now,
            @Option(longName = "wait", description = "wait until the pods are gone", defaultValue = "true") Boolean wait) {
        if (names.isEmpty()) {
            throw ConsoleException.usage("delete pod needs a pod name: berth delete pod NAME (berth get pods lists them)");
        }
        Long grace = Boolean.TRUE.equals(now) ? Long.valueOf(1) : gracePeriod;
        if (grace != null && grace < 0) {
            throw ConsoleException.usage("bad --grace-period " + grace + ": give 0 or more seconds");
        }
        String ns = daemon.namespace();
        List<String> missing = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        for (String name : names) {
            if (delete(ns, name, grace)) {
                deleted.add(name);
            } else {
                missing.add(name);
            }
        }
        finish(ns, deleted, grace, !Boolean.FALSE.equals(wait));
        if (!missing.isEmpty()) {
            throw new ConsoleException("pod" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing.stream().map(n -> "\"" + n + "\"").toList())
                    + " not found: `berth get pods` lists the pods there are");
        }
    }

    @Command(name = "delete", group = "Pods", description = "Stop and remove the pods named in a YAML or JSON file",
            help = "delete -f FILE|- [--grace-period SECONDS] [--now] [--wait=false]")
    public void files(@Arguments List<String> words,
            @Option(shortName = 'f', longName = "filename", description = "YAML or JSON file, - for standard input") String file,
            @Option(longName = "grace-period", description = "seconds between SIGTERM and SIGKILL") Long gracePeriod,
            @Option(longName = "now", description = "grace period of 1 s") Boolean now,
            @Option(longName = "wait", description = "wait until the pods are gone", defaultValue = "true") Boolean wait) {
        if (!words.isEmpty()) {
            throw ConsoleException.usage("unknown kind '" + words.get(0) + "' for delete: use `berth delete pod NAME` or `berth delete -f FILE`");
        }
        List<Manifest> manifests = Manifests.read(file, System.in);
        Long grace = Boolean.TRUE.equals(now) ? Long.valueOf(1) : gracePeriod;
        String ns = daemon.namespace();
        List<String> deleted = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Manifest m : manifests) {
            if (delete(ns, m.name(), grace)) {
                deleted.add(m.name());
            } else {
                missing.add(m.name());
            }
        }
        finish(ns, deleted, grace, !Boolean.FALSE.equals(wait));
        if (!missing.isEmpty()) {
            throw new ConsoleException("pod" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing.stream().map(n -> "\"" + n + "\"").toList())
                    + " not found: nothing to delete for " + (missing.size() > 1 ? "them" : "it"));
        }
    }

    /** @return false when there was no such pod */
    private boolean delete(String ns, String name, Long grace) {
        List<StatusDetails> result = daemon.call(c -> grace == null
                ? c.pods().inNamespace(ns).withName(name).delete()
                : c.pods().inNamespace(ns).withName(name).withGracePeriod(grace).delete());
        return result != null && !result.isEmpty();
    }

    private void finish(String ns, List<String> deleted, Long grace, boolean wait) {
        for (String name : deleted) {
            if (wait) {
                waitGone(daemon, ns, name, (grace == null ? DEFAULT_GRACE_SECONDS : grace) * 1000 + WAIT_MARGIN_MS);
            }
            console.out().println("pod \"" + name + "\" deleted");
            console.out().flush();
        }
    }

    static void waitGone(Daemon daemon, String ns, String name) {
        waitGone(daemon, ns, name, DEFAULT_GRACE_SECONDS * 1000 + WAIT_MARGIN_MS);
    }

    /** Polls until the pod is gone (404). A watch would do too; a poll every 100 ms is simpler and as quick here. */
    static void waitGone(Daemon daemon, String ns, String name, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (daemon.call(c -> c.pods().inNamespace(ns).withName(name).get()) != null) {
            if (System.currentTimeMillis() > deadline) {
                throw new ConsoleException("pod \"" + name + "\" is still there " + timeoutMs / 1000
                        + " s after it was deleted: see `berth describe pod " + name + "` and the daemon's log");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConsoleException("interrupted while waiting for pod \"" + name + "\" to go");
            }
        }
    }
}
