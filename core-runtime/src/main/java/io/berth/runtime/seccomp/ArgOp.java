package io.berth.runtime.seccomp;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The OCI comparison names (libseccomp's SCMP_CMP_*), all unsigned 64-bit. */
public enum ArgOp {
    NE("SCMP_CMP_NE"),
    LT("SCMP_CMP_LT"),
    LE("SCMP_CMP_LE"),
    EQ("SCMP_CMP_EQ"),
    GE("SCMP_CMP_GE"),
    GT("SCMP_CMP_GT"),
    /** (arg &amp; value) == valueTwo: value is the mask, valueTwo the datum (runc's order). */
    MASKED_EQ("SCMP_CMP_MASKED_EQ");

    private final String ociName;

    ArgOp(String ociName) {
        this.ociName = ociName;
    }

    public String ociName() {
        return ociName;
    }

    /** null if {@code name} is not an OCI op name. */
    public static ArgOp parse(String name) {
        for (ArgOp o : values()) {
            if (o.ociName.equals(name)) {
                return o;
            }
        }
        return null;
    }

    static String known() {
        return Arrays.stream(values()).map(ArgOp::ociName).collect(Collectors.joining(", "));
    }
}
