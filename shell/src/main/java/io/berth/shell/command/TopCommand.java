package io.berth.shell.command;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.apimachinery.labels.LabelSelector;
import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.client.Failures;
import io.berth.shell.format.Selector;
import io.berth.shell.format.Table;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;

/**
 * {@code top pods [NAME]}: each pod's CPU and memory as kubectl top prints them (millicores,
 * mebibytes), from the daemon's metrics.k8s.io PodMetrics (read from the containers' cgroups). A
 * pod that runs no container has no usage and is left out of the list, as kubectl's.
 */
public class TopCommand {
    private static final BigDecimal MILLI = BigDecimal.valueOf(1000);
    private static final BigDecimal MEBI = BigDecimal.valueOf(1024L * 1024);

    private final Daemon daemon;
    private final Console console;

    public TopCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "top pods", alias = {"top pod", "top po"}, group = "Pods",
            description = "CPU (cores) and memory of the running pods, or of the pods named",
            help = "top pods [NAME...] [-l SELECTOR] [--containers]")
    public void top(@Arguments List<String> names,
            @Option(shortName = 'l', longName = "selector", description = "only pods whose labels match, e.g. app=web") String selector,
            @Option(longName = "containers", description = "one line per container") Boolean containers) {
        LabelSelector labels = Selector.parse(selector);
        String ns = daemon.namespace();
        List<PodMetrics> pods = new ArrayList<>();
        if (names.isEmpty()) {
            pods.addAll(daemon.call(c -> c.top().pods().metrics(ns)).getItems());
            pods.removeIf(p -> !labels.test(p.getMetadata().getLabels()) || p.getContainers() == null
                    || p.getContainers().isEmpty());
        } else {
            for (String name : names) {
                PodMetrics m;
                try {
                    m = daemon.call(c -> c.top().pods().metrics(ns, name));
                } catch (ConsoleException e) {
                    if (Failures.code(e) == 404) {
                        throw new ConsoleException("pod \"" + name + "\" not found: `berth get pods` lists the pods there are");
                    }
                    throw e;
                }
                if (m.getContainers() == null || m.getContainers().isEmpty()) {
                    throw new ConsoleException("pod \"" + name + "\" runs no container, so it has no usage yet: "
                            + "`berth get pods " + name + "` says why");
                }
                pods.add(m);
            }
        }
        if (pods.isEmpty()) {
            console.err().println("No resources found in " + ns + " namespace.");
            console.err().flush();
            return;
        }
        pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        boolean perContainer = Boolean.TRUE.equals(containers);
        Table table = perContainer ? new Table("POD", "NAME", "CPU(cores)", "MEMORY(bytes)")
                : new Table("NAME", "CPU(cores)", "MEMORY(bytes)");
        for (PodMetrics p : pods) {
            if (perContainer) {
                for (ContainerMetrics c : p.getContainers()) {
                    table.row(p.getMetadata().getName(), c.getName(), cpu(amount(c, "cpu")), memory(amount(c, "memory")));
                }
            } else {
                BigDecimal cpu = BigDecimal.ZERO;
                BigDecimal memory = BigDecimal.ZERO;
                for (ContainerMetrics c : p.getContainers()) {
                    cpu = cpu.add(amount(c, "cpu"));
                    memory = memory.add(amount(c, "memory"));
                }
                table.row(p.getMetadata().getName(), cpu(cpu), memory(memory));
            }
        }
        table.print(console.out(), true);
    }

    private static BigDecimal amount(ContainerMetrics c, String resource) {
        Quantity q = c.getUsage() == null ? null : c.getUsage().get(resource);
        return q == null ? BigDecimal.ZERO : q.getNumericalAmount();
    }

    /** Cores as kubectl prints them: millicores, rounded up (Quantity.MilliValue). */
    static String cpu(BigDecimal cores) {
        return cores.multiply(MILLI).setScale(0, RoundingMode.CEILING).toPlainString() + "m";
    }

    /** Bytes as kubectl prints them: whole mebibytes, rounded down. */
    static String memory(BigDecimal bytes) {
        return bytes.divide(MEBI, 0, RoundingMode.FLOOR).toPlainString() + "Mi";
    }
}
