package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.runtime.seccomp.SeccompCompiler;
import io.berth.runtime.seccomp.SeccompProgram;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.OpenFds;
import io.berth.testkit.Requirements;

/** linux.seccomp in real busybox containers: the kernel enforces what SeccompCompiler produced. */
@Timeout(60)
class SeccompTest {
    @TempDir
    Path tmp;

    TestContainer container;

    @BeforeEach
    void setUp() {
        Requirements.root();
        container = new TestContainer(BusyboxRootfs.path());
    }

    static Spec.Seccomp profile(String defaultAction, Spec.SeccompSyscall... rules) {
        return new Spec.Seccomp(defaultAction, null, List.of(), List.of(), null, null, List.of(rules));
    }

    static Spec.SeccompSyscall rule(String action, Integer errnoRet, List<String> names, Spec.SeccompArg... args) {
        return new Spec.SeccompSyscall(names, action, errnoRet, List.of(args));
    }

    static Spec.Seccomp dockerDefault() throws Exception {
        return resource("docker-default-amd64.json");
    }

    /** Profiles in OCI form under src/test/resources/io/berth/runtime/seccomp (see SeccompCompilerTest). */
    static Spec.Seccomp resource(String name) throws Exception {
        try (InputStream in = SeccompTest.class.getResourceAsStream("/io/berth/runtime/seccomp/" + name)) {
            return SpecJson.parseSeccomp(in.readAllBytes(), name);
        }
    }

