package io.berth.shell.format;

import java.io.PrintWriter;
import java.util.List;

import io.berth.shell.ConsoleException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The output formats of {@code -o}, as kubectl's: the table (default), {@code wide} (more
 * columns), {@code json} and {@code yaml} (the API objects, a {@code List} when asked for
 * several), {@code name} ({@code pod/NAME}, one a line, for scripts).
 */
public enum Output {
    TABLE, WIDE, JSON, YAML, NAME;

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    public static Output parse(String value) {
        if (value == null || value.isEmpty()) {
            return TABLE;
        }
        switch (value) {
            case "wide": return WIDE;
            case "json": return JSON;
            case "yaml": return YAML;
            case "name": return NAME;
            default:
                throw ConsoleException.usage("unknown output format '" + value + "': use -o wide, json, yaml or name");
        }
    }

    public boolean isTable() {
        return this == TABLE || this == WIDE;
    }

    /** Prints objects as JSON, YAML or names; {@code single} prints the one object rather than a List. */
    public void print(List<? extends HasMetadata> items, boolean single, PrintWriter out) {
        switch (this) {
            case NAME:
                for (HasMetadata item : items) {
                    out.println(item.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + item.getMetadata().getName());
                }
                break;
            case JSON:
            case YAML:
                Object document = single && items.size() == 1 ? items.get(0)
                        : new KubernetesListBuilder().withItems(List.copyOf(items)).build();
                String text = this == JSON ? SERIALIZATION.asJson(document) : SERIALIZATION.asYaml(document);
                if (this == JSON) {
                    text = prettyJson(text);
                }
                out.print(text);
                if (!text.endsWith("\n")) {
                    out.println();
                }
                break;
            default:
                throw new IllegalStateException("tables are printed by their command");
        }
        out.flush();
    }

    private static String prettyJson(String compact) {
        tools.jackson.databind.ObjectMapper mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(compact));
    }
}
