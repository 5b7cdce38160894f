package io.berth.orchestrator.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * One record of a container log in the CRI logging format, as berth-monitor writes it and the
 * kubelet reads it: {@code <RFC3339Nano time> <stdout|stderr> <F|P>[:more tags] <content>\n}. A
 * P record is a part of a line (the line continues in the stream's next record, up to an F). A
 * record without that prefix (a log written before Berth's monitors stamped lines) is served as
 * it is: no time, no stream, a whole line, its newline kept.
 *
 * @param time    when the monitor read it; null for a record without a prefix
 * @param stream  "stdout" or "stderr"; null without a prefix
 * @param partial a part of a line, without its end
 * @param content the line's bytes without the record's newline, except for a record without a prefix
 */
public record CriRecord(Instant time, String stream, boolean partial, byte[] content) {

    /** The kubelet's output format for {@code timestamps=true} (RFC3339NanoFixed, UTC). */
    public static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** Parses {@code b[from, to)}, one record without its newline ({@code newline}: whether it had one). */
    static CriRecord parse(byte[] b, int from, int to, boolean newline) {
        int s1 = indexOf(b, from, to, (byte) ' ');
        int s2 = s1 < 0 ? -1 : indexOf(b, s1 + 1, to, (byte) ' ');
        int s3 = s2 < 0 ? -1 : indexOf(b, s2 + 1, to, (byte) ' ');
        if (s3 > 0 && s1 - from >= 20 && s1 - from <= 40 && b[from + 4] == '-') {
            String stream = new String(b, s1 + 1, s2 - s1 - 1, StandardCharsets.US_ASCII);
            if (stream.equals("stdout") || stream.equals("stderr")) {
                try {
                    Instant t = Instant.parse(new String(b, from, s1 - from, StandardCharsets.US_ASCII));
                    boolean partial = b[s2 + 1] == 'P' && (s2 + 2 == s3 || b[s2 + 2] == ':');
                    return new CriRecord(t, stream, partial, java.util.Arrays.copyOfRange(b, s3 + 1, to));
                } catch (DateTimeParseException e) {
                    // not a CRI record: served as it is, below
                }
            }
        }
        byte[] raw = java.util.Arrays.copyOfRange(b, from, newline ? to + 1 : to);
        return new CriRecord(null, null, false, raw);
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the record carries the CRI prefix. */
    public boolean stamped() {
        return time != null;
    }

    /** What ends the record in the output: a newline after a stamped whole line, nothing else. */
    byte[] end() {
        return stamped() && !partial ? NEWLINE : EMPTY;
    }

    private static final byte[] NEWLINE = {'\n'};
    private static final byte[] EMPTY = {};
}
