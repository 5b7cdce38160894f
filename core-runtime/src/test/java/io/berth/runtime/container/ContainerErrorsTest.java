package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.linux.ChildSetupException;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.testkit.Requirements;

/** Bad input: a clear one-line error, and nothing left behind (state, cgroups, mounts, fds, processes). */
class ContainerErrorsTest {
    @TempDir
    Path dir;
    RuntimeFixture f;
    LeakSnapshot before;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.root();
        f = new RuntimeFixture(dir);
        before = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
    }

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private void failsCleanly(ThrowingCallable create, Class<? extends Throwable> type, String message) throws Exception {
        assertThatThrownBy(create).isInstanceOf(type).hasMessageContaining(message).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        LeakSnapshot after = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
        assertThat(after.stateDirs()).as("state directories").isEmpty();
        assertThat(after.cgroupDirs()).as("cgroups").isEmpty();
        assertThat(after.mounts()).as("mounts").isEqualTo(before.mounts());
        assertThat(after.fds()).as("open fds").isEqualTo(before.fds());
        assertThat(after.children()).as("child processes").isEqualTo(before.children());
        assertThat(LeakSnapshot.zombieChildren()).as("zombies").isZero();
    }

    @Test
    void missingRootfs() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"), s -> Bundles.withRoot(s, "/nonexistent/rootfs"));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, "root.path /nonexistent/rootfs does not exist");
    }

    @Test
    void rootfsThatIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("rootfs.tar"), "not a directory");
        Path b = Bundles.write(dir.resolve("b"), List.of("true"), s -> Bundles.withRoot(s, file.toString()));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, "is not a directory");
    }

    private Path joining(String name, String type, String path) throws Exception {
        return Bundles.write(dir.resolve(name), List.of("true"), s -> {
            Spec.Linux l = s.linux();
            List<Spec.Namespace> ns = l.namespaces().stream()
                    .map(n -> n.type().equals(type) ? new Spec.Namespace(type, path) : n).toList();
            return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                    s.annotations(), new Spec.Linux(ns, null, null, null, l.devices(), l.cgroupsPath(), l.resources(),
                            l.rootfsPropagation(), null, l.sysctl(), l.maskedPaths(), l.readonlyPaths(), null, null, null));
        });
    }

    @Test
    void namespacePathOfTheWrongType() throws Exception {
        Path b = joining("b", "network", "/proc/self/ns/ipc");
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class,
                "config.json: linux.namespaces network path '/proc/self/ns/ipc' is a ipc namespace, not net: give a net namespace file or fix the entry's type");
    }

    @Test
    void namespacePathThatIsMissingOrNoNamespace() throws Exception {
        Path gone = joining("gone", "uts", "/proc/999999999/ns/uts");
        failsCleanly(() -> f.runtime.create("x", gone, f.stdio()), InvalidSpecException.class,
                "config.json: linux.namespaces uts path '/proc/999999999/ns/uts' cannot be opened: the process or bind mount that held the namespace is gone");
        Path file = Files.writeString(dir.resolve("not-a-namespace"), "x");
        Path plain = joining("plain", "mount", file.toString());
        failsCleanly(() -> f.runtime.create("x", plain, f.stdio()), InvalidSpecException.class,
                "config.json: linux.namespaces mount path '" + file + "' is not a namespace file: give /proc/PID/ns/mnt");
        Path fifo = dir.resolve("fifo");
        io.berth.runtime.linux.LibC.mkfifo(fifo.toString(), 0600);
        Path pipe = joining("pipe", "ipc", fifo.toString());
        failsCleanly(() -> f.runtime.create("x", pipe, f.stdio()), InvalidSpecException.class, "is not a namespace file");
    }

    @Test
    void missingExecutable() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("/bin/nope"));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), ChildSetupException.class, "/bin/nope: No such file or directory");
    }

    @Test
    void invalidMemoryValues() throws Exception {
        Path negative = Bundles.write(dir.resolve("neg"), List.of("true"), s -> Bundles.withResources(s,
                Bundles.resources(new Spec.Memory(-5L, null, null, null, null, null, null, null, null), null, null)));
        failsCleanly(() -> f.runtime.create("x", negative, f.stdio()), InvalidSpecException.class, "memory.limit -5 is invalid");
        Path tiny = Bundles.write(dir.resolve("tiny"), List.of("true"), s -> Bundles.withResources(s,
                Bundles.resources(new Spec.Memory(4096L, null, null, null, null, null, null, null, null), null, null)));
        failsCleanly(() -> f.runtime.create("x", tiny, f.stdio()), InvalidSpecException.class, "memoryLimit must be at least");
    }

    @Test
    void malformedConfigJson() throws Exception {
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(b.resolve("config.json"), "{\"process\": {\"args\": [\"sh\"],");
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, "malformed " + b.resolve("config.json"));
    }

    @Test
    void invalidId() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"));
        failsCleanly(() -> f.runtime.create("../escape", b, f.stdio()), ContainerException.class, "invalid container id '../escape'");
    }

    @Test
    void duplicateIdIsRefusedAndTheFirstContainerIsUntouched() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"));
        Container first = f.runtime.create("dup", b, f.stdio());
        assertThatThrownBy(() -> f.runtime.create("dup", b, f.stdio())).isInstanceOf(ContainerException.class)
                .hasMessage("container 'dup' already exists: delete it first or choose another id");
        assertThat(f.runtime.state("dup").status()).isEqualTo(ContainerStatus.CREATED);
        f.runtime.start("dup");
        assertThat(first.waitFor().exitCode()).isZero();
        f.runtime.delete("dup", false);
    }
}
