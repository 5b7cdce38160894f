package io.berth.runtime.seccomp;

import java.util.Arrays;

/**
 * A compiled filter: {@code filter} is struct sock_filter[] (8 bytes each, native byte order),
 * ready for seccomp(SECCOMP_SET_MODE_FILTER, {@code flags}, &amp;prog).
 */
public record SeccompProgram(byte[] filter, int flags) {
    /** BPF_MAXINSNS: the kernel refuses longer programs. */
    public static final int MAX_INSTRUCTIONS = 4096;
    public static final int FLAG_LOG = 2;
    public static final int FLAG_SPEC_ALLOW = 4;

    public SeccompProgram {
        if (filter.length == 0 || filter.length % 8 != 0) {
            throw new IllegalArgumentException("a seccomp filter is a non-empty array of 8-byte instructions, not "
                    + filter.length + " bytes");
        }
        if (filter.length / 8 > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("a seccomp filter of " + filter.length / 8
                    + " instructions is above the kernel's limit of " + MAX_INSTRUCTIONS);
        }
        filter = filter.clone();
    }

    @Override
    public byte[] filter() {
        return filter.clone();
    }

    public int instructions() {
        return filter.length / 8;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompProgram && ((SeccompProgram) o).flags == flags
                && Arrays.equals(((SeccompProgram) o).filter, filter);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(filter) + flags;
    }

    @Override
    public String toString() {
        return "SeccompProgram[" + instructions() + " instructions, flags=" + flags + "]";
    }
}
