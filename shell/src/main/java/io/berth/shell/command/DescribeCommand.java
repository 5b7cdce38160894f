package io.berth.shell.command;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;

import io.berth.apimachinery.duration.HumanDuration;
import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.format.PodView;
import io.berth.shell.format.Table;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;

/** {@code describe pod|node NAME}: everything about one object, and its recent events, laid out as kubectl's. */
public class DescribeCommand {
    private final Daemon daemon;
    private final Console console;

    public DescribeCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "describe pod", alias = {"describe pods", "describe po"}, group = "Pods",
            description = "Show a pod in detail: containers, states, limits, conditions and events",
            help = "describe pod NAME...")
    public void pod(@Arguments List<String> names) {
        if (names.isEmpty()) {
            throw ConsoleException.usage("describe pod needs a pod name: berth describe pod NAME (berth get pods lists them)");
        }
        String ns = daemon.namespace();
        List<String> missing = new ArrayList<>();
        boolean first = true;
        for (String name : names) {
            Pod pod = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
            if (pod == null) {
                missing.add(name);
                continue;
            }
            if (!first) {
                console.out().println();
            }
            first = false;
            List<Event> events = eventsOf(ns, "Pod", name);
            describe(pod, events, console.out(), Instant.now());
        }
        if (!missing.isEmpty()) {
            console.out().flush();
            throw new ConsoleException("pod" + (missing.size() > 1 ? "s " : " ")
                    + missing.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "))
                    + " not found: `berth get pods` lists the pods there are");
        }
    }

    @Command(name = "describe node", alias = {"describe nodes", "describe no"}, group = "Pods",
            description = "Show a node in detail: its conditions, capacity and system",
            help = "describe node [NAME]")
    public void node(@Arguments List<String> names) {
        List<Node> nodes = daemon.call(c -> c.nodes().list().getItems());
        List<Node> chosen = names.isEmpty() ? nodes
                : nodes.stream().filter(n -> names.contains(n.getMetadata().getName())).toList();
        if (chosen.isEmpty()) {
            throw new ConsoleException(names.isEmpty() ? "the daemon reports no node"
                    : "node \"" + String.join(", ", names) + "\" not found: `berth get nodes` lists the nodes there are");
        }
        PrintWriter out = console.out();
        Instant now = Instant.now();
        for (Node n : chosen) {
            field(out, "Name", n.getMetadata().getName());
            field(out, "Labels", labels(n.getMetadata().getLabels()));
            field(out, "CreationTimestamp", n.getMetadata().getCreationTimestamp() + " (" + HumanDuration.since(n.getMetadata().getCreationTimestamp(), now) + " ago)");
            if (n.getStatus() != null) {
                out.println("Conditions:");
                Table t = new Table("  TYPE", "STATUS", "LASTHEARTBEATTIME", "REASON", "MESSAGE");
                if (n.getStatus().getConditions() != null) {
                    n.getStatus().getConditions().forEach(c -> t.row("  " + c.getType(), c.getStatus(),
                            PodView.orNone(c.getLastHeartbeatTime()), PodView.orNone(c.getReason()), PodView.orNone(c.getMessage())));
                }
                t.print(out, true);
                if (n.getStatus().getAddresses() != null) {
                    out.println("Addresses:");
                    n.getStatus().getAddresses().forEach(a -> out.println("  " + a.getType() + ": " + a.getAddress()));
                }
                quantities(out, "Capacity", n.getStatus().getCapacity());
                quantities(out, "Allocatable", n.getStatus().getAllocatable());
                var info = n.getStatus().getNodeInfo();
                if (info != null) {
                    out.println("System Info:");
                    field(out, "  Kernel Version", info.getKernelVersion());
                    field(out, "  OS Image", info.getOsImage());
                    field(out, "  Operating System", info.getOperatingSystem());
                    field(out, "  Architecture", info.getArchitecture());
                    field(out, "  Container Runtime Version", info.getContainerRuntimeVersion());
                    field(out, "  Kubelet Version", info.getKubeletVersion());
                }
            }
            out.println();
        }
        out.flush();
    }

    private List<Event> eventsOf(String ns, String kind, String name) {
        try {
            List<Event> events = new ArrayList<>(daemon.call(c -> c.v1().events().inNamespace(ns).list().getItems()));
            events.removeIf(e -> e.getInvolvedObject() == null || !name.equals(e.getInvolvedObject().getName())
                    || e.getInvolvedObject().getKind() != null && !kind.equals(e.getInvolvedObject().getKind()));
            events.sort(Comparator.comparing(GetCommand::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder())));
            return events;
        } catch (ConsoleException e) {
            // A daemon without events still describes its pods.
            return null;
        }
    }

    public static void describe(Pod pod, List<Event> events, PrintWriter out, Instant now) {
        var meta = pod.getMetadata();
        var spec = pod.getSpec();
        var status = pod.getStatus();
        field(out, "Name", meta.getName());
        field(out, "Namespace", meta.getNamespace());
        field(out, "Node", spec == null ? null : spec.getNodeName());
        field(out, "Start Time", status == null ? null : status.getStartTime());
        field(out, "Labels", labels(meta.getLabels()));
        field(out, "Annotations", labels(meta.getAnnotations()));
        field(out, "Status", PodView.status(pod));
        field(out, "IP", status == null ? null : status.getPodIP());
        if (spec != null && spec.getHostname() != null) {
            field(out, "Hostname", spec.getHostname());
        }
        field(out, "Restart Policy", spec == null ? null : spec.getRestartPolicy());
        out.println("Containers:");
        List<Container> containers = spec == null || spec.getContainers() == null ? List.of() : spec.getContainers();
        for (Container c : containers) {
            ContainerStatus cs = PodView.containerStatuses(pod).stream().filter(s -> c.getName().equals(s.getName()))
                    .findFirst().orElse(null);
            out.println("  " + c.getName() + ":");
            field(out, "    Container ID", cs == null ? null : cs.getContainerID());
            field(out, "    Image", c.getImage());
            field(out, "    Image ID", cs == null ? null : cs.getImageID());
            if (c.getCommand() != null && !c.getCommand().isEmpty()) {
                out.println("    Command:");
                c.getCommand().forEach(w -> out.println("      " + w));
            }
            if (c.getArgs() != null && !c.getArgs().isEmpty()) {
                out.println("    Args:");
                c.getArgs().forEach(w -> out.println("      " + w));
            }
            state(out, "    State", cs == null ? null : cs.getState());
            if (cs != null && cs.getLastState() != null && (cs.getLastState().getTerminated() != null
                    || cs.getLastState().getRunning() != null || cs.getLastState().getWaiting() != null)) {
                state(out, "    Last State", cs.getLastState());
            }
            field(out, "    Ready", cs == null ? "False" : Boolean.TRUE.equals(cs.getReady()) ? "True" : "False");
            field(out, "    Restart Count", cs == null ? "0" : String.valueOf(cs.getRestartCount()));
            if (c.getResources() != null && c.getResources().getLimits() != null && !c.getResources().getLimits().isEmpty()) {
                out.println("    Limits:");
                c.getResources().getLimits().forEach((k, v) -> field(out, "      " + k, v.toString()));
            }
            if (c.getEnv() != null && !c.getEnv().isEmpty()) {
                out.println("    Environment:");
                c.getEnv().forEach(e -> out.println("      " + e.getName() + ":  " + (e.getValue() == null ? "" : e.getValue())));
            } else {
                field(out, "    Environment", "<none>");
            }
        }
        if (status != null && status.getConditions() != null && !status.getConditions().isEmpty()) {
            out.println("Conditions:");
            Table t = new Table("  Type", "Status");
            status.getConditions().forEach(c -> t.row("  " + c.getType(), c.getStatus()));
            t.print(out, true);
        }
        if (events == null) {
            field(out, "Events", "<unknown: the daemon did not list events>");
        } else if (events.isEmpty()) {
            field(out, "Events", "<none>");
        } else {
            out.println("Events:");
            Table t = new Table("  Type", "Reason", "Age", "From", "Message");
            for (Event e : events) {
                t.row("  " + PodView.orNone(e.getType()), PodView.orNone(e.getReason()), HumanDuration.since(GetCommand.lastSeen(e), now),
                        e.getSource() == null || e.getSource().getComponent() == null ? "" : e.getSource().getComponent(),
                        e.getMessage() == null ? "" : e.getMessage().replace('\n', ' '));
            }
            t.print(out, true);
        }
        out.flush();
    }

    private static void state(PrintWriter out, String label, ContainerState state) {
        if (state == null) {
            field(out, label, "Waiting");
            return;
        }
        if (state.getRunning() != null) {
            field(out, label, "Running");
            field(out, "      Started", state.getRunning().getStartedAt());
        } else if (state.getTerminated() != null) {
            var t = state.getTerminated();
            field(out, label, "Terminated");
            field(out, "      Reason", t.getReason());
            field(out, "      Exit Code", String.valueOf(t.getExitCode()));
            if (t.getSignal() != null && t.getSignal() != 0) {
                field(out, "      Signal", String.valueOf(t.getSignal()));
            }
            field(out, "      Started", t.getStartedAt());
            field(out, "      Finished", t.getFinishedAt());
        } else if (state.getWaiting() != null) {
            field(out, label, "Waiting");
            field(out, "      Reason", state.getWaiting().getReason());
            if (state.getWaiting().getMessage() != null) {
                field(out, "      Message", state.getWaiting().getMessage());
            }
        } else {
            field(out, label, "Waiting");
        }
    }

    private static void quantities(PrintWriter out, String label, Map<String, io.fabric8.kubernetes.api.model.Quantity> q) {
        if (q == null || q.isEmpty()) {
            return;
        }
        out.println(label + ":");
        q.forEach((k, v) -> field(out, "  " + k, v.toString()));
    }

    private static String labels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return "<none>";
        }
        return labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n" + " ".repeat(LABEL_WIDTH)));
    }

    private static final int LABEL_WIDTH = 18;

    /** "Label:" padded to a fixed column, as kubectl aligns describe's fields. */
    private static void field(PrintWriter out, String label, String value) {
        String key = label + ":";
        // Each level of indentation moves its own column, as kubectl's describe does.
        int indent = label.length() - label.stripLeading().length();
        int width = Math.max(indent + LABEL_WIDTH, key.length() + 2);
        out.println(key + " ".repeat(width - key.length()) + (value == null || value.isEmpty() ? "<none>" : value));
    }
}
