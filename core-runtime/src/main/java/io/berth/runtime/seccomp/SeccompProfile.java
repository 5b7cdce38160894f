package io.berth.runtime.seccomp;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.berth.runtime.oci.Spec;

/**
 * What Berth accepts in linux.seccomp. Refused: what is wrong (an unknown action, op or
 * architecture name, an argument index outside 0..5, an errnoRet the kernel cannot return) and
 * what Berth does not implement (SCMP_ACT_NOTIFY and listenerPath: there is no seccomp agent).
 * Syscall names unknown on this architecture are not errors: runc skips them too, so one profile
 * serves every kernel and architecture.
 */
public final class SeccompProfile {
    /** The spec's flag names and the seccomp(2) flag each sets; TSYNC is 0: the child has one thread. */
    static final Map<String, Integer> FLAGS = Map.of(
            "SECCOMP_FILTER_FLAG_TSYNC", 0,
            "SECCOMP_FILTER_FLAG_LOG", SeccompProgram.FLAG_LOG,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SeccompProgram.FLAG_SPEC_ALLOW);
    static final int MAX_ARGS = 6;
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final String UNSUPPORTED = " is not supported by Berth yet: remove it from config.json or run this bundle with runc";

    private SeccompProfile() {
    }

    /**
     * The {@code linux.seccomp} object of the OCI features document ({@code berth-runtime
     * features}), in runc's shape: what a profile may use here.
     */
    public static Map<String, Object> features() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("enabled", true);
        f.put("actions", Arrays.stream(SeccompAction.values()).filter(a -> a != SeccompAction.NOTIFY)
                .map(SeccompAction::ociName).sorted().toList());
        f.put("operators", Arrays.stream(ArgOp.values()).map(ArgOp::ociName).sorted().toList());
        f.put("archs", Arch.OCI_NAMES.stream().sorted().toList());
        f.put("knownFlags", FLAGS.keySet().stream().sorted().toList());
        f.put("supportedFlags", FLAGS.keySet().stream().sorted().toList());
        return f;
    }

    /** Every problem of {@code s}, each a sentence naming the field; empty when it compiles. */
    public static List<String> problems(Spec.Seccomp s) {
        List<String> p = new ArrayList<>();
        String at = "linux.seccomp";
        SeccompAction def = action(s.defaultAction(), at + ".defaultAction", p);
        if (def == SeccompAction.NOTIFY) {
            p.add(at + ".defaultAction SCMP_ACT_NOTIFY" + UNSUPPORTED);
        }
        errnoRet(def, s.defaultErrnoRet(), at + ".defaultErrnoRet", p);
        if (s.listenerPath() != null && !s.listenerPath().isEmpty()) {
            p.add(at + ".listenerPath (a seccomp agent)" + UNSUPPORTED);
        }
        for (String a : s.architectures()) {
            if (!Arch.OCI_NAMES.contains(a)) {
                p.add(at + ".architectures: '" + a + "' is not an architecture name (e.g. SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64)");
            }
        }
        for (String f : s.flags()) {
            if (!FLAGS.containsKey(f)) {
                p.add(at + ".flags: '" + f + "' is not supported (supported: " + String.join(", ", FLAGS.keySet()) + ")");
            }
        }
        for (int i = 0; i < s.syscalls().size(); i++) {
            Spec.SeccompSyscall sc = s.syscalls().get(i);
            String where = at + ".syscalls[" + i + "]";
            if (sc.names().isEmpty() || sc.names().stream().anyMatch(n -> n == null || n.isEmpty())) {
                p.add(where + ".names is empty: list the syscalls the rule is for");
            }
            SeccompAction a = action(sc.action(), where + ".action", p);
            if (a == SeccompAction.NOTIFY) {
                p.add(where + ".action SCMP_ACT_NOTIFY (for " + String.join(", ", sc.names()) + ")" + UNSUPPORTED);
            }
            errnoRet(a, sc.errnoRet(), where + ".errnoRet", p);
            if (sc.args().size() > MAX_ARGS) {
                p.add(where + ".args has " + sc.args().size() + " conditions: a syscall has 6 arguments");
            }
            for (int j = 0; j < sc.args().size(); j++) {
                Spec.SeccompArg arg = sc.args().get(j);
                String w = where + ".args[" + j + "]";
                if (arg.index() == null || arg.index() < 0 || arg.index() >= MAX_ARGS) {
                    p.add(w + ".index " + arg.index() + " is invalid: give 0 to 5 (a syscall has 6 arguments)");
                }
                if (ArgOp.parse(arg.op()) == null) {
                    p.add(w + ".op '" + arg.op() + "' is not a comparison (known: " + ArgOp.known() + ")");
                }
                u64(arg.value(), w + ".value", p);
                u64(arg.valueTwo(), w + ".valueTwo", p);
            }
        }
        return p;
    }

    private static SeccompAction action(String name, String where, List<String> p) {
        SeccompAction a = SeccompAction.parse(name);
        if (a == null) {
            p.add(where + " '" + name + "' is not a seccomp action (known: " + SeccompAction.known() + ")");
        }
        return a;
    }

    private static void errnoRet(SeccompAction a, Integer errno, String where, List<String> p) {
        if (errno == null || a == null) {
            return;
        }
        if (!a.takesErrno()) {
            p.add(where + " is only meaningful with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not " + a.ociName() + ": remove it");
        } else if (errno < 0 || errno > SeccompAction.MAX_ERRNO) {
            p.add(where + " " + errno + " is out of range: give an errno from 0 to " + SeccompAction.MAX_ERRNO);
        }
    }

    private static void u64(BigInteger v, String where, List<String> p) {
        if (v != null && (v.signum() < 0 || v.compareTo(MAX_U64) > 0)) {
            p.add(where + " " + v + " is not an unsigned 64-bit number");
        }
    }
}
