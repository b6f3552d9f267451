/**
 * The embedded store: {@link dev.berth.core.store.sqlite.SqliteStore}, one SQLite file in WAL mode
 * with group commit, a history log for watch resumption, automatic compaction and a versioned,
 * migrated on-disk format.
 */
package dev.berth.core.store.sqlite;
