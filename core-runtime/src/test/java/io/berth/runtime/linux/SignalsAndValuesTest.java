package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignalsAndValuesTest {
    @TempDir
    Path tmp;

    @Test
    void signalNamesAndNumbers() {
        assertThat(Signals.number("SIGTERM")).isEqualTo(15);
        assertThat(Signals.number("term")).isEqualTo(15);
        assertThat(Signals.number("9")).isEqualTo(9);
        assertThat(Signals.number("RTMIN+2")).isEqualTo(36);
        assertThat(Signals.number("SIGRTMAX-1")).isEqualTo(63);
        assertThat(Signals.name(15)).isEqualTo("SIGTERM");
        assertThat(Signals.name(36)).isEqualTo("SIGRTMIN+2");
        for (int i = 1; i <= 64; i++) {
            assertThat(Signals.number(Signals.name(i))).isEqualTo(i);
        }
        assertThatThrownBy(() -> Signals.number("SIGNOPE")).hasMessageStartingWith("unknown signal \"SIGNOPE\"");
        assertThatThrownBy(() -> Signals.number("65")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exitStatusReadsLikeAShell() {
        assertThat(ExitStatus.killed(15, false).code()).isEqualTo(143);
        assertThat(ExitStatus.killed(9, true).toString()).isEqualTo("killed by SIGKILL (core dumped), code 137");
        assertThat(ExitStatus.exited(3).toString()).isEqualTo("exited with code 3");
    }

    @Test
    void capabilityNames() {
        assertThat(Capability.parse("CAP_NET_BIND_SERVICE")).isEqualTo(Capability.NET_BIND_SERVICE);
        assertThat(Capability.NET_BIND_SERVICE.number()).isEqualTo(10);
        assertThat(Capability.CHECKPOINT_RESTORE.number()).isEqualTo(40);
        assertThat(Capability.fromMask(Capability.mask(Capability.dockerDefaults()))).isEqualTo(Capability.dockerDefaults());
        assertThatThrownBy(() -> Capability.parse("CAP_FLY")).hasMessageStartingWith("unknown capability \"CAP_FLY\"");
        assertThat(Rlimit.parse("RLIMIT_NOFILE").number()).isEqualTo(7);
        assertThatThrownBy(() -> Rlimit.parse("RLIMIT_X")).hasMessageStartingWith("unknown rlimit");
    }

    @Test
    void launchPlanRejectsBadInput() {
        Stdio s = Stdio.nullStdio();
        assertThatThrownBy(() -> LaunchPlan.of(List.of(), List.of(), s)).hasMessageStartingWith("argv is empty");
        assertThatThrownBy(() -> LaunchPlan.of(List.of("x"), List.of("NOEQUALS"), s))
                .hasMessage("env entry \"NOEQUALS\" is not NAME=value");
        assertThatThrownBy(() -> LaunchPlan.of(List.of("x"), List.of(), s).withNewNamespaces(Set.of(Namespace.NETWORK))
                .withJoinNamespaces(Map.of(Namespace.NETWORK, Path.of("/proc/1/ns/net"))))
                .hasMessageStartingWith("namespace NETWORK is both new and joined");
        assertThatThrownBy(() -> LaunchPlan.of(List.of("x"), List.of(), s).withStartGate(-3))
                .hasMessageStartingWith("startGateFd -3 is invalid");
        assertThatThrownBy(() -> Launcher.launch(LaunchPlan.of(List.of("a\0b"), List.of(), s)))
                .hasMessageStartingWith("a NUL byte cannot be passed to the kernel");
        assertThat(LaunchPlan.of(List.of("x"), List.of("A=1"), s).pathEnv()).isEqualTo(LaunchPlan.DEFAULT_PATH);
    }

    @Test
    void nativeLibraryIsExtractedOnceIntoAPrivateDirectoryAndRepaired() throws Exception {
        byte[] bytes = "not really a library".getBytes();
        String sum = sha256(bytes);
        Path first = NativeLibrary.extract(bytes, sum, tmp.resolve("native"));
        assertThat(first.getParent().getFileName().toString()).isEqualTo(sum.substring(0, 16));
        assertThat(Files.readAllBytes(first)).isEqualTo(bytes);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent()))).isEqualTo("rwx------");
        long mtime = Files.getLastModifiedTime(first).toMillis();
        Thread.sleep(20);
        assertThat(NativeLibrary.extract(bytes, sum, tmp.resolve("native"))).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first).toMillis()).isEqualTo(mtime);
        Files.write(first, "damaged but same size".getBytes());
        assertThat(NativeLibrary.extract(bytes, sum, tmp.resolve("native"))).isEqualTo(first);
        assertThat(Files.readAllBytes(first)).isEqualTo(bytes);
        try (var s = Files.list(first.getParent())) {
            assertThat(s).containsExactly(first);
        }
    }

    @Test
    void theBuildsChecksumIsTheLibrarysSha256() throws Exception {
        String dir = "/io/berth/runtime/native/linux-" + System.getProperty("os.arch") + "/libberth.so";
        byte[] lib;
        byte[] sum;
        try (var a = getClass().getResourceAsStream(dir); var b = getClass().getResourceAsStream(dir + ".sha256")) {
            assertThat(a).as(dir).isNotNull();
            assertThat(b).as(dir + ".sha256").isNotNull();
            lib = a.readAllBytes();
            sum = b.readAllBytes();
        }
        assertThat(new String(sum, java.nio.charset.StandardCharsets.US_ASCII).strip()).isEqualTo(sha256(lib));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
