package io.berth.runtime.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The syscall ABIs Berth has number tables for. Each table is generated from this machine's
 * kernel headers by scripts/gen-syscall-tables.sh into resources next to this class.
 * x32 shares x86_64's audit arch: its syscall numbers carry bit 30 (0x40000000).
 */
public enum Arch {
    X86_64("SCMP_ARCH_X86_64", 0xC000003E, "x86_64"),
    X86("SCMP_ARCH_X86", 0x40000003, "x86"),
    X32("SCMP_ARCH_X32", 0xC000003E, "x32"),
    AARCH64("SCMP_ARCH_AARCH64", 0xC00000B7, "aarch64");

    static final int X32_SYSCALL_BIT = 0x40000000;

    /** Every architecture name libseccomp (and so the OCI spec) knows; the ones without a table are accepted and skipped. */
    public static final Set<String> OCI_NAMES = Set.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

    private final String ociName;
    private final int auditArch;
    private final String table;
    private volatile Map<String, Integer> syscalls;

    Arch(String ociName, int auditArch, String table) {
        this.ociName = ociName;
        this.auditArch = auditArch;
        this.table = table;
    }

    public String ociName() {
        return ociName;
    }

    /** seccomp_data.arch (AUDIT_ARCH_*) for this ABI. */
    public int auditArch() {
        return auditArch;
    }

    /** The JVM's own architecture, which is the kernel's for a container started from it. */
    public static Arch nativeArch() {
        String a = System.getProperty("os.arch");
        switch (a) {
        case "amd64":
        case "x86_64":
            return X86_64;
        case "aarch64":
            return AARCH64;
        default:
            throw new IllegalStateException("seccomp: no syscall table for the architecture " + a
                    + " (Berth has x86_64 and aarch64)");
        }
    }

    /** The ABIs a process on a {@code this} kernel can call in: e.g. x86_64 also runs i386 and x32 code. */
    Set<Arch> compatible() {
        return this == X86_64 ? Set.of(X86_64, X86, X32) : Set.of(this);
    }

    /** null if {@code ociName} has no table here (known to libseccomp or not: see {@link #OCI_NAMES}). */
    static Arch fromOci(String ociName) {
        for (Arch a : values()) {
            if (a.ociName.equals(ociName)) {
                return a;
            }
        }
        return null;
    }

    /** The syscall number of {@code name} in this ABI, or null if this ABI has no such syscall. */
    public Integer syscall(String name) {
        return syscalls().get(name);
    }

    Map<String, Integer> syscalls() {
        Map<String, Integer> m = syscalls;
        if (m == null) {
            m = load();
            syscalls = m;
        }
        return m;
    }

    private Map<String, Integer> load() {
        String resource = "syscalls-" + table + ".txt";
        Map<String, Integer> m = new HashMap<>();
        try (InputStream in = Arch.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("seccomp: the syscall table " + resource + " is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null;) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int sp = line.indexOf(' ');
                m.put(line.substring(0, sp), Integer.parseInt(line.substring(sp + 1).trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("seccomp: cannot read the syscall table " + resource, e);
        }
        return Map.copyOf(m);
    }
}
