package io.berth.runtime.cgroup.v2;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupException;
import io.berth.runtime.linux.LibC;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/** The bpf(2) calls that load a device filter and attach it to a cgroup directory. */
final class Bpf {
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_ATTACH = 8;
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    private static final int BPF_CGROUP_DEVICE = 6;
    /**
     * Replaces our own earlier program on a second apply, and still lets a nested runtime attach
     * a program to a child cgroup (under a flag-less program the kernel refuses that).
     */
    private static final int BPF_F_ALLOW_OVERRIDE = 1;
    private static final int LOG_SIZE = 64 * 1024;

    public interface BpfCall {
        @SaveError
        long syscall(long number, long cmd, Pointer attr, long size);

    }

    private static final class Holder {
        static final BpfCall LIBC = LibraryLoader.create(BpfCall.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private Bpf() {
    }

    /** Loads the program and attaches it to {@code cgroupDir}, replacing a program attached there before. */
    static void attachDeviceFilter(Path cgroupDir, byte[] insns) {
        BpfCall c = Holder.LIBC;
        Runtime rt = Holder.RUNTIME;
        int dirFd;
        try {
            dirFd = LibC.open(cgroupDir.toString(), LibC.O_RDONLY);
        } catch (LibC.SyscallException e) {
            throw new CgroupException("cannot open cgroup " + cgroupDir + " to attach the device filter: " + e.getMessage());
        }
        try {
            Pointer code = Memory.allocateDirect(rt, insns.length, true);
            code.put(0, insns, 0, insns.length);
            Pointer license = Memory.allocateDirect(rt, 16, true);
            license.putString(0, "Apache", 16, StandardCharsets.US_ASCII);
            Pointer log = Memory.allocateDirect(rt, LOG_SIZE, true);
            // union bpf_attr for BPF_PROG_LOAD; bytes the kernel does not know must be zero.
            Pointer load = Memory.allocateDirect(rt, 128, true);
            load.putInt(0, BPF_PROG_TYPE_CGROUP_DEVICE);
            load.putInt(4, insns.length / 8);
            load.putLong(8, code.address());
            load.putLong(16, license.address());
            load.putInt(24, 1);
            load.putInt(28, LOG_SIZE);
            load.putLong(32, log.address());
            load.putString(48, "berth_devices", 16, StandardCharsets.US_ASCII);
            long progFd = c.syscall(syscallNumber(), BPF_PROG_LOAD, load, 128);
            if (progFd < 0) {
                String why = error();
                String verifier = log.getString(0, LOG_SIZE, StandardCharsets.US_ASCII).strip();
                throw new CgroupException("cannot load the device filter for " + cgroupDir + ": bpf(BPF_PROG_LOAD): " + why
                        + (verifier.isEmpty() ? " (needs CAP_SYS_ADMIN or CAP_BPF and a kernel with CONFIG_CGROUP_BPF)"
                                : "; verifier: " + verifier.replace('\n', ' ')));
            }
            try {
                Pointer attach = Memory.allocateDirect(rt, 32, true);
                attach.putInt(0, dirFd);
                attach.putInt(4, (int) progFd);
                attach.putInt(8, BPF_CGROUP_DEVICE);
                attach.putInt(12, BPF_F_ALLOW_OVERRIDE);
                if (c.syscall(syscallNumber(), BPF_PROG_ATTACH, attach, 32) < 0) {
                    throw new CgroupException("cannot attach the device filter to " + cgroupDir + ": bpf(BPF_PROG_ATTACH): " + error()
                            + " (an ancestor cgroup may hold a device program that does not allow override)");
                }
            } finally {
                // The attachment holds its own reference to the program.
                LibC.close((int) progFd);
            }
        } finally {
            LibC.close(dirFd);
        }
    }

    private static String error() {
        int errno = LastError.getLastError(Holder.RUNTIME);
        return LibC.strerror(errno) + " (errno " + errno + ")";
    }

    private static long syscallNumber() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "arm64", "riscv64" -> 280;
            default -> throw new CgroupException("device rules on cgroup v2 are not supported on " + arch
                    + " yet (no bpf syscall number known); leave devices unset");
        };
    }
}
