package io.berth.runtime.cgroup;

import java.util.BitSet;
import java.util.regex.Pattern;

/**
 * A kernel "cpu list" as cpuset.cpus and cpuset.mems use it: numbers and ranges separated by
 * commas ("0-3,5"). Parsed so that a bad or out-of-range value is rejected with a message before
 * anything is written, instead of the kernel's bare EINVAL.
 */
public final class CpuSetList {
    private static final Pattern SYNTAX = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    /** Far above any real machine; keeps "0-99999999999" from allocating a huge BitSet. */
    private static final int MAX_ID = 1 << 16;

    private final String text;
    private final BitSet ids;

    private CpuSetList(String text, BitSet ids) {
        this.text = text;
        this.ids = ids;
    }

    /** Parses {@code text}; {@code field} names the limit in the error. */
    public static CpuSetList parse(String field, String text) {
        String rule = field + " must be a list like \"0-3,5\" (numbers and ascending ranges separated by commas)";
        if (text == null || !SYNTAX.matcher(text.strip()).matches()) {
            throw new IllegalArgumentException(rule + ", got \"" + text + "\"");
        }
        BitSet ids = new BitSet();
        for (String part : text.strip().split(",")) {
            String[] range = part.split("-");
            long from = Long.parseLong(range[0]);
            long to = range.length == 2 ? Long.parseLong(range[1]) : from;
            if (from > to || to >= MAX_ID) {
                throw new IllegalArgumentException(rule + ", got \"" + text + "\" (bad range " + part + ")");
            }
            ids.set((int) from, (int) to + 1);
        }
        return new CpuSetList(text.strip(), ids);
    }

    /** The kernel's own list (from a cpuset file); empty text is the empty set. */
    public static CpuSetList ofKernel(String text) {
        String t = text.strip();
        return t.isEmpty() ? new CpuSetList("", new BitSet()) : parse("kernel cpu list", t);
    }

    public boolean isEmpty() {
        return ids.isEmpty();
    }

    public boolean isSubsetOf(CpuSetList other) {
        BitSet extra = (BitSet) ids.clone();
        extra.andNot(other.ids);
        return extra.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }
}
