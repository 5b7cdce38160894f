package io.berth.runtime.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.berth.runtime.container.ContainerException;
import io.berth.runtime.container.ContainerJson;

/**
 * The {@code --log} file. containerd reads it to explain a failed create, in the json format runc
 * writes: one object a line with level, msg and time.
 */
final class ErrorLog {

    private ErrorLog() {
    }

    static String message(Throwable e) {
        if (e instanceof ContainerException c && c.remedy() != null) {
            // The library words its remedies for library callers; here they are this CLI's flags.
            return c.problem().replace('\n', ' ') + "; " + remedy(c.remedy());
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    static String remedy(ContainerException.Remedy remedy) {
        return switch (remedy) {
            case STOP_OR_FORCE_DELETE -> "stop it first or use --force";
            case FORCE_DELETE_AGAIN -> "try delete --force again";
            case FORCE_DELETE -> "delete it with --force";
        };
    }

    static void write(Path log, BerthRuntime.LogFormat format, String message) {
        write(log, format, "error", message);
    }

    /** A warning: something the spec says to report without failing the command (a failing poststop hook). */
    static void warn(Path log, BerthRuntime.LogFormat format, String message) {
        write(log, format, "warning", message);
    }

    private static void write(Path log, BerthRuntime.LogFormat format, String level, String message) {
        if (log == null) {
            return;
        }
        String line;
        if (format == BerthRuntime.LogFormat.JSON) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("level", level);
            entry.put("msg", message);
            entry.put("time", Instant.now().toString());
            line = ContainerJson.compact(entry);
        } else {
            line = "time=\"" + Instant.now() + "\" level=" + level + " msg=\"" + message.replace("\"", "\\\"") + "\"";
        }
        try {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("berth-runtime: cannot write --log " + log + ": " + e.getMessage());
        }
    }
}
