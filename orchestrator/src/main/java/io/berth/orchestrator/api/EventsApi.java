package io.berth.orchestrator.api;

import io.berth.apimachinery.labels.LabelSelector;
import io.berth.orchestrator.store.EventStore;
import io.berth.orchestrator.store.ResourceVersions;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** core/v1 events: list (Table for {@code kubectl get events}), get; the involvedObject selectors {@code describe} uses. */
@RestController
public class EventsApi {

    static final Set<String> FIELDS = Set.of("metadata.name", "metadata.namespace", "involvedObject.kind",
            "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
            "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type");

    static final List<Table.Column> COLUMNS = List.of(
            Table.Column.of("Last Seen", "string", "The last time the event was seen."),
            Table.Column.of("Type", "string", "Type of this event (Normal, Warning)."),
            Table.Column.of("Reason", "string", "Why the action was taken, in CamelCase."),
            Table.Column.of("Object", "string", "The object this event is about."),
            Table.Column.of("Subobject", "string", "The part of the object, if any.").wide(),
            Table.Column.of("Source", "string", "The component reporting this event.").wide(),
            Table.Column.of("Message", "string", "A human-readable description of the status of this operation."),
            Table.Column.of("First Seen", "string", "The first time the event was seen.").wide(),
            Table.Column.of("Count", "string", "The number of times this event has occurred.").wide(),
            Table.Column.of("Name", "string", "The name of the event.").wide());

    private final EventStore events;
    private final ResourceVersions versions;
    private final ApiJson json;

    public EventsApi(EventStore events, ResourceVersions versions, ApiJson json) {
        this.events = events;
        this.versions = versions;
        this.json = json;
    }

    @GetMapping("/api/v1/events")
    public ResponseEntity<byte[]> listAll(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                          @RequestParam Map<String, String> params) {
        return list(null, accept, params);
    }

    @GetMapping("/api/v1/namespaces/{namespace}/events")
    public ResponseEntity<byte[]> list(@PathVariable String namespace,
                                       @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                       @RequestParam Map<String, String> params) {
        if (PodsApi.isTrue(params.get("watch"))) {
            throw ApiException.methodNotAllowed("watch events: Berth does not stream events");
        }
        FieldSelector fields = FieldSelector.parse(params.get("fieldSelector"), "events", FIELDS);
        LabelSelector labels = PodsApi.labelSelector(params.get("labelSelector"));
        long version = versions.latest();
        List<Event> items = versions.read(() -> events.list(namespace)).stream()
                .filter(e -> labels.test(e.getMetadata().getLabels()) && fields.matches(f -> field(e, f))).toList();
        if (Table.wanted(accept)) {
            Instant now = Instant.now();
            return json.respond(HttpStatus.OK, Table.CONTENT_TYPE, Table.of(COLUMNS,
                    items.stream().map(e -> row(e, params.get("includeObject"), now)).toList(), Long.toString(version)));
        }
        return json.ok(new EventList("v1", items, "EventList", new ListMetaBuilder().withResourceVersion(Long.toString(version)).build()));
    }

    @GetMapping("/api/v1/namespaces/{namespace}/events/{name}")
    public ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name) {
        return json.ok(events.get(namespace, name).orElseThrow(() -> ApiException.notFound("events", name)));
    }

    private static Table.Row row(Event e, String includeObject, Instant now) {
        var o = e.getInvolvedObject();
        String object = o.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + o.getName();
        List<Object> cells = List.of(Table.age(e.getLastTimestamp(), now), e.getType(), e.getReason(), object,
                o.getFieldPath() == null ? "" : o.getFieldPath(),
                e.getSource().getComponent() + (e.getSource().getHost() == null ? "" : ", " + e.getSource().getHost()),
                e.getMessage(), Table.age(e.getFirstTimestamp(), now), Integer.toString(e.getCount()), e.getMetadata().getName());
        return new Table.Row(cells, Table.rowObject(e, includeObject));
    }

    static String field(Event e, String field) {
        var o = e.getInvolvedObject();
        return switch (field) {
            case "metadata.name" -> e.getMetadata().getName();
            case "metadata.namespace" -> e.getMetadata().getNamespace();
            case "involvedObject.kind" -> o.getKind();
            case "involvedObject.namespace" -> o.getNamespace();
            case "involvedObject.name" -> o.getName();
            case "involvedObject.uid" -> o.getUid();
            case "involvedObject.apiVersion" -> o.getApiVersion();
            case "involvedObject.resourceVersion" -> o.getResourceVersion();
            case "involvedObject.fieldPath" -> o.getFieldPath();
            case "reason" -> e.getReason();
            case "reportingComponent" -> e.getReportingComponent();
            case "source" -> e.getSource() == null ? null : e.getSource().getComponent();
            case "type" -> e.getType();
            default -> null;
        };
    }
}
