package io.berth.runtime.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic BPF interpreter for seccomp programs, written from linux/filter.h independently of
 * the compiler's emitter: it checks what the kernel checks at load (jumps in range, every path
 * ends in a return) and runs a program over a struct seccomp_data.
 */
final class Cbpf {
    private Cbpf() {
    }

    /** struct seccomp_data: nr, arch, ip, args[6] (little-endian 64-bit). */
    static byte[] data(int arch, int nr, long... args) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, nr).putInt(4, arch).putLong(8, 0x401000L);
        for (int i = 0; i < args.length; i++) {
            b.putLong(16 + 8 * i, args[i]);
        }
        return b.array();
    }

    /** What the kernel's seccomp_check_filter and bpf_check_classic require: jumps land inside, the end is a return. */
    static void verify(byte[] program) {
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        int n = program.length / 8;
        if (n == 0 || n > 4096) {
            throw new AssertionError(n + " instructions");
        }
        for (int pc = 0; pc < n; pc++) {
            int code = p.getShort(pc * 8) & 0xffff;
            int jt = p.get(pc * 8 + 2) & 0xff;
            int jf = p.get(pc * 8 + 3) & 0xff;
            long k = p.getInt(pc * 8 + 4) & 0xffffffffL;
            if (code == 0x05 && pc + 1 + k >= n) {
                throw new AssertionError("ja at " + pc + " jumps out");
            }
            if ((code & 0x07) == 0x05 && code != 0x05 && (pc + 1 + jt >= n || pc + 1 + jf >= n)) {
                throw new AssertionError("jump at " + pc + " lands outside");
            }
        }
        if ((p.getShort((n - 1) * 8) & 0x07) != 0x06) {
            throw new AssertionError("the last instruction is not a return");
        }
    }

    /** The SECCOMP_RET_* value the program returns for {@code data}. */
    static int run(byte[] program, byte[] data) {
        return runCounting(program, data)[0];
    }

    /** {return value, instructions executed}. */
    static int[] runCounting(byte[] program, byte[] data) {
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = program.length / 8;
        int a = 0;
        int pc = 0;
        for (int steps = 0; steps <= n; steps++) {
            if (pc < 0 || pc >= n) {
                throw new AssertionError("pc " + pc + " runs off a program of " + n);
            }
            int code = p.getShort(pc * 8) & 0xffff;
            int jt = p.get(pc * 8 + 2) & 0xff;
            int jf = p.get(pc * 8 + 3) & 0xff;
            int k = p.getInt(pc * 8 + 4);
            pc++;
            switch (code) {
            case 0x20: // ld w abs
                if (k < 0 || k > 60 || k % 4 != 0) {
                    throw new AssertionError("load from offset " + k);
                }
                a = d.getInt(k);
                break;
            case 0x54: // and k
                a &= k;
                break;
            case 0x05: // ja
                pc += k;
                break;
            case 0x15: // jeq
                pc += a == k ? jt : jf;
                break;
            case 0x25: // jgt (unsigned)
                pc += Integer.compareUnsigned(a, k) > 0 ? jt : jf;
                break;
            case 0x35: // jge (unsigned)
                pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                break;
            case 0x45: // jset
                pc += (a & k) != 0 ? jt : jf;
                break;
            case 0x06: // ret k
                return new int[] {k, steps + 1};
            default:
                throw new AssertionError("opcode 0x" + Integer.toHexString(code) + " at " + (pc - 1));
            }
        }
        throw new AssertionError("no return: a backward jump or a loop");
    }
}
