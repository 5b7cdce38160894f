package io.berth.orchestrator.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pod records on disk, one file per pod, each replaced whole (temporary file, rename):
 * a crash leaves the old record or the new one, never half of one.
 */
public final class NodeRecords {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private final Path dir;

    public NodeRecords(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private Path file(String uid) {
        if (!uid.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("pod uid '" + uid + "' cannot name a file");
        }
        return dir.resolve(uid + ".json");
    }

    public void save(PodRecord r) {
        Path target = file(r.uid);
        Path tmp = dir.resolve("." + r.uid + ".json.tmp");
        try {
            // No fsync: what must survive is the daemon's death, and the page cache does; a machine's
            // crash takes the containers with it, and resume then finds them gone and restarts them.
            // (fsync cost 10-30 ms per write on this shared VM, four writes per container start.)
            Files.write(tmp, JSON.writeValueAsBytes(r));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the record of pod " + r.uid + " in " + target, e);
        }
    }

    public PodRecord load(String uid) {
        Path f = file(uid);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            return JSON.readValue(Files.readAllBytes(f), PodRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    public List<PodRecord> loadAll() {
        List<PodRecord> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().startsWith(".")).toList()) {
                String n = p.getFileName().toString();
                PodRecord r = load(n.substring(0, n.length() - 5));
                if (r != null) {
                    out.add(r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    public void remove(String uid) {
        try {
            Files.deleteIfExists(file(uid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the record of pod " + uid, e);
        }
    }
}
