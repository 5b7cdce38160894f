package io.berth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * Checks for what a real test needs (root, a Debian package's command). Off CI a missing
 * requirement skips the test with the reason; with {@code -Dberth.requireAll=true} (set by
 * {@code .ci/run}) it fails instead, so CI can never pass by skipping.
 */
public final class Requirements {
    private Requirements() {
    }

    public static boolean requireAll() {
        return Boolean.getBoolean("berth.requireAll");
    }

    public static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    public static void root() {
        require(isRoot(), "this test starts real containers and needs root (run the tests as root, as CI does)");
    }

    /** The absolute path of a command, or a skip/failure naming the Debian package to install. */
    public static Path command(String name, String debianPackage) {
        Path found = which(name);
        require(found != null, name + " is not installed (apt-get install " + debianPackage + ")");
        return found;
    }

    public static Path which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public static void require(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if (requireAll()) {
            throw new AssertionError("required on CI: " + reason);
        }
        Assumptions.abort(reason);
    }
}
