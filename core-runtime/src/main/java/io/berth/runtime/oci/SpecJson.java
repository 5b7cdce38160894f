package io.berth.runtime.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

import io.berth.runtime.json.JsonOut;
import io.berth.runtime.json.JsonReadException;
import io.berth.runtime.json.JsonValue;

/**
 * Reads and writes {@code config.json}; every failure is one line that names the file, the place
 * and JSON path when known, and the problem.
 */
public final class SpecJson {

    private SpecJson() {
    }

    public static Spec read(Path configJson) {
        return parse(bytes(configJson, "pass the bundle directory that holds config.json (berth-runtime spec writes one)"), configJson.toString());
    }

    /** An exec's process.json (an OCI process object). */
    public static Spec.Process readProcess(Path processJson) {
        byte[] json = bytes(processJson, "give --process a file holding an OCI process object");
        String source = processJson.toString();
        try {
            return Spec.Process.read(object(json, source, "an OCI process object"));
        } catch (JsonReadException e) {
            throw new InvalidSpecException(e.describe(source));
        }
    }

    public static Spec parse(byte[] json, String source) {
        try {
            return Spec.read(object(json, source, "an OCI runtime spec object"));
        } catch (JsonReadException e) {
            throw new InvalidSpecException(e.describe(source));
        }
    }

    /** A linux.seccomp object on its own (the profile a container keeps for its execs); null for JSON null. */
    public static Spec.Seccomp parseSeccomp(byte[] json, String source) {
        return parsePart(json, source, Spec.Seccomp::read);
    }

    /** A hooks object on its own (the hooks a container keeps for start and delete); null for JSON null. */
    public static Spec.Hooks parseHooks(byte[] json, String source) {
        return parsePart(json, source, Spec.Hooks::read);
    }

    private static <T> T parsePart(byte[] json, String source, Function<JsonValue, T> read) {
        try {
            JsonValue root = JsonValue.parse(json);
            return root == null || root.isNull() ? null : read.apply(root.asObject());
        } catch (JsonReadException e) {
            throw new InvalidSpecException(e.describe(source));
        }
    }

    public static String write(Spec spec) {
        return JsonOut.pretty(spec);
    }

    /** The document's top-level object; empty (or JSON null) is its own one-line error. */
    private static JsonValue object(byte[] json, String source, String expected) {
        JsonValue root = JsonValue.parse(json);
        if (root == null || root.isNull()) {
            throw new InvalidSpecException(source + " is empty: expected " + expected);
        }
        return root.asObject();
    }

    private static byte[] bytes(Path file, String whatToDo) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidSpecException(file + " does not exist: " + whatToDo);
        } catch (IOException e) {
            throw new InvalidSpecException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
