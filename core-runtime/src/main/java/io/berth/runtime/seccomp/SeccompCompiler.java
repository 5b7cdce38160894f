package io.berth.runtime.seccomp;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;

/**
 * Compiles linux.seccomp to classic BPF the way libseccomp's filters behave under runc:
 * <ol>
 * <li><b>architecture</b>: seccomp_data.arch must be the native ABI or one the profile lists that
 *     this kernel can run (on x86_64: SCMP_ARCH_X86 for int 0x80, SCMP_ARCH_X32); any other
 *     arch, and an x32 call (nr with bit 30) when x32 is not listed, is killed
 *     (SECCOMP_RET_KILL_PROCESS). libseccomp's default bad-arch action is SCMP_ACT_KILL, i.e.
 *     the thread; Berth kills the process so a multithreaded program never keeps running with a
 *     thread gone;</li>
 * <li><b>syscall</b>: a binary search on seccomp_data.nr in that ABI's numbering; names the
 *     ABI does not have are skipped (as runc does);</li>
 * <li><b>arguments</b>: a rule with args matches when all of them match (64-bit unsigned
 *     compares built from two 32-bit loads, high word first), except that, as in runc, a rule
 *     comparing one argument twice is split into one rule per comparison (ORed); a syscall's
 *     rules are tried in profile order and the first that matches decides (so rules for one
 *     syscall are ORed); a rule whose action is the default one is dropped (runc skips it too,
 *     libseccomp refuses it);</li>
 * <li>nothing matched: the default action; but, as runc does, when that is not permissive a
 *     syscall numbered above every one the profile names gets ENOSYS (on the architectures the
 *     profile lists), so libc falls back from syscalls newer than the profile;</li>
 * </ol>
 * The result must fit BPF_MAXINSNS (4096); Docker's default profile takes 1660 for
 * x86_64 + x86 + x32 (about 550 per ABI), and fewer than 40 instructions run for any syscall.
 */
public final class SeccompCompiler {
    // Classic BPF opcodes (linux/filter.h, linux/bpf_common.h).
    static final int LD_W_ABS = 0x20;
    static final int JEQ_K = 0x15;
    static final int JGT_K = 0x25;
    static final int JGE_K = 0x35;
    static final int JA = 0x05;
    static final int RET_K = 0x06;
    static final int AND_K = 0x54;
    // struct seccomp_data offsets; arguments are little-endian u64 on every arch Berth supports.
    static final int OFF_NR = 0;
    static final int OFF_ARCH = 4;
    static final int OFF_ARGS = 16;
    static final int BAD_ARCH = SeccompAction.KILL_PROCESS.ret(null);
    static final int ENOSYS = SeccompAction.ERRNO.ret(38);
    /** Syscalls compared one by one at the bottom of the search tree. */
    private static final int LEAF = 8;

    private SeccompCompiler() {
    }

    /**
     * The container's filter, or null when {@code spec} has no linux.seccomp: what
     * {@code ProcessSetup.prepare(..., seccomp)} takes, for the first process and for every exec
     * (an exec runs under the container's profile, as with runc).
     *
     * @throws InvalidSpecException "config.json: linux.seccomp ..." naming the problem
     */
    public static SeccompProgram forSpec(Spec spec) {
        if (spec.linux() == null || spec.linux().seccomp() == null) {
            return null;
        }
        try {
            return compile(spec.linux().seccomp());
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException("config.json: " + e.getMessage());
        }
    }

    /** For a process started on this JVM's own architecture. */
    public static SeccompProgram compile(Spec.Seccomp seccomp) {
        return compile(seccomp, Arch.nativeArch());
    }

