package io.berth.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.deploy.Checkout;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * bin/berth-runtime as containerd runs it, after {@code mvn package}: the class-data-sharing
 * archive the build trained is really mapped, a JVM that cannot use it says nothing on stderr, and
 * jffi's JNI library is loaded from the build, not copied into a temporary directory.
 */
class BerthRuntimeLauncherIT {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result launcher(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return launcher(Path.of(""), env, args);
    }

    private Result launcher(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path launcher = Checkout.root().resolve("bin/berth-runtime");
        Requirements.require(Files.isRegularFile(Checkout.runtimeJar()), Checkout.runtimeJar() + " is missing: run 'mvn package' first (mvn verify does)");
        List<String> argv = new ArrayList<>(List.of(launcher.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(cwd.toAbsolutePath().toFile())
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("berth-runtime exits").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    /**
     * The archive bin/berth-runtime maps: a JDK 25+ AOT cache when the build found such a JDK (the
     * launcher prefers it), else Java 17's AppCDS archive; and the option that makes the JVM refuse
     * to start rather than quietly run without it.
     */
    private record Archive(Path file, String requireOption) {
    }

    private static Archive archive() {
        Path target = Checkout.root().resolve("core-runtime/target");
        Path aot = target.resolve("berth-runtime.aot");
        return Files.isRegularFile(aot) ? new Archive(aot, "-XX:AOTMode=on") : new Archive(target.resolve("berth-runtime.jsa"), "-Xshare:on");
    }

    @Test
    void theTrainedArchiveIsMappedForPicocliAndBerth() throws Exception {
        Archive archive = archive();
        Requirements.require(Files.isRegularFile(archive.file())
                        && Files.getLastModifiedTime(archive.file()).compareTo(Files.getLastModifiedTime(Checkout.runtimeJar())) > 0,
                archive.file() + " is missing or older than the jar (bin/berth-runtime then ignores it): mvn package writes it, unless -Dberth.cds.skip=true");
        Path classes = dir.resolve("classes.txt");
        Result r = launcher(Map.of("JAVA_TOOL_OPTIONS", archive.requireOption() + " -Xlog:class+load=info,class+init=info:file=" + classes),
                "--root", dir.resolve("state").toString(), "list", "--format", "json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("[]");
        String log = Files.readString(classes, StandardCharsets.UTF_8);
        assertThat(log).contains("picocli.CommandLine source: shared objects file")
                .contains("io.berth.runtime.cli.ListCommand source: shared objects file")
                .contains("tools.jackson.core.json.JsonFactory source: shared objects file")
                .doesNotContain("tools.jackson.databind");
        // Only the command that runs is registered: no other command class is even initialised
        // (a JDK 25 AOT cache loads every class it holds at start-up, so loading says nothing).
        assertThat(log).contains("Initializing 'io/berth/runtime/cli/ListCommand'")
                .doesNotContain("Initializing 'io/berth/runtime/cli/RunCommand'");
    }

    @Test
    void aNormalCallPrintsNothingButItsOutput() throws Exception {
        Result r = launcher(Map.of(), "--root", dir.resolve("state").toString(), "list", "--format", "json");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().strip()).isEqualTo("[]");
    }

    @Test
    void jffiNeedsNoTemporaryDirectory() throws Exception {
        Requirements.root();
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        String cgroupParent = "/berth-test-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            assertThat(launcher(Map.of(), "spec", "--bundle", bundle.toString(), "--rootfs", BusyboxRootfs.path().toString(), "/bin/true").code()).isZero();
            Path config = bundle.resolve("config.json");
            Spec s = SpecJson.read(config);
            Spec spec = s.toBuilder().readonlyRoot(true).cgroupsPath(cgroupParent + "/c").build();
            Files.writeString(config, SpecJson.write(spec));
            // Otherwise jffi copies its library out of its jar into java.io.tmpdir, else into the
            // working directory: here the one does not exist and nothing can be created in the other.
            Result r = launcher(Path.of("/proc"), Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + dir.resolve("no-such-dir")),
                    "--root", dir.resolve("state").toString(), "run", "--bundle", bundle.toString(), "jffi-in-place");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).doesNotContain("berth-runtime:");
        } finally {
            Cgroups.open(cgroupParent).destroy();
        }
    }
}
