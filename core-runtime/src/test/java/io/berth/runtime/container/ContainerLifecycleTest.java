package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.linux.Signals;
import io.berth.runtime.oci.Spec;

class ContainerLifecycleTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    @Test
    void createStartWaitDeleteWithStatesAlongTheWay() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "echo pid=$$ host=$(hostname); exit 3"));
        Container c = f.runtime.create("c1", bundle, f.stdio());
        assertThat(f.runtime.state("c1").status()).isEqualTo(ContainerStatus.CREATED);
        assertThat(f.runtime.state("c1").pid()).isEqualTo(c.pid()).isPositive();
        assertThat(f.stdout()).as("nothing runs before start").isEmpty();
        f.runtime.start("c1");
        ExitResult exit = c.waitFor();
        assertThat(exit.exitCode()).isEqualTo(3);
        assertThat(exit.signal()).isNull();
        assertThat(exit.reason()).isEqualTo("Error");
        assertThat(f.stdout()).isEqualTo("pid=1 host=berth-test\n");
        assertThat(f.runtime.state("c1").status()).isEqualTo(ContainerStatus.STOPPED);
        f.runtime.delete("c1", false);
        assertThat(f.runtime.list()).isEmpty();
        assertThat(f.cgroupDir("memory", "c1")).doesNotExist();
        assertThatThrownBy(() -> f.runtime.state("c1")).isInstanceOf(ContainerNotFoundException.class)
                .hasMessage("container 'c1' does not exist");
    }

    @Test
    void sigtermGives143AndDeleteRefusesARunningContainerUnlessForced() throws Exception {
        // Without its own PID namespace sleep is not an init, so the kernel does not shield it from
        // a signal it has no handler for (an init would simply ignore SIGTERM, as under runc).
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "60"), b -> b.withoutNamespace("pid"));
        Container c = f.runtime.create("c2", bundle, f.stdio());
        f.runtime.start("c2");
        assertThat(f.runtime.state("c2").status()).isEqualTo(ContainerStatus.RUNNING);
        assertThatThrownBy(() -> f.runtime.delete("c2", false)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("it is running; stop it first or use --force");
        assertThatThrownBy(() -> f.runtime.start("c2")).hasMessageContaining("it is running, not created");
        f.runtime.kill("c2", Signals.SIGTERM, false);
        ExitResult exit = c.waitFor(Duration.ofSeconds(10)).orElseThrow();
        assertThat(exit.exitCode()).isEqualTo(143);
        assertThat(exit.signal()).isEqualTo("SIGTERM");
        f.runtime.delete("c2", false);
    }

    @Test
    void forcedDeleteKillsEverythingInTheContainer() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "sleep 60 & sleep 60 & wait"));
        f.runtime.create("c3", bundle, f.stdio());
        f.runtime.start("c3");
        f.runtime.delete("c3", true);
        assertThat(f.runtime.list()).isEmpty();
        assertThat(f.cgroupDir("pids", "c3")).doesNotExist();
    }

    @Test
    void memoryLimitOomKillIsReportedAs137OomKilled() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"),
                b -> b.memoryLimit(16L << 20));
        Container c = f.runtime.create("oom", bundle, f.stdio());
        assertThat(Files.readString(f.cgroupDir("memory", "oom").resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(16L << 20));
        f.runtime.start("oom");
        ExitResult exit = c.waitFor(Duration.ofSeconds(20)).orElseThrow();
        assertThat(exit.exitCode()).isEqualTo(137);
        assertThat(exit.signal()).isEqualTo("SIGKILL");
        assertThat(exit.oomKilled()).isTrue();
        assertThat(exit.reason()).isEqualTo(ExitResult.OOM_KILLED);
    }

    @Test
    void pidsLimitStopsAForkLoopAndCpuQuotaIsInTheCgroup() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "while true; do sleep 60 & done 2>/dev/null"),
                b -> b.cpuShares(512).cpuQuota(50_000, 100_000).pidsLimit(8));
        f.runtime.create("pids", bundle, f.stdio());
        Path cpu = f.cgroupDir("cpu", "pids");
        Path pids = f.cgroupDir("pids", "pids");
        assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("50000");
        assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).trim()).isEqualTo("100000");
        assertThat(Files.readString(cpu.resolve("cpu.shares")).trim()).isEqualTo("512");
        assertThat(Files.readString(pids.resolve("pids.max")).trim()).isEqualTo("8");
        f.runtime.start("pids");
        // The loop forks until the kernel refuses: pids.events counts the refusals.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> forkRefusals(pids) > 0);
        assertThat(Long.parseLong(Files.readString(pids.resolve("pids.current")).trim())).isLessThanOrEqualTo(8);
        // The host still forks.
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor()).isZero();
        f.runtime.delete("pids", true);
        assertThat(pids).doesNotExist();
    }

    @Test
    void berthsDefaultSpecGivesDockersCapabilitiesAndIsolation() throws Exception {
        String script = "grep -E '^(CapEff|CapBnd|CapPrm|NoNewPrivs)' /proc/self/status; "
                // Masked: /proc/keys is /dev/null inside (this kernel has no /proc/kcore). Read-only: /proc/sys.
                + "echo keys=$(wc -c < /proc/keys); "
                + "echo procsys=$( (echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo writable || echo refused); "
                + "echo root=$(touch /probe 2>/dev/null && echo writable || echo readonly); "
                + "echo env=$(env | sort | tr '\\n' ' '); "
                + "echo procs=$(ls /proc | grep -c '^[0-9]'); "
                + "echo nofile=$(ulimit -n); echo ifaces=$(ls /sys/class/net | tr '\\n' ' ')end";
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", script));
        Container c = f.runtime.create("iso", bundle, f.stdio());
        f.runtime.start("iso");
        assertThat(c.waitFor().exitCode()).as(f.stderr()).isZero();
        String docker = "00000000a80425fb"; // Docker's 14 default capabilities, as /proc shows them
        assertThat(f.stdout()).contains("CapEff:\t" + docker, "CapPrm:\t" + docker, "CapBnd:\t" + docker, "NoNewPrivs:\t1")
                .contains("keys=0", "procsys=refused", "root=readonly", "nofile=1024", "ifaces=lo end")
                // Exactly the spec's PATH and TERM, plus what sh itself sets (PWD, SHLVL); nothing from the JVM.
                .contains("env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PWD=/ SHLVL=1 TERM=xterm\n")
                // sh, ls, grep and at most a subshell: none of the host's processes.
                .containsPattern("procs=[1-4]\n");
    }

    @Test
    void execRunsInTheContainersNamespacesAndCgroup() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "60"));
        Container c = f.runtime.create("ex", bundle, f.stdio());
        f.runtime.start("ex");
        Spec.Process p = io.berth.runtime.oci.SpecJson.read(bundle.resolve("config.json")).process();
        Spec.Process exec = p.toBuilder()
                .args("sh", "-c", "echo pid=$$ host=$(hostname) init=$(cat /proc/1/comm); ls /proc | grep -c '^[0-9]'; exit 4")
                .cwd("/tmp").build();
        try (ExecProcess e = f.runtime.exec("ex", exec, f.stdio(), false)) {
            assertThat(f.runtime.pids("ex")).contains(c.pid(), e.pid());
            ExitResult r = e.waitFor(Duration.ofSeconds(10)).orElseThrow();
            assertThat(r.exitCode()).isEqualTo(4);
        }
        // In the container's PID namespace (not its init), its UTS namespace, its root.
        assertThat(f.stdout()).containsPattern("pid=[2-9]\\d* host=berth-test init=sleep\n[2-4]\n");
        f.runtime.kill("ex", io.berth.runtime.linux.Signals.SIGKILL, false);
        c.waitFor(Duration.ofSeconds(10)).orElseThrow();
        assertThatThrownBy(() -> f.runtime.exec("ex", exec, f.stdio(), false)).isInstanceOf(ContainerException.class)
                .hasMessage("cannot exec in container ex: it is stopped, not running");
    }

    @Test
    void aTerminalFromTheSpecIsReceivedByTheCreatingJvm() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "tty; stty size; [ -t 0 ] && echo interactive"),
                b -> b.terminal(30, 100));
        Container c = f.runtime.create("tty", bundle, f.stdio());
        io.berth.runtime.linux.TerminalMaster t = c.terminal().orElseThrow();
        f.runtime.start("tty");
        String out = new String(t.input().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(c.waitFor().exitCode()).isZero();
        assertThat(out).contains("/dev/pts/0", "30 100", "interactive");
        assertThat(f.stdout()).as("stdio files are not used with a terminal").isEmpty();
    }

    @Test
    void aSeccompProfileFromTheSpecBindsTheContainerAndItsExecs() throws Exception {
        Spec.Seccomp denyMkdir = new Spec.Seccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64"), List.of(), null, null,
                List.of(new Spec.SeccompSyscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", null, List.of())));
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/x || echo init-denied; sleep 60"),
                b -> b.seccomp(denyMkdir));
        Container c = f.runtime.create("sc", bundle, f.stdio());
        f.runtime.start("sc");
        // The init's own attempt first: killed before its echo, the test would see nothing of it.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> f.stdout().contains("init-denied"));
        Spec.Process p = io.berth.runtime.oci.SpecJson.read(bundle.resolve("config.json")).process();
        Spec.Process exec = p.toBuilder().args("sh", "-c", "mkdir /tmp/y || echo exec-denied").build();
        try (ExecProcess e = f.runtime.exec("sc", exec, f.stdio(), false)) {
            e.waitFor(Duration.ofSeconds(10)).orElseThrow();
        }
        f.runtime.kill("sc", io.berth.runtime.linux.Signals.SIGKILL, false);
        c.waitFor(Duration.ofSeconds(10)).orElseThrow();
        assertThat(f.stdout()).contains("Seccomp:\t2", "init-denied", "exec-denied");
        assertThat(f.stderr()).contains("Operation not permitted");
    }

    private static long forkRefusals(Path pidsCgroup) throws java.io.IOException {
        return Long.parseLong(Files.readString(pidsCgroup.resolve("pids.events")).replaceAll("\\D", ""));
    }
}
