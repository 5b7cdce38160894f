package io.berth.runtime.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** --pid-file: written whole or not at all (containerd reads it as soon as it appears). */
final class PidFile {
    private PidFile() {
    }

    static void write(Path file, int pid) {
        if (file == null) {
            return;
        }
        try {
            Path abs = file.toAbsolutePath();
            Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(pid));
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write --pid-file " + file, e);
        }
    }
}
