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
import org.springframework.shell.core.command.annotation.Option;

import io.berth.apimachinery.duration.HumanDuration;
import io.berth.apimachinery.labels.LabelSelector;
import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.client.Failures;
import io.berth.shell.format.Colors;
import io.berth.shell.format.Output;
import io.berth.shell.format.PodView;
import io.berth.shell.format.Selector;
import io.berth.shell.format.Table;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;

/** {@code get pods|events|nodes}: lists as kubectl's tables, or as JSON, YAML or names. */
public class GetCommand {
    private final Daemon daemon;
    private final Console console;

    public GetCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = PodNames.BEAN, name = "get pods", alias = {"get pod", "get po"}, group = "Pods",
            description = "List pods, or the pods named, as a table, JSON, YAML or names",
            help = "get pods [NAME...] [-o wide|json|yaml|name] [-l SELECTOR] [--show-labels]")
    public void pods(@Arguments List<String> names,
            @Option(shortName = 'o', longName = "output", description = "wide, json, yaml or name") String output,
            @Option(shortName = 'l', longName = "selector", description = "only pods whose labels match, e.g. app=web,tier!=db") String selector,
            @Option(longName = "show-labels", description = "add a LABELS column") Boolean showLabels,
            @Option(shortName = 'w', longName = "watch", description = "after the list, print each change until Ctrl-C") Boolean watch) {
        Output format = Output.parse(output);
        if (Boolean.TRUE.equals(watch) && !(format.isTable() || format == Output.NAME)) {
            throw ConsoleException.usage("-w prints table rows or names: use it without -o json/yaml");
        }
        LabelSelector labels = Selector.parse(selector);
        String ns = daemon.namespace();
        List<Pod> pods = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        String resourceVersion = null;
        if (names.isEmpty()) {
            var list = daemon.call(c -> c.pods().inNamespace(ns).list(listOptions(labels)));
            pods.addAll(list.getItems());
            resourceVersion = list.getMetadata() == null ? null : list.getMetadata().getResourceVersion();
        } else {
            for (String name : names) {
                Pod pod = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
                if (pod == null) {
                    missing.add(name);
                } else {
                    pods.add(pod);
                }
            }
        }
        pods.removeIf(p -> !labels.test(p.getMetadata().getLabels()));
        pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        PrintWriter out = console.out();
        if (format.isTable()) {
            printPods(pods, format == Output.WIDE, Boolean.TRUE.equals(showLabels), names.isEmpty(), ns);
        } else {
            format.print(pods, names.size() == 1, out);
        }
        notFound("pod", missing, "berth get pods");
        if (Boolean.TRUE.equals(watch)) {
            watchPods(ns, names, labels, resourceVersion, format, Boolean.TRUE.equals(showLabels));
        }
    }

    /**
     * Prints a row (or name) for every change the daemon reports, from where the list ended, until
     * Ctrl-C or until the daemon ends the watch. The watch is the API's plain HTTP one (a chunked
     * stream of JSON events, one a line), read here directly: fabric8's watch first tries a
     * WebSocket upgrade, and against a server that answers the upgrade with the stream itself the
     * JDK client waits for that stream's end and never falls back.
     */
    private void watchPods(String ns, List<String> names, LabelSelector labels, String resourceVersion, Output format,
            boolean showLabels) {
        StringBuilder url = new StringBuilder("/api/v1/namespaces/").append(encode(ns)).append("/pods?watch=true");
        if (resourceVersion != null) {
            url.append("&resourceVersion=").append(encode(resourceVersion));
        }
        if (!labels.isEmpty()) {
            url.append("&labelSelector=").append(encode(labels.toString()));
        }
        io.fabric8.kubernetes.client.http.HttpResponse<java.io.InputStream> response = daemon.get(url.toString(), java.io.InputStream.class);
        if (response.code() != 200) {
            throw new ConsoleException("the daemon refused the watch (" + response.code() + "): run the command again");
        }
        io.fabric8.kubernetes.client.utils.KubernetesSerialization json = daemon.call(c -> c.getKubernetesSerialization());
        try (java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !Thread.currentThread().isInterrupted()) {
                if (line.isBlank()) {
                    continue;
                }
                io.fabric8.kubernetes.api.model.WatchEvent event = json.unmarshal(line, io.fabric8.kubernetes.api.model.WatchEvent.class);
                if (!(event.getObject() instanceof Pod pod) || "BOOKMARK".equals(event.getType())
                        || !labels.test(pod.getMetadata().getLabels())
                        || !names.isEmpty() && !names.contains(pod.getMetadata().getName())) {
                    continue;
                }
                if (format == Output.NAME) {
                    console.out().println("pod/" + pod.getMetadata().getName());
                    console.out().flush();
                } else {
                    Table row = podTable(List.of(pod), format == Output.WIDE, showLabels);
                    Colors colors = console.colors();
                    row.print(console.out(), false, (column, cell) -> column == 2 ? colors.status(cell) : cell);
                }
            }
        } catch (java.io.IOException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw new ConsoleException("the watch broke off: " + e.getMessage() + ": run the command again");
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            console.out().println(); // after the ^C the terminal echoed
            console.out().flush();
        }
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Command(name = "get events", alias = {"get event", "get ev"}, group = "Pods",
            description = "List the events the daemon recorded (pod scheduled, started, failed, killed...)",
            help = "get events [-o json|yaml|name] [--for pod/NAME] [-w]")
    public void events(
            @Option(shortName = 'o', longName = "output", description = "wide, json, yaml or name") String output,
            @Option(longName = "for", description = "only the events of one object, e.g. pod/web") String forObject,
            @Option(shortName = 'w', longName = "watch", description = "after the list, print each new or changed event until Ctrl-C") Boolean watch) {
        Output format = Output.parse(output);
        boolean watching = Boolean.TRUE.equals(watch);
        if (watching && !(format.isTable() || format == Output.NAME)) {
            throw ConsoleException.usage("-w prints table rows or names: use it without -o json/yaml");
        }
        String ns = daemon.namespace();
        String only = forObject == null || forObject.isEmpty() ? null
                : forObject.contains("/") ? forObject.substring(forObject.indexOf('/') + 1) : forObject;
        List<Event> events = events(ns, only);
        if (!format.isTable() && !watching) {
            format.print(events, false, console.out());
            return;
        }
        if (events.isEmpty() && !watching) {
            console.err().println("No events found in " + ns + " namespace.");
            return;
        }
        printEvents(events, format, true);
        if (watching) {
            watchEvents(ns, only, events, format);
        }
    }

    /** The namespace's events, of one object when {@code only} names it, oldest first. */
    private List<Event> events(String ns, String only) {
        List<Event> events = new ArrayList<>(daemon.call(c -> c.v1().events().inNamespace(ns).list().getItems()));
        if (only != null) {
            events.removeIf(e -> e.getInvolvedObject() == null || !only.equals(e.getInvolvedObject().getName()));
        }
        events.sort(Comparator.comparing(GetCommand::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder())));
        return events;
    }

    /**
     * Prints each event that is new or changed (a repeat raises its count and resourceVersion)
     * until Ctrl-C. The daemon does not stream events (its watch is for pods), so this asks for
     * the list once a second and compares each event's resourceVersion with the last seen.
     */
    private void watchEvents(String ns, String only, List<Event> listed, Output format) {
        Map<String, String> seen = new java.util.HashMap<>();
        listed.forEach(e -> seen.put(e.getMetadata().getName(), e.getMetadata().getResourceVersion()));
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(EVENT_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            List<Event> now;
            try {
                now = events(ns, only);
            } catch (ConsoleException e) {
                if (Thread.currentThread().isInterrupted() || Failures.find(e, InterruptedException.class) != null) {
                    break; // Ctrl-C while asking
                }
                throw e;
            }
            List<Event> changed = new ArrayList<>();
            for (Event e : now) {
                String version = e.getMetadata().getResourceVersion();
                if (!java.util.Objects.equals(seen.put(e.getMetadata().getName(), version), version)) {
                    changed.add(e);
                }
            }
            printEvents(changed, format, false);
        }
        console.out().println(); // after the ^C the terminal echoed
        console.out().flush();
    }

    /** How often {@code get events -w} asks for the list. */
    private static final long EVENT_POLL_MS = 1000;

    private void printEvents(List<Event> events, Output format, boolean headers) {
        if (format == Output.NAME) {
            events.forEach(e -> console.out().println("event/" + e.getMetadata().getName()));
            console.out().flush();
            return;
        }
        if (events.isEmpty() && !headers) {
            return;
        }
        Instant now = Instant.now();
        Table table = new Table("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        for (Event e : events) {
            String object = e.getInvolvedObject() == null ? "" : e.getInvolvedObject().getKind().toLowerCase(java.util.Locale.ROOT)
                    + "/" + e.getInvolvedObject().getName();
            table.row(HumanDuration.since(lastSeen(e), now), PodView.orNone(e.getType()), PodView.orNone(e.getReason()), object,
                    e.getMessage() == null ? "" : e.getMessage().replace('\n', ' '));
        }
        Colors colors = console.colors();
        table.print(console.out(), headers, (column, cell) -> column == 1 && "Warning".equals(cell) ? colors.red(cell) : cell);
    }

    @Command(name = "get nodes", alias = {"get node", "get no"}, group = "Pods",
            description = "List the nodes (the Berth host) and whether they are ready",
            help = "get nodes [NAME...] [-o wide|json|yaml|name]")
    public void nodes(@Arguments List<String> names,
            @Option(shortName = 'o', longName = "output", description = "wide, json, yaml or name") String output) {
        Output format = Output.parse(output);
        List<Node> nodes = new ArrayList<>(daemon.call(c -> c.nodes().list().getItems()));
        List<String> missing = new ArrayList<>();
        if (!names.isEmpty()) {
            Map<String, Node> byName = nodes.stream().collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> n));
            nodes.clear();
            for (String name : names) {
                if (byName.containsKey(name)) {
                    nodes.add(byName.get(name));
                } else {
                    missing.add(name);
                }
            }
        }
        if (!format.isTable()) {
            format.print(nodes, names.size() == 1, console.out());
        } else if (!nodes.isEmpty()) {
            Instant now = Instant.now();
            boolean wide = format == Output.WIDE;
            List<String> headers = new ArrayList<>(List.of("NAME", "STATUS", "ROLES", "AGE", "VERSION"));
            if (wide) {
                headers.addAll(List.of("INTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"));
            }
            Table table = new Table(headers);
            for (Node n : nodes) {
                var info = n.getStatus() == null ? null : n.getStatus().getNodeInfo();
                List<String> row = new ArrayList<>(List.of(n.getMetadata().getName(), nodeStatus(n), "<none>",
                        HumanDuration.since(n.getMetadata().getCreationTimestamp(), now),
                        info == null ? "" : PodView.orNone(info.getKubeletVersion())));
                if (wide) {
                    String ip = n.getStatus() == null || n.getStatus().getAddresses() == null ? "<none>"
                            : n.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                                    .map(a -> a.getAddress()).findFirst().orElse("<none>");
                    row.addAll(List.of(ip, info == null ? "<none>" : PodView.orNone(info.getOsImage()),
                            info == null ? "<none>" : PodView.orNone(info.getKernelVersion()),
                            info == null ? "<none>" : PodView.orNone(info.getContainerRuntimeVersion())));
                }
                table.row(row);
            }
            Colors colors = console.colors();
            table.print(console.out(), true, (column, cell) -> column == 1 ? colors.status(cell) : cell);
        } else if (missing.isEmpty()) {
            console.err().println("No resources found");
        }
        notFound("node", missing, "berth get nodes");
    }

    static String nodeStatus(Node n) {
        if (n.getStatus() != null && n.getStatus().getConditions() != null) {
            for (NodeCondition c : n.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    return "True".equals(c.getStatus()) ? "Ready" : "NotReady";
                }
            }
        }
        return "Unknown";
    }

    private void printPods(List<Pod> pods, boolean wide, boolean showLabels, boolean listing, String ns) {
        if (pods.isEmpty()) {
            if (listing) {
                console.err().println("No resources found in " + ns + " namespace.");
                console.err().flush();
            }
            return;
        }
        Table table = podTable(pods, wide, showLabels);
        Colors colors = console.colors();
        table.print(console.out(), true, (column, cell) -> column == 2 ? colors.status(cell) : cell);
    }

    private static Table podTable(List<Pod> pods, boolean wide, boolean showLabels) {
        Instant now = Instant.now();
        List<String> headers = new ArrayList<>(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE"));
        if (wide) {
            headers.addAll(List.of("IP", "NODE"));
        }
        if (showLabels) {
            headers.add("LABELS");
        }
        Table table = new Table(headers);
        for (Pod p : pods) {
            List<String> row = new ArrayList<>(List.of(p.getMetadata().getName(), PodView.ready(p), PodView.status(p),
                    String.valueOf(PodView.restarts(p)), HumanDuration.since(p.getMetadata().getCreationTimestamp(), now)));
            if (wide) {
                row.add(p.getStatus() == null ? "<none>" : PodView.orNone(p.getStatus().getPodIP()));
                row.add(p.getSpec() == null ? "<none>" : PodView.orNone(p.getSpec().getNodeName()));
            }
            if (showLabels) {
                Map<String, String> labels = p.getMetadata().getLabels();
                row.add(labels == null || labels.isEmpty() ? "<none>"
                        : labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
            }
            table.row(row);
        }
        return table;
    }

    private static ListOptions listOptions(LabelSelector labels) {
        ListOptionsBuilder b = new ListOptionsBuilder();
        if (!labels.isEmpty()) {
            b.withLabelSelector(labels.toString());
        }
        return b.build();
    }

    static String lastSeen(Event e) {
        if (e.getLastTimestamp() != null) {
            return e.getLastTimestamp();
        }
        if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
            return e.getEventTime().getTime();
        }
        return e.getMetadata() == null ? null : e.getMetadata().getCreationTimestamp();
    }

    /** After printing what was found: one line naming what was not, and a failed status. */
    private void notFound(String kind, List<String> missing, String hint) {
        if (missing.isEmpty()) {
            return;
        }
        console.out().flush();
        String names = missing.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
        throw new ConsoleException(kind + (missing.size() > 1 ? "s " : " ") + names + " not found: `" + hint
                + "` lists the " + kind + "s there are");
    }

    static <T extends HasMetadata> List<T> sorted(List<T> items) {
        List<T> copy = new ArrayList<>(items);
        copy.sort(Comparator.comparing(i -> i.getMetadata().getName()));
        return copy;
    }
}
