package dev.berth.agent.runtime;

import java.time.Instant;

/**
 * Which log lines to read, as {@code kubectl logs} asks for them.
 *
 * @param follow     keep streaming until the container stops or the reader closes
 * @param tailLines  the last N lines, -1 for all
 * @param since      lines after this instant, null for all
 * @param timestamps prefix each line with its RFC 3339 timestamp
 * @param limitBytes stop after this many bytes, -1 for no limit
 */
public record LogOptions(boolean follow, long tailLines, Instant since, boolean timestamps, long limitBytes) {
    public static final LogOptions ALL = new LogOptions(false, -1, null, false, -1);
}
