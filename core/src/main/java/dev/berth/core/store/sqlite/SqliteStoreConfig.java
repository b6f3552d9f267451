package dev.berth.core.store.sqlite;

import java.time.Clock;
import java.time.Duration;

/**
 * Tunables of a {@link SqliteStore}.
 *
 * @param clock              time source of the history log, for the compaction policy
 * @param retainHistory      history younger than this is never compacted automatically
 * @param retainRevisions    the last this-many revisions are never compacted automatically
 * @param compactionInterval how often the automatic policy runs; zero or negative disables it
 * @param readers            size of the pool of read connections
 * @param maxBatch           most operations the writer applies in one commit
 */
public record SqliteStoreConfig(
        Clock clock, Duration retainHistory, long retainRevisions, Duration compactionInterval, int readers, int maxBatch) {

    public static SqliteStoreConfig defaults() {
        return new SqliteStoreConfig(Clock.systemUTC(), Duration.ofMinutes(5), 10_000, Duration.ofMinutes(1), 4, 1024);
    }

    public SqliteStoreConfig withClock(Clock clock) {
        return new SqliteStoreConfig(clock, retainHistory, retainRevisions, compactionInterval, readers, maxBatch);
    }

    public SqliteStoreConfig withRetention(Duration history, long revisions) {
        return new SqliteStoreConfig(clock, history, revisions, compactionInterval, readers, maxBatch);
    }

    public SqliteStoreConfig withCompactionInterval(Duration interval) {
        return new SqliteStoreConfig(clock, retainHistory, retainRevisions, interval, readers, maxBatch);
    }
}
