package dev.berth.core.store.sqlite;

import dev.berth.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk format and its migrations.
 *
 * <p>Version 0 was the prototype: a single {@code kv} table, no history and no recorded revision.
 * Version 1 adds {@code meta} (schema version, revision, compacted revision) and the {@code history}
 * log that watches resume from. Before migrating, the file is copied to {@code <db>.bak-v<N>} with
 * {@code VACUUM INTO}, so a failed or regretted upgrade can be undone by hand.
 */
final class SqliteSchema {
    static final int CURRENT_VERSION = 1;

    private static final Logger log = LoggerFactory.getLogger(SqliteSchema.class);

    private SqliteSchema() {}

    /** Brings the database at {@code file} to {@link #CURRENT_VERSION}; returns the version found. */
    static int migrate(Connection connection, Path file) throws SQLException {
        int found = versionOf(connection);
        if (found > CURRENT_VERSION) {
            throw new StoreException("store " + file + " has schema version " + found
                    + ", newer than the supported version " + CURRENT_VERSION + "; use a newer Berth");
        }
        if (found == CURRENT_VERSION) return found;
        if (found >= 0) backup(connection, file, found);
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            if (found < 0) {
                createKv(statement);
                createV1Tables(statement);
                statement.execute("INSERT INTO meta(k, v) VALUES ('revision', 0), ('compacted', 0)");
            } else {
                // v0 -> v1: the prototype kept no revision; the highest mod_rev is the least safe
                // choice. Without history, everything up to it counts as compacted.
                createV1Tables(statement);
                statement.execute("INSERT INTO meta(k, v) SELECT 'revision', coalesce(max(mod_rev), 0) FROM kv");
                statement.execute("INSERT INTO meta(k, v) SELECT 'compacted', coalesce(max(mod_rev), 0) FROM kv");
                log.info("migrated store {} from schema version {} to {}", file, found, CURRENT_VERSION);
            }
            statement.execute("INSERT INTO meta(k, v) VALUES ('schema_version', " + CURRENT_VERSION + ")");
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
        return found;
    }

    /** -1 for an empty file, 0 for the prototype layout, else the recorded version. */
    static int versionOf(Connection connection) throws SQLException {
        Set<String> tables = new HashSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rows.next()) tables.add(rows.getString(1));
        }
        if (tables.contains("meta")) {
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT v FROM meta WHERE k = 'schema_version'")) {
                if (!rows.next()) throw new StoreException("meta table has no schema_version row");
                return rows.getInt(1);
            }
        }
        if (tables.contains("kv")) return 0;
        if (tables.isEmpty()) return -1;
        throw new StoreException("not a Berth store: unexpected tables " + tables);
    }

    private static void backup(Connection connection, Path file, int version) throws SQLException {
        Path target = file.resolveSibling(file.getFileName() + ".bak-v" + version);
        try {
            // A leftover from an earlier failed attempt holds the same version's data; replace it.
            Files.deleteIfExists(target);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot replace old backup " + target, e);
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("VACUUM INTO '" + target.toString().replace("'", "''") + "'");
        }
        log.info("backed up store {} (schema version {}) to {}", file, version, target);
    }

    private static void createKv(Statement statement) throws SQLException {
        statement.execute("""
                CREATE TABLE kv (
                  key TEXT PRIMARY KEY,
                  value BLOB NOT NULL,
                  create_rev INTEGER NOT NULL,
                  mod_rev INTEGER NOT NULL)""");
    }

    private static void createV1Tables(Statement statement) throws SQLException {
        statement.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
        // type: 0 = PUT, 1 = DELETE; ts: epoch millis of the write, for the time-based retention.
        statement.execute("""
                CREATE TABLE history (
                  rev INTEGER PRIMARY KEY,
                  key TEXT NOT NULL,
                  type INTEGER NOT NULL,
                  created INTEGER NOT NULL,
                  value BLOB NOT NULL,
                  ts INTEGER NOT NULL)""");
    }
}
