package io.berth.orchestrator.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.linux.ExitStatus;

/**
 * {@code <state>/exits/<pid>-<starttime>}: one file per container exit not yet in the pod records,
 * holding {@code exit N} or {@code signal N}. Written by whoever saw the exit first: the daemon
 * (before it reaps its child) or {@code berth-subreaper} (before it reaps an orphan whose daemon
 * died). The daemon removes a file once the exit is in the pod's record, so a crash in between
 * loses nothing. The start time makes a reused pid a different file.
 */
public final class ExitFiles {
    private final Path dir;

    public ExitFiles(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path file(ProcessIdentity p) {
        return dir.resolve(p.pid() + "-" + p.startTime());
    }

    /** Same format and same atomic rename as berth_subreaper.c. */
    public void write(ProcessIdentity p, ExitStatus status) {
        Path target = file(p);
        Path tmp = dir.resolve(".tmp-" + p.pid() + "-" + p.startTime() + "-jvm");
        try {
            Files.writeString(tmp, format(status));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the exit of " + p.pid() + " in " + target, e);
        }
    }

    public Optional<ExitStatus> read(ProcessIdentity p) {
        try {
            return Optional.of(parse(Files.readString(file(p))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(p), e);
        }
    }

    public void remove(ProcessIdentity p) {
        try {
            Files.deleteIfExists(file(p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file(p), e);
        }
    }

    static String format(ExitStatus s) {
        return s.signaled() ? "signal " + s.signal() + "\n" : "exit " + s.code() + "\n";
    }

    static ExitStatus parse(String text) {
        String[] f = text.trim().split(" ");
        if (f.length != 2 || !(f[0].equals("exit") || f[0].equals("signal"))) {
            throw new IllegalArgumentException("malformed exit file: '" + text.trim() + "'");
        }
        int n = Integer.parseInt(f[1]);
        return f[0].equals("exit") ? ExitStatus.exited(n) : ExitStatus.killed(n, false);
    }
}
