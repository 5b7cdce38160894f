package io.berth.runtime.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.oci.SpecJson;

/**
 * The training run behind berth-runtime's class-data-sharing archive ({@code bin/berth-runtime
 * --build-cds-archive}, run by {@code mvn package}): one JVM goes through the commands a runtime
 * CLI spends its life in, so that the archive written at exit ({@code -XX:ArchiveClassesAtExit})
 * holds the classes each of them loads, already parsed and verified. As root, and when Debian's
 * busybox-static is installed, it also runs real containers (own state root, own cgroup) so the
 * create/start/run path is in the archive too.
 *
 * <p>It never fails: a step that fails still loaded classes worth archiving, and a build that
 * cannot train (not root, no busybox) still gets an archive for the commands it could run.
 */
public final class CdsTraining {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    /** The commands' stderr, shown for a step that did not end as expected. */
    private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();
    private static PrintStream report = System.out;
    private static int unexpected;

    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        BerthRuntime.skipUnusedConverters(); // as berth-runtime's main, so the archive holds what a call loads
        Path work = Files.createTempDirectory("berth-cds-training-");
        PrintStream out = System.out;
        report = out;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true);
        String cgroupParent = "/berth-cds-training-" + UUID.randomUUID().toString().substring(0, 8);
        boolean containers = isRoot() && Files.isExecutable(BUSYBOX);
        System.setOut(quiet);
        System.setErr(new PrintStream(ERR, true, StandardCharsets.UTF_8));
        try {
            train(work, cgroupParent, containers);
        } finally {
            System.setOut(out);
            System.setErr(out);
            if (containers) {
                try {
                    Cgroups.open(cgroupParent).destroy();
                } catch (RuntimeException e) {
                    out.println("berth-runtime CDS training: cannot remove cgroup " + cgroupParent + ": " + e.getMessage());
                }
            }
            deleteTree(work);
        }
        out.println("berth-runtime CDS training: done" + (containers ? "" : " (commands only: containers need root and busybox-static)")
                + (unexpected == 0 ? "" : ", " + unexpected + " step(s) did not end as expected (above): the archive lacks what they would have loaded"));
    }

    private static void train(Path work, String cgroupParent, boolean containers) throws IOException {
        String state = work.resolve("state").toString();
        String log = work.resolve("log.json").toString();
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Path rootfs = work.resolve("rootfs");
        step(0, "--help");
        step(0, "--version");
        step(0, "features");
        step(0, "spec", "--bundle", bundle.toString(), "--rootfs", rootfs.toString(), "/bin/true");
        step(0, "--root", state, "list");
        step(0, "--root", state, "list", "--format", "json");
        // The error paths: one line on stderr, json in --log, usage after a bad argument.
        step(1, "--root", state, "--log", log, "--log-format", "json", "state", "missing");
        step(2, "--root", state, "delete", "--bogus-option", "missing");
        step(2, "lst");
        // Every command's model, should the build not run containers.
        for (String command : List.of("ps", "pause", "resume", "start", "kill")) {
            step(1, "--root", state, command, "missing");
        }
        step(1, "--root", state, "exec", "missing", "/bin/true");
        if (!containers) {
            return;
        }
        for (String dir : List.of("bin", "proc", "dev", "sys", "tmp")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/true"), Path.of("busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sleep"), Path.of("busybox"));
        Path sleeper = Files.createDirectories(work.resolve("sleeper"));
        step(0, "spec", "--bundle", sleeper.toString(), "--rootfs", rootfs.toString(), "/bin/sleep", "60");
        ownCgroup(bundle.resolve("config.json"), cgroupParent + "/c");
        ownCgroup(sleeper.resolve("config.json"), cgroupParent + "/s");
        String b = bundle.toString();
        step(0, "--root", state, "run", "--bundle", b, "t1");
        step(0, "--root", state, "create", "--bundle", b, "t2");
        step(0, "--root", state, "state", "t2");
        step(0, "--root", state, "list");
        step(0, "--root", state, "start", "t2");
        step(0, "--root", state, "delete", "--force", "t2");
        step(0, "--root", state, "create", "--bundle", b, "t3");
        step(0, "--root", state, "kill", "t3", "KILL");
        step(0, "--root", state, "delete", "--force", "t3");
        step(0, "--root", state, "run", "--detach", "--bundle", sleeper.toString(), "t4");
        step(0, "--root", state, "ps", "t4");
        step(0, "--root", state, "ps", "--format", "json", "t4");
        step(0, "--root", state, "pause", "t4");
        step(0, "--root", state, "resume", "t4");
        step(0, "--root", state, "exec", "t4", "/bin/true");
        step(0, "--root", state, "delete", "--force", "t4");
    }

    /** Puts the training's containers in its own cgroup, removed at the end. */
    private static void ownCgroup(Path config, String cgroupsPath) throws IOException {
        Files.writeString(config, SpecJson.write(SpecJson.read(config).toBuilder().cgroupsPath(cgroupsPath).build()));
    }

    private static void step(int expected, String... args) {
        ERR.reset();
        int code;
        try {
            code = BerthRuntime.execute(args);
        } catch (RuntimeException e) {
            // execute() turns command failures into exit codes; anything else is still not fatal here.
            ERR.writeBytes(String.valueOf(e).getBytes(StandardCharsets.UTF_8));
            code = -1;
        }
        if (code != expected) {
            unexpected++;
            String err = ERR.toString(StandardCharsets.UTF_8).strip();
            report.println("berth-runtime CDS training: '" + String.join(" ", args) + "' exited " + code + ", expected " + expected
                    + (err.isEmpty() ? "" : ": " + err.lines().findFirst().orElse("")));
        }
    }

    private static boolean isRoot() {
        try {
            return "0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
