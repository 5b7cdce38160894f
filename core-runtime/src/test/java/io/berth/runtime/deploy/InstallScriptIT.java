package io.berth.runtime.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.containerd.CtrResult;
import io.berth.runtime.containerd.LocalContainerd;
import io.berth.testkit.Requirements;

/**
 * deploy/install.sh, run for real as root into a private prefix (BERTH_PREFIX) so the machine's
 * /usr/local is never touched. An IT because it installs the packaged jar.
 */
class InstallScriptIT {
    @TempDir
    Path tmp;

    @Test
    void installsAReleaseAndTheLinkAndIsIdempotent() throws IOException {
        Path prefix = tmp.resolve("prefix");
        requireBuiltCheckout();

        for (int i = 0; i < 3; i++) {
            CtrResult r = install(Checkout.root(), prefix);
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stdout()).contains("installed", prefix + "/bin/berth-runtime");
        }

        Path link = prefix.resolve("bin/berth-runtime");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(prefix.resolve("lib/berth/current/bin/berth-runtime"));
        Path launcher = link.toRealPath();
        assertThat(launcher).startsWith(prefix.resolve("lib/berth/releases").toRealPath()).isExecutable();
        Path release = launcher.getParent().getParent();
        assertThat(Files.mismatch(release.resolve("core-runtime/target/berth-core-runtime.jar"), Checkout.runtimeJar()))
                .as("installed jar is the checkout's").isEqualTo(-1L);
        assertThat(release.resolve("core-runtime/target/lib")).isNotEmptyDirectory();
        assertThat(list(prefix.resolve("lib/berth/releases"))).as("the new release and the one before").hasSize(2);
        assertThat(list(prefix.resolve("bin"))).containsExactly(link);
        assertThat(list(prefix.resolve("lib/berth")))
                .containsExactlyInAnyOrder(prefix.resolve("lib/berth/current"), prefix.resolve("lib/berth/releases"));

        CtrResult removed = run(List.of("bash", script(Checkout.root()).toString(), "--uninstall"), prefix);
        assertThat(removed.exitCode()).as(removed.describe()).isZero();
        assertThat(list(prefix.resolve("bin"))).isEmpty();
        assertThat(prefix.resolve("lib/berth")).doesNotExist();
    }

    @Test
    void refusesWithoutRootAndWritesNothing() {
        Requirements.root();
        Path setpriv = Requirements.command("setpriv", "util-linux");
        Path prefix = tmp.resolve("prefix");
        // A copy outside /root, so that nobody can read the script at all.
        Path checkout = fakeCheckout(tmp.resolve("checkout"));
        tmp.toFile().setExecutable(true, false);

        CtrResult r = run(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "bash", script(checkout).toString()), prefix);

        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderr().strip()).as(r.describe())
                .startsWith("deploy/install.sh: must run as root").doesNotContain("\n");
        assertThat(prefix).doesNotExist();
    }

    @Test
    void refusesAnUnbuiltCheckoutAndWritesNothing() {
        Requirements.root();
        Path prefix = tmp.resolve("prefix");
        Path checkout = fakeCheckout(tmp.resolve("checkout"));

        CtrResult r = install(checkout, prefix);

        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderr().strip()).contains("is not built", "mvn -DskipTests package").doesNotContain("\n");
        assertThat(prefix).doesNotExist();
    }

    @Test
    void refusesToReplaceABerthRuntimeItDidNotInstall() throws IOException {
        Path prefix = tmp.resolve("prefix");
        requireBuiltCheckout();
        Path foreign = Files.createDirectories(prefix.resolve("bin")).resolve("berth-runtime");
        Files.writeString(foreign, "#!/bin/sh\necho someone else's\n");

        CtrResult r = install(Checkout.root(), prefix);

        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderr().strip()).contains(foreign + " exists and is not a link made by this script").doesNotContain("\n");
        assertThat(Files.readString(foreign)).isEqualTo("#!/bin/sh\necho someone else's\n");
        assertThat(prefix.resolve("lib")).doesNotExist();
    }

    @Test
    void rejectsUnknownArguments() {
        Requirements.root();
        Path prefix = tmp.resolve("prefix");
        CtrResult r = run(List.of("bash", script(Checkout.root()).toString(), "--prefix=/opt"), prefix);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo(
                "deploy/install.sh: unknown argument '--prefix=/opt': use --uninstall, --help or no argument");
        assertThat(prefix).doesNotExist();
    }

    private static void requireBuiltCheckout() {
        Requirements.root();
        Requirements.require(Files.isRegularFile(Checkout.runtimeJar()),
                Checkout.runtimeJar() + " is missing: run 'mvn package' first (mvn verify does)");
    }

    private static Path script(Path checkout) {
        return checkout.resolve("deploy/install.sh");
    }

    private static CtrResult install(Path checkout, Path prefix) {
        return run(List.of("bash", script(checkout).toString()), prefix);
    }

    private static CtrResult run(List<String> cmd, Path prefix) {
        List<String> withEnv = new ArrayList<>(List.of("env", "BERTH_PREFIX=" + prefix));
        withEnv.addAll(cmd);
        return LocalContainerd.run(withEnv, Duration.ofSeconds(60));
    }

    /** The scripts of a checkout without its build output. */
    private static Path fakeCheckout(Path dir) {
        try {
            for (String file : List.of("deploy/install.sh", "bin/berth-runtime")) {
                Path to = dir.resolve(file);
                Files.createDirectories(to.getParent());
                Files.copy(Checkout.root().resolve(file), to);
                to.toFile().setReadable(true, false);
                to.toFile().setExecutable(true, false);
                to.getParent().toFile().setExecutable(true, false);
                to.getParent().toFile().setReadable(true, false);
            }
            dir.toFile().setExecutable(true, false);
            dir.toFile().setReadable(true, false);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
