package io.berth.shell.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.cli.BerthCommandParser;
import io.berth.shell.client.Daemon;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * {@code run NAME --image IMAGE [-i [-t]] [--rm] [-- COMMAND...]}: creates a pod of one container, as
 * {@code kubectl run} does. Everything is checked before the daemon is asked, so a refused
 * {@code run} creates nothing. With -i the container has stdin (stdinOnce, and a terminal with -t)
 * and berth attaches once it runs; with restart Never its exit status is berth's; --rm deletes the
 * pod at the end.
 */
public class RunCommand {
    private final Daemon daemon;
    private final Console console;

    public RunCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(name = "run", group = "Pods", description = "Run a pod of one container from an image",
            help = "run NAME --image IMAGE [--restart Always|OnFailure|Never] [--memory 64Mi] [--cpus 0.5] "
                    + "[--env NAME=VALUE]... [--hostname HOST] [-l KEY=VALUE,...] [-i [-t]] [--rm] [-- COMMAND [ARG...]]")
    public void run(@Arguments List<String> arguments,
            @Option(longName = "image", description = "the image to run, e.g. busybox") String image,
            @Option(longName = "restart", description = "Always, OnFailure or Never", defaultValue = "Always") String restart,
            @Option(longName = "memory", description = "memory limit, e.g. 64Mi") String memory,
            @Option(longName = "cpus", description = "CPU limit, e.g. 0.5 or 500m") String cpus,
            @Option(shortName = 'e', longName = "env", description = "NAME=VALUE; repeat for more") String env,
            @Option(longName = "hostname", description = "the pod's host name (default: its name)") String hostname,
            @Option(shortName = 'l', longName = "labels", description = "labels, KEY=VALUE,... (default run=NAME)") String labels,
            @Option(longName = "rm", description = "delete the pod when it ends (needs -i)") Boolean rm,
            @Option(shortName = 'i', longName = "stdin", description = "attach to the container's input") Boolean stdin,
            @Option(shortName = 't', longName = "tty", description = "give the container a terminal") Boolean tty,
            @Option(longName = "pull", description = "IfNotPresent (the local image first), Always or Never", defaultValue = "IfNotPresent") String pull,
            CommandContext context) {
        int separator = arguments.indexOf(BerthCommandParser.SEPARATOR);
        List<String> own = separator < 0 ? arguments : arguments.subList(0, separator);
        List<String> command = separator < 0 ? List.of() : arguments.subList(separator + 1, arguments.size());
        if (own.size() != 1) {
            throw ConsoleException.usage(own.isEmpty() ? "run needs a pod name: berth run NAME --image IMAGE"
                    : "run takes one pod name, got " + own + ": put the container's command after --");
        }
        String name = Names.pod(own.get(0));
        Names.image(image);
        if (!List.of("Always", "OnFailure", "Never").contains(restart)) {
            throw ConsoleException.usage("bad --restart '" + restart + "': use Always, OnFailure or Never");
        }
        if (!List.of("Always", "IfNotPresent", "Never").contains(pull)) {
            throw ConsoleException.usage("bad --pull '" + pull + "': use IfNotPresent, Always or Never");
        }
        boolean interactive = Boolean.TRUE.equals(stdin);
        boolean terminal = Boolean.TRUE.equals(tty);
        if (terminal && !interactive) {
            throw ConsoleException.usage("-t needs -i: berth run -it " + name + " --image " + image + " -- sh");
        }
        if (Boolean.TRUE.equals(rm) && !interactive) {
            throw ConsoleException.usage("--rm needs -i (berth stays attached and deletes the pod when it ends): berth run -i --rm ...");
        }
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (memory != null) {
            limits.put("memory", new Quantity(Names.memory(memory)));
        }
        if (cpus != null) {
            limits.put("cpu", new Quantity(Names.cpus(cpus)));
        }
        List<EnvVar> envVars = new ArrayList<>();
        for (CommandOption o : context.parsedInput().options()) {
            if ("env".equals(o.longName())) {
                String v = o.value();
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw ConsoleException.usage("bad --env '" + v + "': use NAME=VALUE");
                }
                envVars.add(new EnvVar(Names.envName(v.substring(0, eq), v), v.substring(eq + 1), null));
            }
        }
        Map<String, String> podLabels = new LinkedHashMap<>();
        if (labels == null || labels.isEmpty()) {
            podLabels.put("run", name);
        } else {
            for (String kv : labels.split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw ConsoleException.usage("bad --labels '" + labels + "': use KEY=VALUE,KEY=VALUE");
                }
                podLabels.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        // IfNotPresent unless told otherwise: Berth runs imported images offline, and Kubernetes'
        // default for an untagged image (Always) would try a registry first.
        ContainerBuilder container = new ContainerBuilder().withName(name).withImage(image).withEnv(envVars)
                .withImagePullPolicy(pull);
        if (!command.isEmpty()) {
            container.withCommand(command);
        }
        if (!limits.isEmpty()) {
            container.withNewResources().withLimits(limits).endResources();
        }
        if (interactive) {
            // As kubectl run -i: the stdin is closed when the first attach ends.
            container.withStdin(true).withStdinOnce(true).withTty(terminal);
        }
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withLabels(podLabels).endMetadata()
                .withNewSpec()
                .withContainers(container.build())
                .withRestartPolicy(restart)
                .withHostname(hostname)
                .endSpec()
                .build();
        String ns = daemon.namespace();
        daemon.call(c -> c.pods().inNamespace(ns).resource(pod).create());
        String started = waitStarted(ns, name, image);
        if (!interactive) {
            console.out().println("pod/" + name + " created" + started);
            return;
        }
        int code;
        try {
            code = attachOrShowLogs(ns, name, terminal);
            if ("Never".equals(restart)) {
                code = exitCode(ns, name, code);
            }
        } finally {
            if (Boolean.TRUE.equals(rm)) {
                remove(ns, name);
            }
        }
        if (code != 0) {
            throw new ConsoleException(null, code, null);
        }
    }

