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
 * Kubernetes model). Not used at run time.
 */
final class TrainingDocuments {
    private TrainingDocuments() {
    }

    static void parseAndPrint() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        String now = Instant.now().toString();
        PodList pods = serialization.unmarshal("""
                {"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"7"},"items":[
                 {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","uid":"1",
                  "creationTimestamp":"%s","labels":{"app":"web"}},
                  "spec":{"nodeName":"berth","restartPolicy":"Always","containers":[{"name":"web","image":"busybox",
                   "command":["sleep","3600"],"resources":{"limits":{"memory":"64Mi"}}}]},
                  "status":{"phase":"Running","podIP":"10.88.0.2","startTime":"%s","conditions":[{"type":"Ready","status":"True"}],
                   "containerStatuses":[{"name":"web","ready":true,"restartCount":1,"image":"busybox","imageID":"sha256:00",
                    "state":{"running":{"startedAt":"%s"}},
                    "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled","startedAt":"%s","finishedAt":"%s"}}}]}}]}
                """.formatted(now, now, now, now, now), PodList.class);
        EventList events = serialization.unmarshal("""
                {"apiVersion":"v1","kind":"EventList","items":[{"apiVersion":"v1","kind":"Event",
                 "metadata":{"name":"web.1","namespace":"default","creationTimestamp":"%s"},
                 "involvedObject":{"kind":"Pod","name":"web","namespace":"default"},"reason":"Started","type":"Normal",
                 "message":"Started container web","source":{"component":"berth"},"lastTimestamp":"%s","count":1}]}
                """.formatted(now, now), EventList.class);
        PrintWriter sink = new PrintWriter(new StringWriter());
        List<Pod> items = pods.getItems();
        Output.JSON.print(items, false, sink);
        Output.YAML.print(items, true, sink);
        Output.NAME.print(items, false, sink);
        io.berth.shell.command.DescribeCommand.describe(items.get(0), events.getItems(), sink, Instant.now());
    }
}
