package io.berth.shell.command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.berth.shell.ConsoleException;
import io.berth.shell.client.Failures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

/**
 * Reads the objects of {@code -f FILE} (or {@code -f -}, standard input): YAML with any number of
 * {@code ---}-separated documents, or JSON; a {@code List} counts as its items. Everything is
 * read and checked before the daemon is asked, so a file with one bad document changes nothing;
 * a syntax error names the file, its line and column.
 */
final class Manifests {
    /** One object from a file, with where it came from for messages. */
    record Manifest(Pod pod, String source) {
        String name() {
            return pod.getMetadata() == null ? null : pod.getMetadata().getName();
        }
    }

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Manifests() {
    }

    static List<Manifest> read(String file, InputStream stdin) {
        if (file == null || file.isEmpty()) {
            throw ConsoleException.usage("-f is required: name a YAML or JSON file, or - for standard input");
        }
        String label = file.equals("-") ? "standard input" : file;
        String text;
        try {
            text = file.equals("-") ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConsoleException("file " + file + " does not exist: check the path given to -f");
        } catch (IOException e) {
            throw new ConsoleException("cannot read " + label + ": " + e.getMessage());
        }
        List<Manifest> manifests = new ArrayList<>();
        List<int[]> documents = documents(text);
        for (int[] d : documents) {
            String doc = text.substring(d[0], d[1]);
            if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            int firstLine = (int) text.substring(0, d[0]).chars().filter(c -> c == '\n').count();
            Object parsed;
            try {
                parsed = SERIALIZATION.unmarshal(doc);
            } catch (RuntimeException e) {
                throw syntax(label, firstLine, e);
            }
            collect(parsed, label + (documents.size() > 1 ? " (document at line " + (firstLine + 1) + ")" : ""), manifests);
        }
        if (manifests.isEmpty()) {
            throw new ConsoleException(label + " holds no objects: give it a Pod in YAML or JSON");
        }
        return manifests;
    }

    private static void collect(Object parsed, String source, List<Manifest> into) {
        if (parsed instanceof KubernetesList list) {
            for (HasMetadata item : list.getItems()) {
                collect(item, source, into);
            }
        } else if (parsed instanceof Pod pod) {
            if (pod.getMetadata() == null || pod.getMetadata().getName() == null || pod.getMetadata().getName().isEmpty()) {
                throw new ConsoleException("a Pod in " + source + " has no metadata.name: give it a name");
            }
            Names.pod(pod.getMetadata().getName());
            into.add(new Manifest(pod, source));
        } else if (parsed instanceof HasMetadata other) {
            throw new ConsoleException(source + " holds a " + other.getKind() + " (" + other.getApiVersion()
                    + "): Berth's daemon serves Pods only; remove it or put it in another file");
        } else {
            throw new ConsoleException(source + " is not a Kubernetes object (no apiVersion and kind?): give it a Pod");
        }
    }

    /** The spans of the YAML documents: split at lines that are exactly "---" (optionally a comment after). */
    private static List<int[]> documents(String text) {
        List<int[]> spans = new ArrayList<>();
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            spans.add(new int[] {0, text.length()});
            return spans;
        }
        int start = 0;
        int pos = 0;
        while (pos <= text.length()) {
            int end = text.indexOf('\n', pos);
            int lineEnd = end < 0 ? text.length() : end;
            String line = text.substring(pos, lineEnd);
            if (line.equals("---") || line.startsWith("--- ") || line.startsWith("---\t")) {
                spans.add(new int[] {start, pos});
                start = end < 0 ? text.length() : end + 1;
            }
            if (end < 0) {
                break;
            }
            pos = end + 1;
        }
        spans.add(new int[] {start, text.length()});
        return spans;
    }

    private static ConsoleException syntax(String label, int firstLine, RuntimeException e) {
        JacksonException j = Failures.find(e, JacksonException.class);
        MarkedYamlEngineException y = Failures.find(e, MarkedYamlEngineException.class);
        String where = "";
        String what = e.getMessage();
        if (y != null && y.getProblemMark().isPresent()) {
            // The YAML parser's own words and position (its message spans several lines with a caret).
            Mark at = y.getProblemMark().get();
            where = ", line " + (firstLine + at.getLine() + 1) + ", column " + (at.getColumn() + 1);
            what = y.getProblem();
        } else if (j != null) {
            TokenStreamLocation at = j.getLocation();
            if (at != null && at.getLineNr() > 0) {
                where = ", line " + (firstLine + at.getLineNr()) + ", column " + at.getColumnNr();
            }
            what = j.getOriginalMessage();
        }
        return new ConsoleException("cannot read " + label + where + ": " + Failures.oneLine(what)
                + ": fix the YAML or JSON and try again", e);
    }
}
