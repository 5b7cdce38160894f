package io.berth.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.berth.runtime.json.JsonReadException;
import io.berth.runtime.json.JsonValue;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;

/**
 * The runtime's state root ({@code --root}, like runc's /run/runc): one directory per container
 * holding {@code state.json} and, while the container waits for start, {@code exec.fifo}.
 * Creating the directory is the lock that makes ids unique.
 */
public final class StateStore {
    /** runc's rule for ids, so that an id is always a safe single path component. */
    /** The id names a directory here and a cgroup: one file name (NAME_MAX 255), never a path. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_+.-]{0,254}");
    static final String STATE_FILE = "state.json";
    static final String EXEC_FIFO = "exec.fifo";
    /** The container's seccomp profile, which every exec'd process gets too (as in runc). */
    static final String SECCOMP = "seccomp.json";
    /** The hooks that start and delete run; config.json may change after create (runtime.md). */
    static final String HOOKS = "hooks.json";

    private final Path root;

    public StateStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    public static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new ContainerException("invalid container id '" + id + "': use letters, digits, '_', '+', '-' and '.', starting with a letter or digit, at most 255 characters");
        }
    }

    public Path dir(String id) {
        checkId(id);
        return root.resolve(id);
    }

    public Path execFifo(String id) {
        return dir(id).resolve(EXEC_FIFO);
    }

    /** Claims the id; a second claim of the same id fails, whoever makes it. */
    public Path reserve(String id) {
        Path dir = dir(id);
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new ContainerException("container '" + id + "' already exists: delete it first or choose another id");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + dir, e);
        }
    }

    public void save(ContainerRecord record) {
        Path dir = dir(record.id());
        Path tmp = dir.resolve(STATE_FILE + ".tmp");
        try {
            Files.writeString(tmp, ContainerJson.compact(record));
            try {
                Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state of container " + record.id(), e);
        }
    }

    /** Keeps the profile an exec must apply; the bundle's config.json may change or go away. */
    public void saveSeccomp(String id, Spec.Seccomp seccomp) {
        save(id, SECCOMP, "the seccomp profile", seccomp);
    }

    /** The profile saved at create, or null when the container has none. */
    public Spec.Seccomp loadSeccomp(String id) {
        return load(id, SECCOMP, "the seccomp profile", SpecJson::parseSeccomp, "delete the container with --force");
    }

    /** Keeps the poststart and poststop hooks for the start and delete that may run in another process. */
    public void saveHooks(String id, Spec.Hooks hooks) {
        save(id, HOOKS, "the hooks", hooks);
    }

    /** The hooks saved at create, or null when the container has none. */
    public Spec.Hooks loadHooks(String id) {
        return load(id, HOOKS, "the hooks", SpecJson::parseHooks, "delete the container (its poststop hooks will not run)");
    }

    /** A part of the bundle's config.json that later commands need as it was at create. */
    private void save(String id, String name, String what, Object document) {
        try {
            Files.writeString(dir(id).resolve(name), ContainerJson.compact(document));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + what + " of container " + id, e);
        }
    }

    private <T> T load(String id, String name, String what, BiFunction<byte[], String, T> parse, String remedy) {
        Path file = dir(id).resolve(name);
        try {
            return parse.apply(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " of container " + id, e);
        } catch (InvalidSpecException e) {
            throw new ContainerException(what + " of container '" + id + "' cannot be read from " + file + " (" + e.getMessage() + "): " + remedy);
        }
    }

    public boolean exists(String id) {
        return Files.isRegularFile(dir(id).resolve(STATE_FILE));
    }

    public ContainerRecord load(String id) {
        Path file = dir(id).resolve(STATE_FILE);
        try {
            JsonValue json = JsonValue.parse(Files.readAllBytes(file));
            if (json == null || json.isNull()) {
                throw new ContainerException("the state of container '" + id + "' in " + file + " is empty: delete it with --force");
            }
            return ContainerRecord.read(json.asObject());
        } catch (NoSuchFileException e) {
            throw new ContainerNotFoundException(id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the state of container " + id, e);
        } catch (JsonReadException e) {
            throw new ContainerException("the state of container '" + id + "' in " + file + " is corrupt (" + e.getMessage() + "): delete it with --force");
        }
    }

    /** Ids of every container with a state file, sorted. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                if (Files.isRegularFile(d.resolve(STATE_FILE))) {
                    ids.add(d.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /** Removes the container's directory and everything in it; absent is fine. */
    public void remove(String id) {
        Path dir = dir(id);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the state of container " + id, e);
        }
    }
}
