package dev.berth.core.apiserver.table;

import java.time.Duration;
import java.time.Instant;

/** Kubernetes' short, human-readable durations ("5s", "3m2s", "2d5h", "3y12d"). */
public final class HumanDuration {
    private HumanDuration() {
    }

    public static String format(Duration d) {
        long seconds = truncatedSeconds(d);
        // Up to a second of clock skew between machines still reads as "now".
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }

    /** The age of a timestamp, or {@code <unknown>} when there is none. */
    public static String since(Instant timestamp, Instant now) {
        return timestamp == null ? "<unknown>" : format(Duration.between(timestamp, now));
    }

    private static long truncatedSeconds(Duration d) {
        long s = d.getSeconds();
        // Duration floors toward negative infinity; Go truncates toward zero.
        if (s < 0 && d.getNano() > 0) {
            s++;
        }
        return s;
    }
}