    /**
     * @throws InvalidSpecException naming the first problem (see {@link SeccompProfile}), or when
     *                              the program would exceed 4096 instructions
     */
    public static SeccompProgram compile(Spec.Seccomp seccomp, Arch nativeArch) {
        List<String> problems = SeccompProfile.problems(seccomp);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems.get(0));
        }
        if (nativeArch == Arch.X32 || nativeArch == Arch.X86) {
            throw new IllegalArgumentException("the native architecture is x86_64 or aarch64, not " + nativeArch);
        }
        int flags = 0;
        for (String f : seccomp.flags()) {
            flags |= SeccompProfile.FLAGS.get(f);
        }
        Set<Arch> abis = new LinkedHashSet<>();
        abis.add(nativeArch);
        for (String name : seccomp.architectures()) {
            Arch a = Arch.fromOci(name);
            if (a != null && nativeArch.compatible().contains(a)) {
                abis.add(a);
            }
        }
        SeccompAction defaultAction = SeccompAction.parse(seccomp.defaultAction());
        int defaultRet = defaultAction.ret(seccomp.defaultErrnoRet());
        boolean enosys = defaultAction != SeccompAction.ALLOW && defaultAction != SeccompAction.LOG
                && defaultAction != SeccompAction.TRACE && defaultRet != ENOSYS;

        // One block per audit arch; x86_64's block sends x32 numbers to the x32 chain.
        Map<Integer, List<Insn>> blocks = new LinkedHashMap<>();
        for (Arch a : abis) {
            if (a == Arch.X32) {
                continue;
            }
            List<Insn> b = new ArrayList<>();
            b.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
            if (a == Arch.X86_64) {
                List<Insn> x32 = abis.contains(Arch.X32) ? chain(seccomp, Arch.X32, defaultRet, enosys) : null;
                List<Insn> x64 = chain(seccomp, Arch.X86_64, defaultRet, enosys);
                b.add(new Insn(JGE_K, 0, 1, Arch.X32_SYSCALL_BIT));
                if (x32 == null) {
                    b.add(new Insn(RET_K, 0, 0, BAD_ARCH));
                } else {
                    b.add(new Insn(JA, 0, 0, x64.size()));
                }
                b.addAll(x64);
                if (x32 != null) {
                    b.addAll(x32);
                }
            } else {
                b.addAll(chain(seccomp, a, defaultRet, enosys));
            }
            blocks.put(a.auditArch(), b);
        }

        List<Insn> prog = new ArrayList<>();
        prog.add(new Insn(LD_W_ABS, 0, 0, OFF_ARCH));
        int dispatch = 2 * blocks.size() + 1; // jeq + ja per block, then the bad-arch return
        int offset = 0;
        int i = 0;
        for (Map.Entry<Integer, List<Insn>> e : blocks.entrySet()) {
            prog.add(new Insn(JEQ_K, 0, 1, e.getKey()));
            // from the instruction after this ja to the block's start
            prog.add(new Insn(JA, 0, 0, dispatch - (2 * i + 2) + offset));
            offset += e.getValue().size();
            i++;
        }
        prog.add(new Insn(RET_K, 0, 0, BAD_ARCH));
        for (List<Insn> b : blocks.values()) {
            prog.addAll(b);
        }
        if (prog.size() > SeccompProgram.MAX_INSTRUCTIONS) {
            throw new InvalidSpecException("linux.seccomp compiles to " + prog.size() + " BPF instructions, above the kernel's limit of "
                    + SeccompProgram.MAX_INSTRUCTIONS + ": use fewer argument conditions or fewer architectures");
        }
        ByteBuffer out = ByteBuffer.allocate(prog.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn in : prog) {
            out.putShort((short) in.code).put((byte) in.jt).put((byte) in.jf).putInt(in.k);
        }
        return new SeccompProgram(out.array(), flags);
    }

    /**
     * The syscall dispatch of one ABI (A holds nr on entry): a binary search over the sorted
     * syscall numbers down to leaves of a few compares, every path ending in a return. A tree
     * rather than a chain because the kernel runs the filter on every syscall and, since 5.11,
     * once per syscall number at install time to build its allow cache.
     */
    private static List<Insn> chain(Spec.Seccomp s, Arch abi, int defaultRet, boolean enosys) {
        // nr -> its rules in profile order; unknown names are skipped. A rule whose action is the
        // default one is dropped, as runc does (libseccomp refuses it), so it shadows nothing.
        Map<Integer, List<Spec.SeccompSyscall>> byNr = new TreeMap<>((a, b) -> Integer.compareUnsigned(a, b));
        Integer newest = null;
        for (Spec.SeccompSyscall sc : s.syscalls()) {
            List<Spec.SeccompSyscall> rules = ret(sc) == defaultRet ? List.of() : asRunc(sc);
            for (String name : new LinkedHashSet<>(sc.names())) {
                Integer nr = abi.syscall(name);
                if (nr == null) {
                    continue;
                }
                if (newest == null || Integer.compareUnsigned(nr, newest) > 0) {
                    newest = nr;
                }
                if (!rules.isEmpty()) {
                    byNr.computeIfAbsent(nr, k -> new ArrayList<>()).addAll(rules);
                }
            }
        }
        List<Insn> out = new ArrayList<>();
        if (enosys && newest != null && s.architectures().contains(abi.ociName())) {
            // runc's -ENOSYS stub: a syscall newer than every one the profile names is probably
            // unknown to the profile's author, and ENOSYS (not EPERM) makes libc fall back
            // (clone3 -> clone, faccessat2 -> faccessat). runc applies it to listed arches only.
            out.add(new Insn(JGT_K, 0, 1, newest));
            out.add(new Insn(RET_K, 0, 0, ENOSYS));
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<Integer, List<Spec.SeccompSyscall>> e : byNr.entrySet()) {
            entries.add(entry(e.getKey(), e.getValue(), defaultRet));
        }
        if (entries.isEmpty()) {
            out.add(new Insn(RET_K, 0, 0, defaultRet));
        } else {
            out.addAll(tree(entries, defaultRet));
        }
        return out;
    }

    /**
     * runc's reading of a rule that compares one argument more than once (runtime-tools' default
     * profile has personality with arg0 == 0, == 8 and == 0xffffffff): each comparison is a rule
     * of its own, so they are ORed; otherwise all of a rule's comparisons must hold.
     */
    static List<Spec.SeccompSyscall> asRunc(Spec.SeccompSyscall rule) {
        long distinct = rule.args().stream().map(Spec.SeccompArg::index).distinct().count();
        if (distinct == rule.args().size()) {
            return List.of(rule);
        }
        List<Spec.SeccompSyscall> split = new ArrayList<>();
        for (Spec.SeccompArg a : rule.args()) {
            split.add(new Spec.SeccompSyscall(rule.names(), rule.action(), rule.errnoRet(), List.of(a)));
        }
        return split;
    }

    /** One syscall: a plain return when its first rule is unconditional, else the rules in order. */
    private static Entry entry(int nr, List<Spec.SeccompSyscall> rules, int defaultRet) {
        if (rules.get(0).args().isEmpty()) {
            return new Entry(nr, ret(rules.get(0)), null);
        }
        List<Insn> body = new ArrayList<>();
        for (Spec.SeccompSyscall rule : rules) {
            if (rule.args().isEmpty()) {
                body.add(new Insn(RET_K, 0, 0, ret(rule)));
                return new Entry(nr, 0, body); // later rules for this syscall can never be reached
            }
            body.addAll(rule(rule));
        }
        body.add(new Insn(RET_K, 0, 0, defaultRet));
        return new Entry(nr, 0, body);
    }

    private static List<Insn> tree(List<Entry> entries, int defaultRet) {
        if (entries.size() <= LEAF) {
            List<Insn> leaf = leaf(entries, defaultRet);
            if (leaf != null) {
                return leaf;
            }
            if (entries.size() == 1) { // one syscall whose rules need more than a short jump
                Entry e = entries.get(0);
                List<Insn> out = new ArrayList<>();
                out.add(new Insn(JEQ_K, 1, 0, e.nr));
                out.add(new Insn(JA, 0, 0, e.body.size()));
                out.addAll(e.body);
                out.add(new Insn(RET_K, 0, 0, defaultRet));
                return out;
            }
        }
        int mid = entries.size() / 2;
        List<Insn> below = tree(entries.subList(0, mid), defaultRet);
        List<Insn> above = tree(entries.subList(mid, entries.size()), defaultRet);
        List<Insn> out = new ArrayList<>();
        int pivot = entries.get(mid).nr;
        if (below.size() <= 255) {
            out.add(new Insn(JGE_K, below.size(), 0, pivot));
        } else {
            out.add(new Insn(JGE_K, 0, 1, pivot));
            out.add(new Insn(JA, 0, 0, below.size()));
        }
        out.addAll(below);
        out.addAll(above);
        return out;
    }

    /**
     * A few compares, then the default return, then each distinct plain return once, then the
     * rule bodies; null when a target lies beyond a conditional jump's 255.
     */
    private static List<Insn> leaf(List<Entry> entries, int defaultRet) {
        List<Integer> rets = new ArrayList<>();
        for (Entry e : entries) {
            if (e.body == null && !rets.contains(e.ret)) {
                rets.add(e.ret);
            }
        }
        int n = entries.size();
        int bodiesAt = n + 1 + rets.size();
        List<Insn> out = new ArrayList<>();
        List<Insn> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            int target = e.body == null ? n + 1 + rets.indexOf(e.ret) : bodiesAt + bodies.size();
            int jt = target - (i + 1);
            if (jt > 255) {
                return null;
            }
            out.add(new Insn(JEQ_K, jt, 0, e.nr));
            if (e.body != null) {
                bodies.addAll(e.body);
            }
        }
        out.add(new Insn(RET_K, 0, 0, defaultRet));
        for (int r : rets) {
            out.add(new Insn(RET_K, 0, 0, r));
        }
        out.addAll(bodies);
        return out;
    }

    /** A syscall number and what it does: {@code ret} when {@code body} is null. */
    private record Entry(int nr, int ret, List<Insn> body) {
    }

    private static int ret(Spec.SeccompSyscall rule) {
        return SeccompAction.parse(rule.action()).ret(rule.errnoRet());
    }

    /** All of the rule's compares, then its return; a failed compare jumps past the return. */
    private static List<Insn> rule(Spec.SeccompSyscall rule) {
        List<Insn> r = new ArrayList<>();
        for (Spec.SeccompArg a : rule.args()) {
            r.addAll(compare(a));
        }
        r.add(new Insn(RET_K, 0, 0, ret(rule)));
        // Resolve FAIL: from the instruction after the jump to the first one after this rule.
        for (int i = 0; i < r.size(); i++) {
            Insn in = r.get(i);
            int fail = r.size() - (i + 1);
            if (in.jt == FAIL || in.jf == FAIL) {
                r.set(i, new Insn(in.code, in.jt == FAIL ? fail : in.jt, in.jf == FAIL ? fail : in.jf, in.k));
            }
        }
        return r;
    }

    private static final int FAIL = -1;

    /**
     * One 64-bit unsigned comparison from two 32-bit loads; falls through when it holds, jumps to
     * FAIL when not. Offsets inside are relative as BPF wants (from the next instruction).
     */
    private static List<Insn> compare(Spec.SeccompArg a) {
        int hiOff = OFF_ARGS + 8 * a.index() + 4;
        int loOff = OFF_ARGS + 8 * a.index();
        long v = value(a.value());
        int vHi = (int) (v >>> 32);
        int vLo = (int) v;
        Insn ldHi = new Insn(LD_W_ABS, 0, 0, hiOff);
        Insn ldLo = new Insn(LD_W_ABS, 0, 0, loOff);
        switch (ArgOp.parse(a.op())) {
        case EQ:
            return List.of(ldHi, new Insn(JEQ_K, 0, FAIL, vHi), ldLo, new Insn(JEQ_K, 0, FAIL, vLo));
        case NE: // holds if either word differs
            return List.of(ldHi, new Insn(JEQ_K, 0, 2, vHi), ldLo, new Insn(JEQ_K, FAIL, 0, vLo));
        case GT: // hi > vHi holds; hi < vHi fails; equal: lo > vLo
            return List.of(ldHi, new Insn(JGT_K, 3, 0, vHi), new Insn(JEQ_K, 0, FAIL, vHi), ldLo, new Insn(JGT_K, 0, FAIL, vLo));
        case GE:
            return List.of(ldHi, new Insn(JGT_K, 3, 0, vHi), new Insn(JEQ_K, 0, FAIL, vHi), ldLo, new Insn(JGE_K, 0, FAIL, vLo));
        case LT: // hi > vHi fails; hi < vHi holds; equal: lo < vLo, i.e. not lo >= vLo
            return List.of(ldHi, new Insn(JGT_K, FAIL, 0, vHi), new Insn(JEQ_K, 0, 2, vHi), ldLo, new Insn(JGE_K, FAIL, 0, vLo));
        case LE:
            return List.of(ldHi, new Insn(JGT_K, FAIL, 0, vHi), new Insn(JEQ_K, 0, 2, vHi), ldLo, new Insn(JGT_K, FAIL, 0, vLo));
        case MASKED_EQ: {
            long d = value(a.valueTwo());
            return List.of(ldHi, new Insn(AND_K, 0, 0, vHi), new Insn(JEQ_K, 0, FAIL, (int) (d >>> 32)),
                    ldLo, new Insn(AND_K, 0, 0, vLo), new Insn(JEQ_K, 0, FAIL, (int) d));
        }
        default:
            throw new IllegalStateException("unhandled op " + a.op());
        }
    }

    private static long value(BigInteger v) {
        return v == null ? 0 : v.longValue(); // the low 64 bits: the unsigned value
    }

    /** struct sock_filter; jt/jf may hold FAIL until {@link #rule} resolves them. */
    private record Insn(int code, int jt, int jf, int k) {
    }
}
