package io.berth.runtime.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import tools.jackson.core.JacksonException;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes {@code config.json}; every failure is one line that names the file and the problem. */
public final class SpecJson {
    /**
     * runc's layout ({@code "pid": 42}, two-space indent, {@code []}): tools that read runc's
     * output with patterns rather than a parser keep working on Berth's.
     */
    public static final DefaultPrettyPrinter GO_STYLE = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectNameValueSpacing(Separators.Spacing.AFTER)
            .withArrayEmptySeparator("")
            .withObjectEmptySeparator(""))
            .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance());

    /** Unknown properties are ignored: the runtime spec requires it of runtimes. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Absent booleans and numbers mean false and 0, as in the spec's Go model.
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private SpecJson() {
    }

    public static Spec read(Path configJson) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(configJson);
        } catch (NoSuchFileException e) {
            throw new InvalidSpecException(configJson + " does not exist: pass the bundle directory that holds config.json (berth-runtime spec writes one)");
        } catch (IOException e) {
            throw new InvalidSpecException("cannot read " + configJson + ": " + e.getMessage());
        }
        return parse(bytes, configJson.toString());
    }

    /** An exec's process.json (an OCI process object). */
    public static Spec.Process readProcess(Path processJson) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(processJson);
        } catch (NoSuchFileException e) {
            throw new InvalidSpecException(processJson + " does not exist: give --process a file holding an OCI process object");
        } catch (IOException e) {
            throw new InvalidSpecException("cannot read " + processJson + ": " + e.getMessage());
        }
        try {
            Spec.Process process = MAPPER.readValue(bytes, Spec.Process.class);
            if (process == null) {
                throw new InvalidSpecException(processJson + " is empty: expected an OCI process object");
            }
            return process;
        } catch (JacksonException e) {
            throw new InvalidSpecException(malformed(e, processJson.toString()));
        }
    }

    public static Spec parse(byte[] json, String source) {
        try {
            Spec spec = MAPPER.readValue(json, Spec.class);
            if (spec == null) {
                throw new InvalidSpecException(source + " is empty: expected an OCI runtime spec object");
            }
            return spec;
        } catch (JacksonException e) {
            throw new InvalidSpecException(malformed(e, source));
        }
    }

    private static String malformed(JacksonException e, String source) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String path = e.getPathReference() == null ? "" : " (" + e.getPathReference().replace("io.berth.runtime.oci.", "") + ")";
        return "malformed " + source + where + path + ": " + e.getOriginalMessage();
    }

    public static String write(Spec spec) {
        return MAPPER.writer().with(GO_STYLE).writeValueAsString(spec);
    }
}
