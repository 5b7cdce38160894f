package io.berth.shell;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;

import io.berth.shell.format.Output;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Documents shaped like the daemon's answers, parsed and printed during the AOT training run so
 * that the cache also holds what reading a real answer loads (Jackson's deserialisers for the
 * Kubernetes model), and the training server's answers ({@link TrainingServer}). Not used at run time.
 */
final class TrainingDocuments {
    private TrainingDocuments() {
    }

    private static final String NOW = Instant.now().toString();

    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","uid":"1","resourceVersion":"7",
             "creationTimestamp":"%1$s","labels":{"app":"web"}},
             "spec":{"nodeName":"berth","restartPolicy":"Always","containers":[{"name":"web","image":"busybox",
              "command":["sleep","3600"],"resources":{"limits":{"memory":"64Mi"}}}]},
             "status":{"phase":"Running","podIP":"10.88.0.2","startTime":"%1$s","conditions":[{"type":"Ready","status":"True"}],
              "containerStatuses":[{"name":"web","ready":true,"restartCount":1,"image":"busybox","imageID":"sha256:00",
               "state":{"running":{"startedAt":"%1$s"}},
               "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled","startedAt":"%1$s","finishedAt":"%1$s"}}}]}}
            """.formatted(NOW);
    private static final String PODS = "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":["
            + POD + "]}";
    private static final String EVENTS = """
            {"apiVersion":"v1","kind":"EventList","items":[{"apiVersion":"v1","kind":"Event",
             "metadata":{"name":"web.1","namespace":"default","creationTimestamp":"%1$s","resourceVersion":"8"},
             "involvedObject":{"kind":"Pod","name":"web","namespace":"default"},"reason":"Started","type":"Normal",
             "message":"Started container web","source":{"component":"berth"},"lastTimestamp":"%1$s","count":1}]}
            """.formatted(NOW);

    /** What the daemon would answer to a GET of {@code path} (the training server's answers), or null. */
    static String answer(String path) {
        return switch (path) {
            case "/version" -> """
                    {"major":"1","minor":"32","gitVersion":"v1.32.0-berth","platform":"linux/amd64"}""";
            case "/api/v1/namespaces/default/pods" -> PODS;
            case "/api/v1/namespaces/default/pods/web" -> POD;
            case "/api/v1/namespaces/default/pods/web/log" -> "training\n";
            case "/api/v1/namespaces/default/events" -> EVENTS;
            case "/api/v1/nodes" -> """
                    {"apiVersion":"v1","kind":"NodeList","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"berth",
                     "creationTimestamp":"%1$s"},"status":{"conditions":[{"type":"Ready","status":"True"}],
                     "addresses":[{"type":"InternalIP","address":"127.0.0.1"}],"nodeInfo":{"kubeletVersion":"v1.32.0-berth",
                     "osImage":"Debian","kernelVersion":"6.1","containerRuntimeVersion":"berth://0.1"}}}]}""".formatted(NOW);
            case "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods" -> """
                    {"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[{"kind":"PodMetrics",
                     "apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"web","namespace":"default"},"timestamp":"%1$s",
                     "window":"1s","containers":[{"name":"web","usage":{"cpu":"1234567n","memory":"4096Ki"}}]}]}""".formatted(NOW);
            case "/apis/berth.io/v1/images" -> """
                    {"apiVersion":"berth.io/v1","kind":"ImageList","items":[{"apiVersion":"berth.io/v1","kind":"Image",
                     "metadata":{"name":"sha256-0123456789ab"},"status":{"references":["docker.io/library/busybox:latest"],
                     "size":1048576,"created":"%1$s","digest":"sha256:0123456789ab"}}]}""".formatted(NOW);
            case "/actuator/prometheus" -> """
                    # TYPE berth_pod_startup_seconds histogram
                    berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="0.5"} 1
                    berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="1.0"} 3
                    berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="+Inf"} 3
                    berth_pod_startup_seconds_count{outcome="success",phase="total"} 3
                    berth_pods{phase="Running"} 1.0
                    berth_container_restarts_total{reason="Error"} 1.0
                    """;
            default -> null;
        };
    }

    static void parseAndPrint() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        PodList pods = serialization.unmarshal(PODS, PodList.class);
        EventList events = serialization.unmarshal(EVENTS, EventList.class);
        PrintWriter sink = new PrintWriter(new StringWriter());
        List<Pod> items = pods.getItems();
        Output.JSON.print(items, false, sink);
        Output.YAML.print(items, true, sink);
        Output.NAME.print(items, false, sink);
        io.berth.shell.command.DescribeCommand.describe(items.get(0), events.getItems(), sink, Instant.now());
    }
}
