package io.berth.runtime.cgroup.v2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import io.berth.runtime.cgroup.DeviceRule;

/**
 * Compiles device rules into an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE, which is how
 * cgroup v2 decides device access (it has no devices.allow file).
 *
 * <p>Semantics follow v1's devices.allow/deny as runc's filter does: rules apply in order and
 * the last matching rule decides; with no match access is allowed (as in a v1 cgroup that has
 * no rules). An allow rule matches when it grants every requested access bit; a deny rule when
 * it covers any of them (v1 denies on a partial match in a default-allow cgroup). So the program
 * checks the rules from last to first and returns the first match's verdict.
 *
 * <p>The kernel hands the program {@code struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; }} where access_type is {@code (access << 16) | type}.
 */
public final class DeviceFilter {
    /** BPF_DEVCG_DEV_BLOCK / _CHAR. */
    static final int DEV_BLOCK = 1;
    static final int DEV_CHAR = 2;
    /** BPF_DEVCG_ACC_MKNOD / _READ / _WRITE. */
    static final int ACC_MKNOD = 1;
    static final int ACC_READ = 2;
    static final int ACC_WRITE = 4;
    private static final int ACC_ALL = ACC_MKNOD | ACC_READ | ACC_WRITE;

    // Opcodes (linux/bpf_common.h, linux/bpf.h).
    static final int LDX_MEM_W = 0x61;   // BPF_LDX | BPF_MEM | BPF_W
    static final int ALU64_AND_K = 0x57; // BPF_ALU64 | BPF_AND | BPF_K
    static final int ALU64_RSH_K = 0x77; // BPF_ALU64 | BPF_RSH | BPF_K
    static final int ALU64_MOV_X = 0xbf; // BPF_ALU64 | BPF_MOV | BPF_X
    static final int ALU64_MOV_K = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K
    static final int JMP_JNE_K = 0x55;   // BPF_JMP | BPF_JNE | BPF_K
    static final int JMP_JEQ_K = 0x15;   // BPF_JMP | BPF_JEQ | BPF_K
    static final int JMP_EXIT = 0x95;    // BPF_JMP | BPF_EXIT

    private DeviceFilter() {
    }

    /** One instruction: {@code struct bpf_insn { u8 code; u8 dst:4, src:4; s16 off; s32 imm; }}. */
    record Insn(int code, int dst, int src, int off, int imm) {
    }

    /** The program for {@code rules}, as instructions. */
    static List<Insn> compile(List<DeviceRule> rules) {
        List<Insn> p = new ArrayList<>();
        // r2 = type, r3 = requested access, r4 = major, r5 = minor (r1, the context, is reused as scratch).
        p.add(new Insn(LDX_MEM_W, 2, 1, 0, 0));
        p.add(new Insn(ALU64_AND_K, 2, 0, 0, 0xffff));
        p.add(new Insn(LDX_MEM_W, 3, 1, 0, 0));
        p.add(new Insn(ALU64_RSH_K, 3, 0, 0, 16));
        p.add(new Insn(LDX_MEM_W, 4, 1, 4, 0));
        p.add(new Insn(LDX_MEM_W, 5, 1, 8, 0));
        for (int i = rules.size() - 1; i >= 0; i--) {
            List<Insn> block = block(rules.get(i));
            p.addAll(block);
            if (block.size() == 2) {
                // A rule without conditions ("a *:* rwm") always decides: what would follow it is
                // unreachable, and the verifier rejects a program with unreachable instructions.
                return p;
            }
        }
        p.add(new Insn(ALU64_MOV_K, 0, 0, 0, 1));
        p.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
        return p;
    }

    /** Checks that jump past this block on a mismatch, then "return verdict". */
    private static List<Insn> block(DeviceRule rule) {
        // Jumps are built with off = -1 and patched once the block length is known.
        List<Insn> b = new ArrayList<>();
        if (!rule.type().equals("a")) {
            b.add(new Insn(JMP_JNE_K, 2, 0, -1, rule.type().equals("b") ? DEV_BLOCK : DEV_CHAR));
        }
        int access = access(rule.access());
        if (access != ACC_ALL) {
            b.add(new Insn(ALU64_MOV_X, 1, 3, 0, 0));
            if (rule.allow()) {
                // Matches only if no requested bit is outside the rule: (req & ~access) == 0.
                b.add(new Insn(ALU64_AND_K, 1, 0, 0, ~access & ACC_ALL));
                b.add(new Insn(JMP_JNE_K, 1, 0, -1, 0));
            } else {
                // Matches if any requested bit is inside the rule: (req & access) != 0.
                b.add(new Insn(ALU64_AND_K, 1, 0, 0, access));
                b.add(new Insn(JMP_JEQ_K, 1, 0, -1, 0));
            }
        }
        if (rule.major() != null) {
            b.add(new Insn(JMP_JNE_K, 4, 0, -1, u32(rule.major(), "major")));
        }
        if (rule.minor() != null) {
            b.add(new Insn(JMP_JNE_K, 5, 0, -1, u32(rule.minor(), "minor")));
        }
        b.add(new Insn(ALU64_MOV_K, 0, 0, 0, rule.allow() ? 1 : 0));
        b.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
        for (int i = 0; i < b.size(); i++) {
            Insn in = b.get(i);
            if (in.off() == -1) {
                b.set(i, new Insn(in.code(), in.dst(), in.src(), b.size() - (i + 1), in.imm()));
            }
        }
        return b;
    }

    private static int access(String letters) {
        int a = 0;
        for (char c : letters.toCharArray()) {
            a |= c == 'r' ? ACC_READ : c == 'w' ? ACC_WRITE : ACC_MKNOD;
        }
        return a;
    }

    private static int u32(long v, String what) {
        // JNE compares with the sign-extended immediate; device numbers are 12 and 20 bits anyway.
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("devices: " + what + " " + v + " is larger than any Linux device number");
        }
        return (int) v;
    }

    /** The instructions as the kernel reads them (host byte order). */
    static byte[] encode(List<Insn> program) {
        ByteBuffer buf = ByteBuffer.allocate(program.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn in : program) {
            buf.put((byte) in.code());
            buf.put((byte) ((in.src() << 4) | (in.dst() & 0xf)));
            buf.putShort((short) in.off());
            buf.putInt(in.imm());
        }
        return buf.array();
    }
}
