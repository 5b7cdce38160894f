package io.berth.apimachinery.duration;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Ages as kubectl prints them (apimachinery's {@code duration.HumanDuration}): precise while short
 * ("45s", "3m20s"), coarser as they grow ("5h", "12d"), so a column stays narrow. The daemon's
 * server-side tables and the console's own tables both use it, so an AGE reads the same in both.
 */
public final class HumanDuration {
    private HumanDuration() {
    }

    /** The age of an RFC 3339 timestamp as of {@code now}; "&lt;unknown&gt;" when there is none or it does not parse. */
    public static String since(String rfc3339, Instant now) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return "<unknown>";
        }
        try {
            return of(Duration.between(Instant.parse(rfc3339), now));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    public static String of(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            // A clock a little ahead of ours: kubectl says "<invalid>" too.
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            return withRest(minutes, "m", seconds % 60, "s");
        }
        if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            return withRest(hours, "h", minutes % 60, "m");
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            return withRest(hours / 24, "d", hours % 24, "h");
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        if (hours < 24 * 365 * 8) {
            return withRest(hours / 24 / 365, "y", hours / 24 % 365, "d");
        }
        return hours / 24 / 365 + "y";
    }

    private static String withRest(long whole, String unit, long rest, String restUnit) {
        return rest == 0 ? whole + unit : whole + unit + rest + restUnit;
    }
}
