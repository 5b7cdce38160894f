package io.berth.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.berth.apimachinery.duration.HumanDuration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.PartialObjectMetadata;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * meta.k8s.io/v1 Table, what {@code kubectl get} asks for ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}):
 * the server decides the columns. fabric8's model has no Table, so it is these records.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Table(String kind, String apiVersion, ListMeta metadata, List<Column> columnDefinitions, List<Row> rows) {

    public static final String CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Column(String name, String type, String format, String description, int priority) {
        public static Column of(String name, String type, String description) {
            return new Column(name, type, name.equals("Name") ? "name" : "", description, 0);
        }

        public Column wide() {
            return new Column(name, type, format, description, 1);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(List<Object> cells, Object object) {
    }

    public static Table of(List<Column> columns, List<Row> rows, String resourceVersion) {
        ListMeta meta = new ListMeta();
        meta.setResourceVersion(resourceVersion);
        return new Table("Table", "meta.k8s.io/v1", meta, columns, rows);
    }

    /** Whether the client asked for a Table (kubectl get does; -o yaml/json do not). */
    public static boolean wanted(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("as=table");
    }

    /** What a row carries, by {@code ?includeObject=} (None, Metadata: the default, Object). */
    public static Object rowObject(HasMetadata o, String includeObject) {
        if ("None".equals(includeObject)) {
            return null;
        }
        if ("Object".equals(includeObject)) {
            return o;
        }
        PartialObjectMetadata p = new PartialObjectMetadata();
        p.setApiVersion("meta.k8s.io/v1");
        p.setKind("PartialObjectMetadata");
        p.setMetadata(o.getMetadata());
        return p;
    }

    /** kubectl's AGE: the apimachinery HumanDuration rules, so it reads as with any cluster. */
    public static String age(String rfc3339, Instant now) {
        return HumanDuration.since(rfc3339, now);
    }
}
