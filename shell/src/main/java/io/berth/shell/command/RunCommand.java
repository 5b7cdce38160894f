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
 * {@code run NAME --image IMAGE [-- COMMAND...]}: creates a pod of one container, as
 * {@code kubectl run} does. Everything is checked before the daemon is asked, so a refused
 * {@code run} creates nothing.
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
                    + "[--env NAME=VALUE]... [--hostname HOST] [-l KEY=VALUE,...] [-- COMMAND [ARG...]]")
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
        if (Boolean.TRUE.equals(stdin) || Boolean.TRUE.equals(tty) || Boolean.TRUE.equals(rm)) {
            throw ConsoleException.usage("-i, -t and --rm need the daemon's attach endpoint, which it does not have yet: "
                    + "run without them and follow the output with `berth logs -f " + name + "`");
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
        ContainerBuilder container = new ContainerBuilder().withName(name).withImage(image).withEnv(envVars);
        if (!command.isEmpty()) {
            container.withCommand(command);
        }
        if (!limits.isEmpty()) {
            container.withNewResources().withLimits(limits).endResources();
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
        console.out().println("pod/" + name + " created");
    }
}
