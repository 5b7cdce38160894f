package io.berth.runtime.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;

/** Compiles profiles and runs the BPF in {@link Cbpf} over sample seccomp_data: no kernel, no root. */
class SeccompCompilerTest {
    static final int AUDIT_X86_64 = 0xC000003E;
    static final int AUDIT_I386 = 0x40000003;
    static final int AUDIT_AARCH64 = 0xC00000B7;
    static final int ALLOW = 0x7fff0000;
    static final int KILL_PROCESS = 0x80000000;
    static final int KILL_THREAD = 0;
    static final int TRAP = 0x00030000;
    static final int LOG = 0x7ffc0000;

    static int errno(int e) {
        return 0x00050000 | e;
    }

    static Spec.Seccomp profile(String defaultAction, Spec.SeccompSyscall... rules) {
        return new Spec.Seccomp(defaultAction, null, List.of(), List.of(), null, null, List.of(rules));
    }

    static Spec.SeccompSyscall rule(String action, Integer errnoRet, List<String> names, Spec.SeccompArg... args) {
        return new Spec.SeccompSyscall(names, action, errnoRet, List.of(args));
    }

    static Spec.SeccompArg arg(int index, String op, long value) {
        return new Spec.SeccompArg(index, u64(value), null, op);
    }

    static BigInteger u64(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    static int nr(Arch a, String name) {
        return a.syscall(name);
    }

    static int run(SeccompProgram p, int arch, int nr, long... args) {
        Cbpf.verify(p.filter());
        return Cbpf.run(p.filter(), Cbpf.data(arch, nr, args));
    }

    @Test
    void denyOneSyscallWithEpermOrTheGivenErrno() {
        SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", null, List.of("mkdir", "mkdirat")),
                rule("SCMP_ACT_ERRNO", 28, List.of("rmdir"))), Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "mkdir"))).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "mkdirat"))).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "rmdir"))).isEqualTo(errno(28));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "openat"))).isEqualTo(ALLOW);
        assertThat(p.flags()).isZero();
    }

    @Test
    void everyActionCompilesToItsKernelValue() {
        SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ERRNO",
                rule("SCMP_ACT_KILL", null, List.of("read")),
                rule("SCMP_ACT_KILL_THREAD", null, List.of("write")),
                rule("SCMP_ACT_KILL_PROCESS", null, List.of("open")),
                rule("SCMP_ACT_TRAP", null, List.of("close")),
                rule("SCMP_ACT_TRACE", 7, List.of("stat")),
                rule("SCMP_ACT_LOG", null, List.of("fstat")),
                rule("SCMP_ACT_ALLOW", null, List.of("lstat"))), Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 0)).isEqualTo(KILL_THREAD);
        assertThat(run(p, AUDIT_X86_64, 1)).isEqualTo(KILL_THREAD);
        assertThat(run(p, AUDIT_X86_64, 2)).isEqualTo(KILL_PROCESS);
        assertThat(run(p, AUDIT_X86_64, 3)).isEqualTo(TRAP);
        assertThat(run(p, AUDIT_X86_64, 4)).isEqualTo(0x7ff00000 | 7);
        assertThat(run(p, AUDIT_X86_64, 5)).isEqualTo(LOG);
        assertThat(run(p, AUDIT_X86_64, 6)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, 7)).as("default ERRNO without defaultErrnoRet is EPERM").isEqualTo(errno(1));
        Spec.Seccomp withRet = new Spec.Seccomp("SCMP_ACT_ERRNO", 38, List.of(), List.of("SECCOMP_FILTER_FLAG_LOG",
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"), null, null, List.of());
        SeccompProgram q = SeccompCompiler.compile(withRet, Arch.X86_64);
        assertThat(run(q, AUDIT_X86_64, 0)).isEqualTo(errno(38));
        assertThat(q.flags()).isEqualTo(2 | 4);
    }

    @Test
    void foreignArchitecturesAndX32AreKilledUnlessListed() {
        SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW"), Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 0)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_I386, 3)).isEqualTo(KILL_PROCESS);
        assertThat(run(p, AUDIT_AARCH64, 63)).isEqualTo(KILL_PROCESS);
        assertThat(run(p, AUDIT_X86_64, 0x40000000)).as("x32 read").isEqualTo(KILL_PROCESS);

        Spec.Seccomp listed = new Spec.Seccomp("SCMP_ACT_ALLOW", null,
                List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_MIPS"), List.of(), null, null,
                List.of(rule("SCMP_ACT_ERRNO", null, List.of("mkdir"))));
        SeccompProgram q = SeccompCompiler.compile(listed, Arch.X86_64);
        assertThat(run(q, AUDIT_X86_64, 83)).isEqualTo(errno(1));
        assertThat(run(q, AUDIT_I386, nr(Arch.X86, "mkdir"))).isEqualTo(errno(1)).isNotEqualTo(83);
        assertThat(run(q, AUDIT_I386, 83)).as("83 is symlink on i386").isEqualTo(ALLOW);
        assertThat(run(q, AUDIT_X86_64, nr(Arch.X32, "mkdir"))).isEqualTo(errno(1));
        assertThat(run(q, AUDIT_X86_64, nr(Arch.X32, "read"))).isEqualTo(ALLOW);
        assertThat(run(q, AUDIT_AARCH64, 34)).isEqualTo(KILL_PROCESS);

        SeccompProgram arm = SeccompCompiler.compile(listed, Arch.AARCH64);
        assertThat(run(arm, AUDIT_AARCH64, nr(Arch.AARCH64, "mkdirat"))).isEqualTo(ALLOW);
        assertThat(run(arm, AUDIT_X86_64, 83)).isEqualTo(KILL_PROCESS);
    }

    @Test
    void syscallsNewerThanTheProfileGetEnosysUnlessTheDefaultIsPermissive() {
        List<String> x86_64 = List.of("SCMP_ARCH_X86_64");
        Spec.SeccompSyscall allowRead = rule("SCMP_ACT_ALLOW", null, List.of("read", "openat"));
        SeccompProgram strict = SeccompCompiler.compile(new Spec.Seccomp("SCMP_ACT_ERRNO", null, x86_64, List.of(), null, null,
                List.of(allowRead)), Arch.X86_64);
        assertThat(run(strict, AUDIT_X86_64, 257)).isEqualTo(ALLOW);
        assertThat(run(strict, AUDIT_X86_64, 256)).as("older, not allowed").isEqualTo(errno(1));
        assertThat(run(strict, AUDIT_X86_64, 258)).as("newer than openat").isEqualTo(errno(38));
        assertThat(run(strict, AUDIT_X86_64, 435)).as("clone3").isEqualTo(errno(38));
        SeccompProgram killing = SeccompCompiler.compile(new Spec.Seccomp("SCMP_ACT_KILL_PROCESS", null, x86_64, List.of(), null, null,
                List.of(allowRead)), Arch.X86_64);
        assertThat(run(killing, AUDIT_X86_64, 435)).isEqualTo(errno(38));
        assertThat(run(killing, AUDIT_X86_64, 100)).isEqualTo(KILL_PROCESS);
        SeccompProgram logging = SeccompCompiler.compile(new Spec.Seccomp("SCMP_ACT_LOG", null, x86_64, List.of(), null, null,
                List.of(allowRead)), Arch.X86_64);
        assertThat(run(logging, AUDIT_X86_64, 435)).isEqualTo(LOG);
        SeccompProgram unlisted = SeccompCompiler.compile(new Spec.Seccomp("SCMP_ACT_ERRNO", null, List.of(), List.of(), null, null,
                List.of(allowRead)), Arch.X86_64);
        assertThat(run(unlisted, AUDIT_X86_64, 435)).as("runc stubs only the listed arches").isEqualTo(errno(1));
    }

    @Test
    void aRuleWithTheDefaultActionShadowsNothing() {
        SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ERRNO",
                rule("SCMP_ACT_ERRNO", null, List.of("socket"), arg(0, "SCMP_CMP_EQ", 2)),
                rule("SCMP_ACT_ALLOW", null, List.of("socket"))), Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 41, 2)).as("as runc: the first rule is dropped").isEqualTo(ALLOW);
        SeccompProgram q = SeccompCompiler.compile(profile("SCMP_ACT_ERRNO",
                rule("SCMP_ACT_ERRNO", 13, List.of("socket"), arg(0, "SCMP_CMP_EQ", 2)),
                rule("SCMP_ACT_ALLOW", null, List.of("socket"))), Arch.X86_64);
        assertThat(run(q, AUDIT_X86_64, 41, 2)).as("another errno is another action").isEqualTo(errno(13));
    }

    @Test
    void namesUnknownOnTheArchitectureAreSkipped() {
        SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", null, List.of("no_such_syscall", "mkdir", "arm_fadvise64_64"))), Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 83)).isEqualTo(errno(1));
        SeccompProgram arm = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", null, List.of("mkdir", "mkdirat"))), Arch.AARCH64);
        assertThat(run(arm, AUDIT_AARCH64, 34)).as("aarch64 has only mkdirat").isEqualTo(errno(1));
    }

    @Test
    void sixtyFourBitComparesUseBothWords() {
        long[] samples = {0, 1, 2, 0xfffffffeL, 0xffffffffL, 0x100000000L, 0x100000001L, 0x1ffffffffL, -1L, -2L,
                Long.MIN_VALUE, Long.MAX_VALUE, 0x7fffffffL, 0x80000000L};
        for (String op : List.of("SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GE", "SCMP_CMP_GT")) {
            for (long value : samples) {
                SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                        rule("SCMP_ACT_ERRNO", null, List.of("personality"), arg(0, op, value))), Arch.X86_64);
                for (long actual : samples) {
                    int c = Long.compareUnsigned(actual, value);
                    boolean holds;
                    switch (op) {
                    case "SCMP_CMP_EQ": holds = c == 0; break;
                    case "SCMP_CMP_NE": holds = c != 0; break;
                    case "SCMP_CMP_LT": holds = c < 0; break;
                    case "SCMP_CMP_LE": holds = c <= 0; break;
                    case "SCMP_CMP_GE": holds = c >= 0; break;
                    default: holds = c > 0;
                    }
                    assertThat(run(p, AUDIT_X86_64, 135, actual))
                            .as("%s: arg0 %s vs %s", op, Long.toUnsignedString(actual), Long.toUnsignedString(value))
                            .isEqualTo(holds ? errno(1) : ALLOW);
                }
            }
        }
    }

    @Test
    void maskedEqualsComparesTheMaskedArgumentWithValueTwo() {
        Spec.SeccompArg masked = new Spec.SeccompArg(1, u64(0xff000000ffL), u64(0x0100000002L), "SCMP_CMP_MASKED_EQ");
        SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", null, List.of("mmap"), masked)), Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 9, 0, 0x0100000002L)).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, 9, 0, 0x01abcdef02L)).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, 9, 0, 0x0100000003L)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, 9, 0, 0x0200000002L)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, 9, 0x0100000002L, 0)).as("another argument").isEqualTo(ALLOW);
    }

    @Test
    void argsOfOneRuleAreAndedAndRulesOfOneSyscallAreOred() {
        // socket(AF_INET=2, SOCK_STREAM=1, *) or socket(AF_INET6=10, *, *) denied; the rest allowed.
        SeccompProgram p = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", 13, List.of("socket"), arg(0, "SCMP_CMP_EQ", 2), arg(1, "SCMP_CMP_EQ", 1)),
                rule("SCMP_ACT_ERRNO", 97, List.of("socket"), arg(0, "SCMP_CMP_EQ", 10)),
                rule("SCMP_ACT_KILL_PROCESS", null, List.of("socket"), arg(0, "SCMP_CMP_EQ", 10))), Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 41, 2, 1, 0)).isEqualTo(errno(13));
        assertThat(run(p, AUDIT_X86_64, 41, 2, 2, 0)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, 41, 1, 1, 0)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, 41, 10, 5, 0)).as("the first matching rule decides").isEqualTo(errno(97));
        // An unconditional rule after conditional ones catches the rest.
        SeccompProgram q = SeccompCompiler.compile(profile("SCMP_ACT_ERRNO",
                rule("SCMP_ACT_ALLOW", null, List.of("socket"), arg(0, "SCMP_CMP_EQ", 1)),
                rule("SCMP_ACT_TRAP", null, List.of("socket"))), Arch.X86_64);
        assertThat(run(q, AUDIT_X86_64, 41, 1)).isEqualTo(ALLOW);
        assertThat(run(q, AUDIT_X86_64, 41, 2)).isEqualTo(TRAP);
        assertThat(run(q, AUDIT_X86_64, 42, 2)).isEqualTo(errno(1));
    }

    @Test
    void dockersDefaultProfileFitsAndDecidesAsDockerDoes() throws Exception {
        Spec.Seccomp docker = dockerDefault();
        SeccompProgram p = SeccompCompiler.compile(docker, Arch.X86_64);
        assertThat(p.instructions()).isLessThan(2000);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "read"))).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "execve"))).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "mount"))).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "kexec_load"))).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "clone3"))).isEqualTo(errno(38));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "socket"), 2, 1)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "socket"), 40, 1)).as("AF_VSOCK").isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "personality"), 0xffffffffL)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "personality"), 0x0400000L)).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "clone"), 0x01200011L)).as("fork-style clone").isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "clone"), 0x20000000L)).as("CLONE_NEWUTS").isEqualTo(errno(1));
        assertThat(run(p, AUDIT_I386, nr(Arch.X86, "socketcall"))).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_I386, nr(Arch.X86, "mount"))).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X32, "write"))).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_AARCH64, 0)).isEqualTo(KILL_PROCESS);
        assertThat(run(p, AUDIT_X86_64, 460)).as("newer than the profile: ENOSYS, as runc").isEqualTo(errno(38));
        assertThat(run(p, AUDIT_I386, 460)).isEqualTo(errno(38));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X32, "write") + 600)).isEqualTo(errno(38));
        assertThat(SeccompCompiler.compile(docker, Arch.AARCH64).instructions()).isLessThan(500);
    }

    /**
     * Every syscall number of every ABI, with argument values around each rule's constants,
     * decides as a plain reading of the profile does (first matching rule, else the default),
     * and no path is long: the search tree keeps each syscall to a few dozen instructions.
     */
    @Test
    void theSearchTreeDecidesEverySyscallAsTheProfileReads() throws Exception {
        List<Spec.Seccomp> profiles = List.of(dockerDefault(), resource("runtime-tools-default.json"), profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ERRNO", 13, List.of("socket"), arg(0, "SCMP_CMP_EQ", 2), arg(1, "SCMP_CMP_GE", 3)),
                rule("SCMP_ACT_TRAP", null, List.of("socket", "read", "mkdir")),
                rule("SCMP_ACT_LOG", null, List.of("write"), arg(2, "SCMP_CMP_LT", 100)),
                rule("SCMP_ACT_KILL", null, List.of("write", "close"), arg(0, "SCMP_CMP_NE", 1))));
        long[] values = {0, 1, 2, 3, 8, 40, 99, 100, 131072, 0xffffffffL, 2114060288L, 0x7e020000L, -1L};
        for (Spec.Seccomp s : profiles) {
            SeccompProgram p = SeccompCompiler.compile(s, Arch.X86_64);
            Cbpf.verify(p.filter());
            int longest = 0;
            for (Arch abi : List.of(Arch.X86_64, Arch.X86, Arch.X32)) {
                int audit = abi == Arch.X86 ? AUDIT_I386 : AUDIT_X86_64;
                int base = abi == Arch.X32 ? Arch.X32_SYSCALL_BIT : 0;
                for (int nr = base; nr < base + 560; nr++) {
                    for (long v : values) {
                        long[] args = {v, v, v, 0, 0, 0};
                        int[] got = Cbpf.runCounting(p.filter(), Cbpf.data(audit, nr, args));
                        longest = Math.max(longest, got[1]);
                        assertThat(got[0]).as("%s nr %d args %s", abi, nr, v).isEqualTo(expected(s, abi, nr, args));
                    }
                }
            }
            assertThat(longest).as("the longest path").isLessThan(s == profiles.get(2) ? 60 : 40);
        }
    }

    /** The profile read literally: rules in order, all args of a rule must hold, else the default. */
    static int expected(Spec.Seccomp s, Arch abi, int nr, long[] args) {
        if (abi == Arch.X32 && !s.architectures().contains("SCMP_ARCH_X32")
                || abi == Arch.X86 && !s.architectures().contains("SCMP_ARCH_X86")) {
            return KILL_PROCESS;
        }
        SeccompAction def = SeccompAction.parse(s.defaultAction());
        int defaultRet = def.ret(s.defaultErrnoRet());
        if (def != SeccompAction.ALLOW && def != SeccompAction.LOG && def != SeccompAction.TRACE && defaultRet != errno(38)
                && s.architectures().contains(abi.ociName())) {
            int max = s.syscalls().stream().flatMap(r -> r.names().stream()).map(abi::syscall)
                    .filter(java.util.Objects::nonNull).max(Integer::compareUnsigned).orElse(-1);
            if (max != -1 && Integer.compareUnsigned(nr, max) > 0) {
                return errno(38);
            }
        }
        for (Spec.SeccompSyscall r : s.syscalls()) {
            if (SeccompAction.parse(r.action()).ret(r.errnoRet()) == defaultRet) {
                continue; // runc drops it
            }
            boolean named = r.names().stream().anyMatch(n -> Integer.valueOf(nr).equals(abi.syscall(n)));
            // runc: a rule comparing one argument twice means any of its comparisons.
            boolean any = r.args().stream().map(Spec.SeccompArg::index).distinct().count() < r.args().size();
            java.util.function.Predicate<Spec.SeccompArg> cmp = a -> {
                long x = args[a.index()];
                long v = a.value() == null ? 0 : a.value().longValue();
                int c = Long.compareUnsigned(x, v);
                switch (a.op()) {
                case "SCMP_CMP_EQ": return c == 0;
                case "SCMP_CMP_NE": return c != 0;
                case "SCMP_CMP_LT": return c < 0;
                case "SCMP_CMP_LE": return c <= 0;
                case "SCMP_CMP_GE": return c >= 0;
                case "SCMP_CMP_GT": return c > 0;
                default: return (x & v) == (a.valueTwo() == null ? 0 : a.valueTwo().longValue());
                }
            };
            boolean holds = named && (any ? r.args().stream().anyMatch(cmp) : r.args().stream().allMatch(cmp));
            if (holds) {
                return SeccompAction.parse(r.action()).ret(r.errnoRet());
            }
        }
        return defaultRet;
    }

    /**
     * Docker's default profile (moby profiles/seccomp/default.json) resolved for amd64 and
     * Docker's default capabilities: what `docker run` writes into config.json.
     */
    static Spec.Seccomp dockerDefault() throws Exception {
        return resource("docker-default-amd64.json");
    }

    /**
     * runtime-tools' generate.New("linux") profile (Debian's golang-github-opencontainers-runtime-tools-dev,
     * on amd64), which every test of the OCI validation suite runs under.
     */
    static Spec.Seccomp resource(String name) throws Exception {
        try (InputStream in = SeccompCompilerTest.class.getResourceAsStream(name)) {
            return SpecJson.parseSeccomp(in.readAllBytes(), name);
        }
    }

    @Test
    void runtimeToolsProfileOrsTheComparisonsOfOneArgument() throws Exception {
        SeccompProgram p = SeccompCompiler.compile(resource("runtime-tools-default.json"), Arch.X86_64);
        int personality = nr(Arch.X86_64, "personality");
        assertThat(run(p, AUDIT_X86_64, personality, 0)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, personality, 8)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, personality, 0xffffffffL)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, personality, 0x10)).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "setresuid"))).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, nr(Arch.X86_64, "mount"))).isEqualTo(errno(1));
        assertThat(p.instructions()).isLessThan(2000);
    }

    @Test
    void aProgramAboveTheKernelLimitIsAClearError() {
        List<Spec.SeccompSyscall> rules = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rules.add(rule("SCMP_ACT_ERRNO", null, List.of("read", "write", "openat"),
                    arg(0, "SCMP_CMP_GT", i), arg(1, "SCMP_CMP_LT", i)));
        }
        Spec.Seccomp big = new Spec.Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null, rules);
        assertThatThrownBy(() -> SeccompCompiler.compile(big, Arch.X86_64))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("linux.seccomp compiles to ")
                .hasMessageContaining("above the kernel's limit of 4096");
    }

    @Test
    void longBodiesUseAFarJump() {
        List<Spec.SeccompSyscall> rules = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // 40 rules x 9 instructions: the body needs more than 255
            rules.add(rule("SCMP_ACT_ERRNO", i + 1, List.of("ioctl"), arg(1, "SCMP_CMP_EQ", 0x5400 + i), arg(0, "SCMP_CMP_EQ", 1)));
        }
        rules.add(rule("SCMP_ACT_ERRNO", 99, List.of("write")));
        Spec.Seccomp s = new Spec.Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null, rules);
        SeccompProgram p = SeccompCompiler.compile(s, Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 16, 1, 0x5400 + 39)).isEqualTo(errno(40));
        assertThat(run(p, AUDIT_X86_64, 16, 2, 0x5400 + 39)).isEqualTo(ALLOW);
        assertThat(run(p, AUDIT_X86_64, 1)).isEqualTo(errno(99));
        assertThat(run(p, AUDIT_X86_64, 0)).isEqualTo(ALLOW);
    }

    @Test
    void badProfilesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_NOPE"), Arch.X86_64))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("linux.seccomp.defaultAction 'SCMP_ACT_NOPE' is not a seccomp action (known: SCMP_ACT_KILL");
        assertThat(SeccompProfile.problems(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_NOTIFY", null, List.of("mkdir")))))
                .containsExactly("linux.seccomp.syscalls[0].action SCMP_ACT_NOTIFY (for mkdir) is not supported by Berth yet:"
                        + " remove it from config.json or run this bundle with runc");
        assertThat(SeccompProfile.problems(new Spec.Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), "/run/agent.sock", null, List.of())))
                .singleElement().asString().startsWith("linux.seccomp.listenerPath (a seccomp agent) is not supported by Berth yet");
        assertThat(SeccompProfile.problems(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", null, List.of("read"), arg(6, "SCMP_CMP_EQ", 1)))))
                .containsExactly("linux.seccomp.syscalls[0].args[0].index 6 is invalid: give 0 to 5 (a syscall has 6 arguments)");
        assertThat(SeccompProfile.problems(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", null, List.of("read"), arg(0, "SCMP_CMP_LIKE", 1)))))
                .singleElement().asString().startsWith("linux.seccomp.syscalls[0].args[0].op 'SCMP_CMP_LIKE' is not a comparison");
        assertThat(SeccompProfile.problems(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ALLOW", 5, List.of("read")))))
                .singleElement().asString().contains("errnoRet is only meaningful with SCMP_ACT_ERRNO");
        assertThat(SeccompProfile.problems(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", 70000, List.of("read")))))
                .singleElement().asString().contains("errnoRet 70000 is out of range");
        assertThat(SeccompProfile.problems(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", null, List.of()))))
                .singleElement().asString().contains("syscalls[0].names is empty");
        assertThat(SeccompProfile.problems(new Spec.Seccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_Z80"),
                List.of("SECCOMP_FILTER_FLAG_NEW_LISTENER"), null, null, List.of())))
                .hasSize(2).anySatisfy(m -> assertThat(m).contains("'SCMP_ARCH_Z80' is not an architecture name"))
                .anySatisfy(m -> assertThat(m).contains("flags: 'SECCOMP_FILTER_FLAG_NEW_LISTENER' is not supported"));
        assertThat(SeccompProfile.problems(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", null, List.of("read"),
                new Spec.SeccompArg(0, BigInteger.ONE.shiftLeft(64), null, "SCMP_CMP_EQ")))))
                .singleElement().asString().contains("is not an unsigned 64-bit number");
    }

    @Test
    void forSpecIsNullWithoutAProfileAndNamesConfigJsonOnErrors() {
        Spec none = SpecJson.parse("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":{}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "config.json");
        assertThat(SeccompCompiler.forSpec(none)).isNull();
        Spec some = SpecJson.parse(("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                + "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
                + "\"action\":\"SCMP_ACT_ERRNO\"}]}}}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "config.json");
        assertThat(SeccompCompiler.forSpec(some)).isEqualTo(SeccompCompiler.compile(some.linux().seccomp()));
        Spec bad = SpecJson.parse(("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                + "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}}}").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "config.json");
        assertThatThrownBy(() -> SeccompCompiler.forSpec(bad)).isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("config.json: linux.seccomp.defaultAction SCMP_ACT_NOTIFY is not supported by Berth yet");
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @Test
    void featuresListWhatProfilesMayUse() {
        var f = SeccompProfile.features();
        assertThat(f.get("enabled")).isEqualTo(true);
        assertThat(list(f.get("actions"))).contains("SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS").doesNotContain("SCMP_ACT_NOTIFY");
        assertThat(list(f.get("operators"))).hasSize(7).contains("SCMP_CMP_MASKED_EQ");
        assertThat(list(f.get("archs"))).contains("SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64");
        assertThat(list(f.get("supportedFlags"))).contains("SECCOMP_FILTER_FLAG_LOG");
    }

    @Test
    void aSpecWithAProfileRoundTripsThroughConfigJson() throws Exception {
        Spec base = SpecJson.parse("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":{}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "config.json");
        Spec.Seccomp docker = dockerDefault();
        Spec withProfile = base.toBuilder().seccomp(docker).build();
        Spec back = SpecJson.parse(SpecJson.write(withProfile).getBytes(java.nio.charset.StandardCharsets.UTF_8), "config.json");
        assertThat(back.linux().seccomp()).isEqualTo(docker);
        assertThat(SeccompCompiler.forSpec(back)).isEqualTo(SeccompCompiler.compile(docker));
    }

    @Test
    void uint64ValuesParseFromJson() {
        Spec.Seccomp s = SpecJson.parseSeccomp(("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],"
                + "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_EQ\"}]}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "profile");
        SeccompProgram p = SeccompCompiler.compile(s, Arch.X86_64);
        assertThat(run(p, AUDIT_X86_64, 135, -1L)).isEqualTo(errno(1));
        assertThat(run(p, AUDIT_X86_64, 135, 0xffffffffL)).isEqualTo(ALLOW);
    }
}