    @Test
    void aDeniedSyscallFailsWithEpermOrTheGivenErrnoAndTheRestWorks() throws Exception {
        container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", null, List.of("mkdir", "mkdirat")),
                rule("SCMP_ACT_ERRNO", 28, List.of("rmdir", "unlinkat"))));
        var r = container.run(tmp, "mkdir /tmp/x; echo mkdir=$?; touch /tmp/y && echo touched; rmdir /tmp; echo rmdir=$?");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("mkdir=1", "touched", "rmdir=1");
        assertThat(r.err()).contains("Operation not permitted").contains("No space left on device");
    }

    @Test
    void aDefaultErrnoProfileWithAnAllowListRunsTheShell() throws Exception {
        // What busybox sh needs to run echo (found with strace), and a little slack; not mkdir.
        container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ERRNO", rule("SCMP_ACT_ALLOW", null, List.of(
                "arch_prctl", "brk", "execve", "exit_group", "exit", "getpid", "getppid", "getrandom", "getuid", "geteuid",
                "getgid", "getegid", "mprotect", "mmap", "munmap", "newfstatat", "fstat", "stat", "prctl", "prlimit64",
                "readlink", "rseq", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "set_robust_list", "set_tid_address",
                "uname", "write", "writev", "read", "close", "fcntl", "ioctl", "openat", "open", "dup2", "getcwd",
                "wait4", "clone", "fork", "vfork"))));
        var r = container.run(tmp, "echo allowed; mkdir /tmp/d || echo mkdir-denied");
        assertThat(r.lines()).as(r.err()).containsExactly("allowed", "mkdir-denied");
        assertThat(r.err()).contains("Operation not permitted");
    }

    @Test
    void argumentFiltersDenyAfInetAndAllowAfUnix() throws Exception {
        container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", 97, List.of("socket"), new Spec.SeccompArg(0, BigInteger.valueOf(2), null, "SCMP_CMP_EQ"))));
        // nc makes an AF_INET socket; syslogd binds an AF_UNIX one on /dev/log.
        var r = container.run(tmp, "nc 127.0.0.1 9; syslogd -n -O /tmp/log & sleep 0.3; "
                + "[ -S /dev/log ] && echo unix-ok; kill $!; wait");
        assertThat(r.err()).contains("Address family not supported by protocol");
        assertThat(r.lines()).as(r.err()).contains("unix-ok");
    }

    @Test
    void killProcessEndsTheProcessWithSigsys() throws Exception {
        container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_KILL_PROCESS", null, List.of("mkdir", "mkdirat"))));
        var r = container.run(tmp, List.of("/bin/mkdir", "/tmp/k"), UnaryOperator.identity());
        assertThat(r.status().signal()).isEqualTo(31);
        assertThat(r.status().code()).isEqualTo(159);
    }

    @Test
    void theProcessRunsFilteredWithNoNewPrivs() throws Exception {
        container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", null, List.of("mkdir"))));
        var r = container.run(tmp, "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status");
        assertThat(r.lines()).as(r.err()).containsExactly("NoNewPrivs:\t1", "Seccomp:\t2");
    }

    @Test
    void withoutNoNewPrivsTheFilterIsInstalledBeforeCapabilitiesAreDropped() throws Exception {
        // A private copy whose root is world-searchable, as an image's root is (the shared fixture's is 0700).
        Path rootfs = BusyboxRootfs.copyTo(tmp.resolve("rootfs"));
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        container = new TestContainer(rootfs);
        container.noNewPrivileges = false;
        container.user = new ProcessSetup.User(1000, 1000, List.of(1000), 0022);
        container.seccomp = SeccompCompiler.compile(dockerDefault());
        var r = container.run(tmp, "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; id -u; mkdir /tmp/z 2>&1 || true");
        assertThat(r.lines()).as(r.err()).startsWith("NoNewPrivs:\t0", "Seccomp:\t2", "1000");
        assertThat(r.status().code()).isZero();
    }

    @Test
    void dockersDefaultProfileRunsBusybox() throws Exception {
        SeccompProgram p = SeccompCompiler.compile(dockerDefault());
        container.seccomp = p;
        var r = container.run(tmp, "ls /; echo ok; unshare -u true || echo unshare-denied");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).contains("bin", "proc", "ok", "unshare-denied");
    }

    @Test
    void runtimeToolsProfileWithoutNoNewPrivsRunsBusybox() throws Exception {
        // The OCI validation suite's processes: generate.New's profile, noNewPrivileges unset.
        container.noNewPrivileges = false;
        container.seccomp = SeccompCompiler.compile(resource("runtime-tools-default.json"));
        var r = container.run(tmp, "grep '^Seccomp:' /proc/self/status; ls / >/dev/null && echo ok; mount -t tmpfs t /mnt || echo mount-denied");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("Seccomp:\t2", "ok", "mount-denied");
    }

    @Test
    void withNoNewPrivsOnlyExecveRunsUnderTheFilter() throws Exception {
        // The start gate is a read and a close: a filter installed before it would fail the start.
        container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", null, List.of("read", "close", "newfstatat", "faccessat", "prctl"))));
        var r = container.run(tmp, List.of("/bin/sh", "-c", "echo started"), p -> p.withStartGate(LaunchPlan.GATE_PIPE));
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("started");
    }

    @Test
    void syscallNamesUnknownHereAreSkipped() throws Exception {
        container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", null, List.of("no_such_syscall", "arm_fadvise64_64", "mkdir", "mkdirat"))));
        var r = container.run(tmp, "mkdir /tmp/u || echo denied; echo ok");
        assertThat(r.lines()).as(r.err()).containsExactly("denied", "ok");
    }

    @Test
    void aFilterTheKernelRefusesIsAnErrorNamingTheStepAndLeavesNothingBehind() throws Exception {
        // A jump past the end: the kernel's check refuses it with EINVAL.
        byte[] bad = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putShort((short) 0x05).put((byte) 0).put((byte) 0).putInt(5)
                .putShort((short) 0x06).put((byte) 0).put((byte) 0).putInt(0x7fff0000).array();
        Set<String> fds = OpenFds.now();
        for (boolean nnp : List.of(true, false)) {
            container.noNewPrivileges = nnp;
            container.seccomp = new SeccompProgram(bad, 0);
            assertThatThrownBy(() -> container.run(tmp, "echo never"))
                    .isInstanceOf(ChildSetupException.class)
                    .hasMessageStartingWith("install the seccomp filter: Invalid argument (the kernel refused the program");
            container.seccomp = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW"));
            container.seccomp = new SeccompProgram(container.seccomp.filter(), 0x4000);
            assertThatThrownBy(() -> container.run(tmp, "echo never")).isInstanceOf(ChildSetupException.class)
                    .hasMessageContaining("Invalid argument");
        }
        assertThat(OpenFds.now()).as("open fds").isSubsetOf(fds);
        assertThat(LeakCheck.zombieChildren()).isEmpty();
    }
}
