package io.berth.runtime.linux;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jnr.ffi.Pointer;

/**
 * A {@link LaunchPlan} laid out in one block of native memory as struct berth_plan
 * (src/main/c/berth_abi.h): header, op array, argv/envp, strings, the exec path buffer and the
 * child's stack. With CLONE_VM the child reads this block directly, so it must stay allocated
 * until exec is confirmed or the child is reaped (rule 2); {@link #free()} is idempotent.
 */
final class NativePlan {
    private final NativeLibrary nl;
    private long address;
    private final long size;

    private NativePlan(NativeLibrary nl, long address, long size) {
        this.nl = nl;
        this.address = address;
        this.size = size;
    }

    /** Lays out {@code ops} (the full program, joins included) for a child created with {@code cloneFlags}. */
    static NativePlan write(NativeLibrary nl, LaunchPlan plan, List<ChildOp> ops, long cloneFlags, int gateFd,
            int consoleFd) {
        Layout measure = new Layout(null, 0);
        layout(measure, plan, ops, cloneFlags, gateFd, consoleFd);
        long size = measure.cursor;
        long address = nl.lib.berth_alloc(size);
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory for a launch");
        }
        Layout out = new Layout(Pointer.wrap(nl.runtime, address, size), address);
        layout(out, plan, ops, cloneFlags, gateFd, consoleFd);
        return new NativePlan(nl, address, size);
    }

    long address() {
        return address;
    }

    long readSlot(int slot) {
        return Pointer.wrap(nl.runtime, address, size).getLong(slot * 8L);
    }

    synchronized void free() {
        if (address != 0) {
            nl.lib.berth_free(address);
            address = 0;
        }
    }

    private static void layout(Layout w, LaunchPlan plan, List<ChildOp> ops, long cloneFlags, int gateFd,
            int consoleFd) {
        long header = w.reserve(PlanLayout.PLAN_SIZE);
        long opArray = w.reserve(PlanLayout.OP_SIZE * (long) ops.size());
        long argv = w.pointerArray(plan.argv());
        long envp = w.pointerArray(plan.env());
        long pathEnv = w.string(plan.pathEnv());
        long execBuf = w.reserve(PlanLayout.PATH_MAX);
        long stackBase = w.reserve(PlanLayout.STACK_SIZE + 16);
        long stackTop = (stackBase + PlanLayout.STACK_SIZE + 16) & ~15L;

        w.putLong(header, PlanLayout.ABI, NativeLibrary.ABI);
        w.putLong(header, PlanLayout.CLONE_FLAGS, cloneFlags);
        w.putLong(header, PlanLayout.STACK_TOP, stackTop);
        w.putLong(header, PlanLayout.FD_IN, plan.stdio().in());
        w.putLong(header, PlanLayout.FD_OUT, plan.stdio().out());
        w.putLong(header, PlanLayout.FD_ERR, plan.stdio().err());
        w.putLong(header, PlanLayout.GATE_FD, gateFd);
        w.putLong(header, PlanLayout.N_OPS, ops.size());
        w.putLong(header, PlanLayout.OPS, opArray);
        w.putLong(header, PlanLayout.ARGV, argv);
        w.putLong(header, PlanLayout.ENVP, envp);
        w.putLong(header, PlanLayout.PATH_ENV, pathEnv);
        w.putLong(header, PlanLayout.EXEC_BUF, execBuf);
        for (int slot = PlanLayout.PID; slot <= PlanLayout.GO_R; slot++) {
            w.putLong(header, slot, -1);
        }
        w.putLong(header, PlanLayout.CONSOLE_FD, consoleFd);
        for (int i = 0; i < ops.size(); i++) {
            encode(w, opArray + (long) i * PlanLayout.OP_SIZE, ops.get(i));
        }
    }

    /** The one place that maps each ChildOp record to its C op (berth_abi.h enum berth_op_code). */
    private static void encode(Layout w, long at, ChildOp op) {
        long flags = 0;
        if (op instanceof ChildOp.IfExists) {
            flags |= PlanLayout.OPF_IGNORE_ENOENT;
            op = ((ChildOp.IfExists) op).op();
        }
        int code;
        long[] n = new long[4];
        long[] s = new long[4];
        if (op instanceof ChildOp.Mount) {
            var m = (ChildOp.Mount) op;
            code = 1;
            s[0] = w.string(m.source());
            s[1] = w.string(m.target());
            s[2] = w.string(m.fstype());
            s[3] = w.string(m.data());
            n[0] = m.flags();
        } else if (op instanceof ChildOp.Bind) {
            var b = (ChildOp.Bind) op;
            code = 2;
            s[0] = w.string(b.source());
            s[1] = w.string(b.target());
            n[0] = b.recursive() ? MountFlags.REC : 0;
            n[1] = b.remountFlags();
        } else if (op instanceof ChildOp.Remount) {
            var r = (ChildOp.Remount) op;
            code = 3;
            s[1] = w.string(r.target());
            n[0] = r.flags();
        } else if (op instanceof ChildOp.MakeDir) {
            var d = (ChildOp.MakeDir) op;
            code = 4;
            s[0] = w.string(d.path());
            n[0] = d.mode();
        } else if (op instanceof ChildOp.MakeNod) {
            var d = (ChildOp.MakeNod) op;
            code = 5;
            s[0] = w.string(d.path());
            n[0] = d.mode();
            n[1] = d.dev();
            n[2] = d.uid() < 0 ? -1L : d.uid() & 0xffffffffL;
            n[3] = d.gid() < 0 ? -1L : d.gid() & 0xffffffffL;
            if (d.replace()) {
                flags |= PlanLayout.OPF_REPLACE;
            }
        } else if (op instanceof ChildOp.Touch) {
            code = 6;
            s[0] = w.string(((ChildOp.Touch) op).path());
        } else if (op instanceof ChildOp.Symlink) {
            var l = (ChildOp.Symlink) op;
            code = 7;
            s[0] = w.string(l.target());
            s[1] = w.string(l.linkPath());
        } else if (op instanceof ChildOp.Chdir) {
            code = 8;
            s[0] = w.string(((ChildOp.Chdir) op).path());
        } else if (op instanceof ChildOp.PivotRoot) {
            code = 9;
        } else if (op instanceof ChildOp.SetHostname) {
            code = 10;
            s[0] = w.string(((ChildOp.SetHostname) op).hostname());
        } else if (op instanceof ChildOp.Unshare) {
            code = 11;
            n[0] = Namespace.flags(((ChildOp.Unshare) op).namespaces());
        } else if (op instanceof ChildOp.LoopbackUp) {
            code = 12;
        } else if (op instanceof ChildOp.SetRlimit) {
            var r = (ChildOp.SetRlimit) op;
            code = 13;
            n[0] = r.resource().number();
            n[1] = r.soft();
            n[2] = r.hard();
        } else if (op instanceof ChildOp.SetGroups) {
            var g = (ChildOp.SetGroups) op;
            code = 14;
            n[0] = g.gids().size();
            s[0] = w.intArray(g.gids());
        } else if (op instanceof ChildOp.SetGid) {
            code = 15;
            n[0] = ((ChildOp.SetGid) op).gid() & 0xffffffffL;
        } else if (op instanceof ChildOp.SetUid) {
            code = 16;
            n[0] = ((ChildOp.SetUid) op).uid() & 0xffffffffL;
        } else if (op instanceof ChildOp.KeepCaps) {
            code = 17;
            n[0] = ((ChildOp.KeepCaps) op).keep() ? 1 : 0;
        } else if (op instanceof ChildOp.DropBounding) {
            code = 18;
            n[0] = Capability.mask(((ChildOp.DropBounding) op).keep());
        } else if (op instanceof ChildOp.SetCaps) {
            var c = (ChildOp.SetCaps) op;
            code = 19;
            n[0] = Capability.mask(c.effective());
            n[1] = Capability.mask(c.permitted());
            n[2] = Capability.mask(c.inheritable());
        } else if (op instanceof ChildOp.RaiseAmbient) {
            code = 20;
            n[0] = Capability.mask(((ChildOp.RaiseAmbient) op).capabilities());
        } else if (op instanceof ChildOp.NoNewPrivs) {
            code = 21;
        } else if (op instanceof ChildOp.CheckExecutable) {
            var c = (ChildOp.CheckExecutable) op;
            code = 22;
            s[0] = w.string(c.argv0());
            s[1] = w.string(c.path());
        } else if (op instanceof ChildOp.Umask) {
            code = 23;
            n[0] = ((ChildOp.Umask) op).mask();
        } else if (op instanceof ChildOp.MaskPath) {
            code = 24;
            s[0] = w.string(((ChildOp.MaskPath) op).path());
        } else if (op instanceof ChildOp.SetNs) {
            var j = (ChildOp.SetNs) op;
            code = 25;
            s[0] = w.string(j.path());
            n[0] = j.namespace().cloneFlag();
        } else if (op instanceof ChildOp.EnterPidNamespace) {
            code = 26;
        } else if (op instanceof ChildOp.SetupTerminal) {
            var t = (ChildOp.SetupTerminal) op;
            code = 27;
            n[0] = t.rows();
            n[1] = t.cols();
            n[2] = t.ownerUid() < 0 ? -1L : t.ownerUid() & 0xffffffffL;
            n[3] = t.bindDevConsole() ? 1 : 0;
        } else if (op instanceof ChildOp.Seccomp) {
            var f = (ChildOp.Seccomp) op;
            code = 28;
            n[0] = f.program().instructions();
            n[1] = f.program().flags() & 0xffffffffL;
            n[2] = f.beforeExec() ? 1 : 0;
            s[0] = w.bytes(f.program().filter());
        } else if (op instanceof ChildOp.Sysctl) {
            var c = (ChildOp.Sysctl) op;
            code = 29;
            byte[] value = c.value().getBytes(StandardCharsets.UTF_8);
            s[0] = w.string(c.path());
            s[1] = w.string(c.value());
            n[0] = value.length;
        } else {
            throw new IllegalStateException("no C op for " + op);
        }
        w.putLong(at, 0, code);
        w.putLong(at, 1, flags);
        for (int i = 0; i < 4; i++) {
            w.putLong(at, 2 + i, n[i]);
            w.putLong(at, 6 + i, s[i]);
        }
    }

    /** A bump allocator over the block; with a null pointer it only measures. */
    private static final class Layout {
        private final Pointer mem;
        private final long base;
        long cursor;

        Layout(Pointer mem, long base) {
            this.mem = mem;
            this.base = base;
        }

        long reserve(long bytes) {
            long at = base + cursor;
            cursor += (bytes + 7) & ~7L;
            return at;
        }

        void putLong(long structAddress, int slot, long value) {
            if (mem != null) {
                mem.putLong(structAddress - base + slot * 8L, value);
            }
        }

        long string(String s) {
            if (s == null) {
                return 0;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            for (byte x : b) {
                if (x == 0) {
                    throw new IllegalArgumentException("a NUL byte cannot be passed to the kernel: " + s.replace("\0", "\\0"));
                }
            }
            long at = reserve(b.length + 1L);
            if (mem != null) {
                mem.put(at - base, b, 0, b.length);
                mem.putByte(at - base + b.length, (byte) 0);
            }
            return at;
        }

        long pointerArray(List<String> strings) {
            long at = reserve(8L * (strings.size() + 1));
            for (int i = 0; i < strings.size(); i++) {
                putLong(at, i, string(strings.get(i)));
            }
            putLong(at, strings.size(), 0);
            return at;
        }

        long bytes(byte[] b) {
            long at = reserve(b.length);
            if (mem != null) {
                mem.put(at - base, b, 0, b.length);
            }
            return at;
        }

        long intArray(List<Integer> values) {
            long at = reserve(4L * Math.max(1, values.size()));
            if (mem != null) {
                for (int i = 0; i < values.size(); i++) {
                    mem.putInt(at - base + 4L * i, values.get(i));
                }
            }
            return at;
        }
    }
}
