package io.berth.shell.format;

import java.io.PrintWriter;
import java.util.List;

import io.berth.shell.ConsoleException;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;
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
                String text = kubectlStyle(SERIALIZATION.asJson(document), this == YAML);
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

    /**
     * fabric8 decides what the API objects serialise to (its JSON); this only lays that out as
     * kubectl does: JSON indented by four with {@code "key": value}, YAML without quotes where
     * none are needed and without a leading {@code ---}.
     */
    private static String kubectlStyle(String json, boolean yaml) {
        JsonNode tree = JSON_MAPPER.readTree(json);
        if (yaml) {
            return YAML_MAPPER.writeValueAsString(tree);
        }
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectNameValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("    ", "\n"))
                .withArrayIndenter(new DefaultIndenter("    ", "\n"));
        return JSON_MAPPER.writer().with(pretty).writeValueAsString(tree) + "\n";
    }

    private static final JsonMapper JSON_MAPPER = JsonMapper.builder().build();
    private static final YAMLMapper YAML_MAPPER = YAMLMapper.builder()
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            // "3600" in a command stays a string: unquoted it would read back as a number.
            .enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .build();
}
