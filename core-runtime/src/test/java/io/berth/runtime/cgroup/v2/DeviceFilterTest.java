package io.berth.runtime.cgroup.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.berth.runtime.cgroup.DeviceRule;

/**
 * The compiled device filter, run by a small interpreter of the few eBPF instructions it uses
 * (decoded from the encoded bytes, so the encoding is checked too). The kernel runs the same
 * program in {@code io.berth.runtime.cgroup.V2UnifiedHierarchyTest}.
 */
class DeviceFilterTest {
    private static final int R = DeviceFilter.ACC_READ;
    private static final int W = DeviceFilter.ACC_WRITE;
    private static final int M = DeviceFilter.ACC_MKNOD;
    private static final int CHR = DeviceFilter.DEV_CHAR;
    private static final int BLK = DeviceFilter.DEV_BLOCK;

    /** Runs the program on {@code struct bpf_cgroup_dev_ctx}; true when it returns 1 (allow). */
    private static boolean run(byte[] code, int type, int access, int major, int minor) {
        int[] ctx = {(access << 16) | type, major, minor};
        long[] r = new long[11];
        ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.nativeOrder());
        int pc = 0;
        for (int steps = 0; steps < 10_000; steps++) {
            int at = pc * 8;
            int op = b.get(at) & 0xff;
            int dst = b.get(at + 1) & 0xf;
            int src = (b.get(at + 1) >> 4) & 0xf;
            short off = b.getShort(at + 2);
            long imm = b.getInt(at + 4);
            pc++;
            switch (op) {
                case DeviceFilter.LDX_MEM_W -> {
                    assertThat(src).as("loads only from the context").isEqualTo(1);
                    r[dst] = ctx[off / 4] & 0xffffffffL;
                }
                case DeviceFilter.ALU64_AND_K -> r[dst] &= imm;
                case DeviceFilter.ALU64_RSH_K -> r[dst] >>>= imm;
                case DeviceFilter.ALU64_MOV_X -> r[dst] = r[src];
                case DeviceFilter.ALU64_MOV_K -> r[dst] = imm;
                case DeviceFilter.JMP_JNE_K -> pc += r[dst] != imm ? off : 0;
                case DeviceFilter.JMP_JEQ_K -> pc += r[dst] == imm ? off : 0;
                case DeviceFilter.JMP_EXIT -> {
                    assertThat(r[0]).isIn(0L, 1L);
                    return r[0] == 1;
                }
                default -> throw new AssertionError("unexpected opcode 0x" + Integer.toHexString(op) + " at " + (pc - 1));
            }
        }
        throw new AssertionError("program did not exit");
    }

    private static byte[] compile(DeviceRule... rules) {
        List<DeviceFilter.Insn> program = DeviceFilter.compile(List.of(rules));
        assertAllReachable(program);
        return DeviceFilter.encode(program);
    }

    /** The kernel's verifier refuses a program with an unreachable instruction ("unreachable insn N"). */
    private static void assertAllReachable(List<DeviceFilter.Insn> program) {
        boolean[] seen = new boolean[program.size()];
        java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(List.of(0));
        while (!todo.isEmpty()) {
            int pc = todo.pop();
            assertThat(pc).as("jump target inside the program").isBetween(0, program.size() - 1);
            if (seen[pc]) {
                continue;
            }
            seen[pc] = true;
            DeviceFilter.Insn in = program.get(pc);
            if (in.code() == DeviceFilter.JMP_EXIT) {
                continue;
            }
            todo.push(pc + 1);
            if (in.code() == DeviceFilter.JMP_JNE_K || in.code() == DeviceFilter.JMP_JEQ_K) {
                todo.push(pc + 1 + in.off());
            }
        }
        for (int i = 0; i < seen.length; i++) {
            assertThat(seen[i]).as("instruction %d reachable", i).isTrue();
        }
    }

    @Test
    void denyAllThenAllowListGrantsOnlyTheListedAccess() {
        byte[] p = compile(
                DeviceRule.deny("a", null, null, "rwm"),
                DeviceRule.allow("c", 1L, 3L, "rwm"),
                DeviceRule.allow("c", 1L, 5L, "r"),
                DeviceRule.allow("c", null, null, "m"),
                DeviceRule.allow("c", 136L, null, "rwm"));
        assertThat(run(p, CHR, R | W, 1, 3)).as("/dev/null rw").isTrue();
        assertThat(run(p, CHR, R, 1, 5)).as("/dev/zero r").isTrue();
        assertThat(run(p, CHR, W, 1, 5)).as("/dev/zero w").isFalse();
        assertThat(run(p, CHR, R | W, 1, 5)).as("/dev/zero rw: r alone does not cover it").isFalse();
        assertThat(run(p, CHR, R, 1, 9)).as("/dev/urandom").isFalse();
        assertThat(run(p, CHR, M, 10, 200)).as("mknod of any char device").isTrue();
        assertThat(run(p, BLK, M, 8, 0)).as("mknod of a block device").isFalse();
        assertThat(run(p, CHR, R | W, 136, 42)).as("any pts slave").isTrue();
        assertThat(run(p, BLK, R, 1, 3)).as("block 1:3 is not char 1:3").isFalse();
    }

    @Test
    void noRulesMatchingMeansAllowAndTheLastMatchingRuleWins() {
        assertThat(run(compile(), CHR, R, 1, 9)).isTrue();
        byte[] p = compile(DeviceRule.deny("c", 1L, 9L, "rwm"), DeviceRule.allow("c", 1L, null, "rwm"));
        assertThat(run(p, CHR, R, 1, 9)).as("later allow of 1:* overrides the deny").isTrue();
        p = compile(DeviceRule.allow("c", 1L, null, "rwm"), DeviceRule.deny("c", 1L, 9L, "rwm"));
        assertThat(run(p, CHR, R, 1, 9)).isFalse();
        assertThat(run(p, CHR, R, 1, 8)).isTrue();
        assertThat(run(p, BLK, R, 8, 0)).as("nothing matches block devices").isTrue();
    }

    @Test
    void aDenyMatchesWhenAnyRequestedAccessIsDenied() {
        byte[] p = compile(DeviceRule.deny("c", 1L, 3L, "w"));
        assertThat(run(p, CHR, R, 1, 3)).isTrue();
        assertThat(run(p, CHR, W, 1, 3)).isFalse();
        assertThat(run(p, CHR, R | W, 1, 3)).as("partly denied is denied, as in v1").isFalse();
    }

    @Test
    void rulesBeforeAnUnconditionalRuleAreDropped() {
        byte[] p = compile(DeviceRule.deny("c", 1L, 9L, "rwm"), DeviceRule.allow("a", null, null, "rwm"));
        assertThat(run(p, CHR, R, 1, 9)).isTrue();
        assertThat(DeviceFilter.compile(List.of(DeviceRule.deny("c", 1L, 9L, "rwm"), DeviceRule.deny("a", null, null, "rwm"))))
                .as("prelude + one block, no default").hasSize(6 + 2);
    }

    @Test
    void deviceNumbersBeyondLinuxAreRefused() {
        assertThatThrownBy(() -> compile(DeviceRule.allow("c", 1L << 32, 0L, "r")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("devices: major 4294967296 is larger than any Linux device number");
    }
}
