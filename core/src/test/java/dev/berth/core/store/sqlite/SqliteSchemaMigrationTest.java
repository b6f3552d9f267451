package dev.berth.core.store.sqlite;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSchemaMigrationTest {
    @TempDir
    Path dir;

    private static SqliteStoreConfig config() {
        return SqliteStoreConfig.defaults().withCompactionInterval(Duration.ZERO);
    }

    /** The prototype's layout: values and their revisions, no meta table, no history. */
    private static void writeV0(Path file) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB NOT NULL,"
                    + " create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL)");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO kv VALUES (?, ?, ?, ?)")) {
                Object[][] rows = {{"/registry/pods/default/a", "pod-a", 1, 4}, {"/registry/pods/default/b", "pod-b", 2, 2},
                        {"/registry/services/default/s", "svc", 3, 7}};
                for (Object[] row : rows) {
                    insert.setString(1, (String) row[0]);
                    insert.setBytes(2, ((String) row[1]).getBytes(UTF_8));
                    insert.setLong(3, (Integer) row[2]);
                    insert.setLong(4, (Integer) row[3]);
                    insert.executeUpdate();
                }
            }
        }
    }

    @Test
    void openingAVersionZeroFileBacksItUpAndMigratesItToTheCurrentVersion() throws Exception {
        Path file = dir.resolve("store.db");
        writeV0(file);

        try (SqliteStore store = SqliteStore.open(file, config())) {
            assertThat(store.currentRevision()).isEqualTo(7);
            assertThat(store.compactedRevision()).isEqualTo(7);
            assertThat(store.list("/registry/pods/").items()).hasSize(2);
            assertThat(new String(store.get("/registry/pods/default/a").orElseThrow().value(), UTF_8)).isEqualTo("pod-a");
            assertThat(store.get("/registry/pods/default/a").orElseThrow().modRevision()).isEqualTo(4);
            assertThat(store.create("/registry/pods/default/c", "pod-c".getBytes(UTF_8)).modRevision()).isEqualTo(8);
            assertThatThrownBy(() -> store.watch("/", 6, new StoreContractRecorder()))
                    .isInstanceOf(StoreException.Compacted.class);
        }

        Path backup = dir.resolve("store.db.bak-v0");
        assertThat(backup).exists();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + backup);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM kv")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(3);
            assertThat(SqliteSchema.versionOf(connection)).isZero();
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(SqliteSchema.versionOf(connection)).isEqualTo(SqliteSchema.CURRENT_VERSION);
        }
    }

    @Test
    void aMigratedFileOpensAgainWithoutAnotherBackup() throws Exception {
        Path file = dir.resolve("store.db");
        writeV0(file);
        SqliteStore.open(file, config()).close();
        Files.delete(dir.resolve("store.db.bak-v0"));

        try (SqliteStore store = SqliteStore.open(file, config())) {
            assertThat(store.currentRevision()).isEqualTo(7);
        }
        assertThat(dir.resolve("store.db.bak-v0")).doesNotExist();
    }

    @Test
    void aFileFromANewerVersionIsRefusedUntouched() throws Exception {
        Path file = dir.resolve("store.db");
        SqliteStore.open(file, config()).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("UPDATE meta SET v = 99 WHERE k = 'schema_version'");
        }

        assertThatThrownBy(() -> SqliteStore.open(file, config()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99");
        // The failed open released the lock.
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(SqliteSchema.versionOf(connection)).isEqualTo(99);
        }
    }

    @Test
    void aFileThatIsNotAStoreIsRefused() throws Exception {
        Path file = dir.resolve("other.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE something (x INTEGER)");
        }

        assertThatThrownBy(() -> SqliteStore.open(file, config()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("not a Berth store");
    }

    private static final class StoreContractRecorder implements dev.berth.core.store.Store.WatchListener {
        @Override public void onEvent(dev.berth.core.store.StoreEvent event) {}
    }
}
