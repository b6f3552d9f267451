package dev.berth.app.logs;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * One line of a container's log, with the time the runtime stamped on it (null when the line
 * came without one) and the pod and container it came from.
 */
public record LogLine(Instant time, String stamp, String pod, String container, String text) {
    /**
     * A line as the API returns it with {@code timestamps=true}: an RFC 3339 time, a space, the
     * text. A line that does not start with a time is kept whole, without a time.
     */
    public static LogLine parse(String pod, String container, String raw) {
        int space = raw.indexOf(' ');
        if (space > 0 && Character.isDigit(raw.charAt(0))) {
            String stamp = raw.substring(0, space);
            try {
                return new LogLine(Instant.parse(stamp), stamp, pod, container, raw.substring(space + 1));
            } catch (DateTimeParseException e) {
                // not a time: the whole line is text
            }
        }
        return new LogLine(null, null, pod, container, raw);
    }

    /** The line as shown: {@code [pod/container]} when several sources are merged, the time when asked for. */
    public String format(boolean prefix, boolean timestamps) {
        StringBuilder b = new StringBuilder();
        if (timestamps && stamp != null) {
            b.append(stamp).append(' ');
        }
        if (prefix) {
            b.append('[').append(pod).append('/').append(container).append("] ");
        }
        return b.append(text).toString();
    }

    /**
     * Where {@code line} goes in {@code lines} (kept in time order): after every line of the same
     * time or earlier, so lines of one source keep their order. A line without a time goes last.
     * Lines arrive nearly in order, so the search starts from the end.
     */
    public static int insertionPoint(List<LogLine> lines, LogLine line) {
        int i = lines.size();
        if (line.time() == null) {
            return i;
        }
        while (i > 0) {
            Instant before = lines.get(i - 1).time();
            if (before == null || !before.isAfter(line.time())) {
                break;
            }
            i--;
        }
        return i;
    }
}