    /** Attaches; a container that already ended has its output shown instead, as kubectl run does. */
    private int attachOrShowLogs(String ns, String name, boolean terminal) {
        Pod now = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
        boolean ended = now != null && io.berth.shell.format.PodView.containerStatuses(now).stream()
                .allMatch(cs -> cs.getState() != null && cs.getState().getTerminated() != null);
        if (!ended) {
            try {
                return AttachCommand.attach(daemon, console, ns, name, null, true, terminal);
            } catch (ConsoleException e) {
                if (e.getMessage() == null || !e.getMessage().contains("is not running")) {
                    throw e;
                }
            }
        }
        String log = daemon.call(c -> c.pods().inNamespace(ns).withName(name).getLog());
        console.out().print(log);
        console.out().flush();
        return 0;
    }

    /** With restart Never the container's own exit status is run's (waiting briefly for it to be recorded). */
    private int exitCode(String ns, String name, int otherwise) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            Pod p = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
            if (p == null) {
                return otherwise;
            }
            for (var cs : io.berth.shell.format.PodView.containerStatuses(p)) {
                if (cs.getState() != null && cs.getState().getTerminated() != null) {
                    return cs.getState().getTerminated().getExitCode();
                }
            }
            sleep(100);
        }
        return otherwise;
    }

    /** --rm: deletes the pod and waits until it is gone. */
    private void remove(String ns, String name) {
        daemon.call(c -> c.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete());
        long deadline = System.currentTimeMillis() + 60_000;
        while (daemon.call(c -> c.pods().inNamespace(ns).withName(name).get()) != null) {
            if (System.currentTimeMillis() > deadline) {
                throw new ConsoleException("pod/" + name + " is still being deleted after 60 s: see `berth get pods`");
            }
            sleep(100);
        }
        System.err.println("pod \"" + name + "\" deleted");
    }

    private static void sleep(long ms) {
        try {
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Container reasons that mean the image will not come: the pod is removed again and run fails. */
    static final List<String> IMAGE_FAILURES = List.of("ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull",
            "InvalidImageName", "ImageInspectError");
    /** How long run waits for the container to start before it returns anyway. */
    static final long START_WAIT_MS = 60_000;

    /**
     * Waits until the container runs or has ended, so that a run whose image cannot be had fails
     * and leaves no pod behind. Returns a note for the "created" line ("" when it started).
     */
    private String waitStarted(String ns, String name, String image) {
        long deadline = System.currentTimeMillis() + START_WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            Pod current = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
            if (current == null) {
                throw new ConsoleException("pod/" + name + " was deleted while it started: see `berth get events`");
            }
            for (var cs : io.berth.shell.format.PodView.containerStatuses(current)) {
                var state = cs.getState();
                if (state == null) {
                    continue;
                }
                if (state.getRunning() != null || state.getTerminated() != null) {
                    return "";
                }
                if (state.getWaiting() != null && IMAGE_FAILURES.contains(state.getWaiting().getReason())) {
                    String why = state.getWaiting().getMessage() == null ? state.getWaiting().getReason()
                            : state.getWaiting().getReason() + ": " + state.getWaiting().getMessage();
                    String pullFailure = lastImageEvent(ns, name);
                    daemon.call(c -> c.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete());
                    throw new ConsoleException("image \"" + image + "\" cannot be had (" + io.berth.shell.client.Failures.oneLine(
                            pullFailure != null ? pullFailure : why) + "): import it into the daemon or name another image;"
                            + " pod/" + name + " was removed again");
                }
            }
            if ("Succeeded".equals(phase(current)) || "Failed".equals(phase(current))) {
                return "";
            }
            try {
                java.util.concurrent.TimeUnit.MILLISECONDS.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return " (not started yet: see `berth get pods`)";
            }
        }
        return " (not started after " + START_WAIT_MS / 1000 + " s: see `berth describe pod " + name + "`)";
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    /** The message of the pod's latest failed pull, which says why (the waiting state only says "back-off"). */
    private String lastImageEvent(String ns, String name) {
        try {
            return daemon.call(c -> c.v1().events().inNamespace(ns).list().getItems()).stream()
                    .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName())
                            && "Failed".equals(e.getReason()) && e.getMessage() != null)
                    .reduce((a, b) -> b).map(e -> e.getMessage()).orElse(null);
        } catch (ConsoleException e) {
            return null;
        }
    }
}
