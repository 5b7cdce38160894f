package io.berth.orchestrator.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The daemon's state directory and the one place that names what lives in it. Default
 * {@code /var/lib/berth}; {@code BERTH_HOME} or {@code --state} moves it (every test uses its own).
 */
public record StateRoot(Path dir) {

    public static final Path DEFAULT = Path.of("/var/lib/berth");

    public StateRoot {
        dir = dir.toAbsolutePath().normalize();
    }

    /** {@code --state} wins over {@code BERTH_HOME}, which wins over the default. */
    public static StateRoot choose(String stateFlag, String berthHome) {
        if (stateFlag != null && !stateFlag.isBlank()) {
            return new StateRoot(Path.of(stateFlag));
        }
        if (berthHome != null && !berthHome.isBlank()) {
            return new StateRoot(Path.of(berthHome));
        }
        return new StateRoot(DEFAULT);
    }

    public Path lockFile() {
        return dir.resolve("daemon.lock");
    }

    /** H2's file prefix: H2 adds {@code .mv.db}. */
    public Path database() {
        return dir.resolve("db").resolve("berth");
    }

    public Path pkiDir() {
        return dir.resolve("pki");
    }

    public Path caCertificate() {
        return pkiDir().resolve("ca.crt");
    }

    public Path caKey() {
        return pkiDir().resolve("ca.key");
    }

    public Path servingCertificate() {
        return pkiDir().resolve("apiserver.crt");
    }

    public Path servingKey() {
        return pkiDir().resolve("apiserver.key");
    }

    public Path clientCertificate() {
        return pkiDir().resolve("admin.crt");
    }

    public Path clientKey() {
        return pkiDir().resolve("admin.key");
    }

    public Path token() {
        return dir.resolve("token");
    }

    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    /** The directories the daemon owns, private to root: keys and the token live below them. */
    public void create() {
        try {
            for (Path p : new Path[] {dir, database().getParent(), pkiDir()}) {
                Files.createDirectories(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state root " + dir + ": " + e.getMessage(), e);
        }
    }
}
