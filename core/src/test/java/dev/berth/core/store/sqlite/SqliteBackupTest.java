package dev.berth.core.store.sqlite;

import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SqliteBackupTest {
    @TempDir
    Path dir;
    final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T16:00:00Z"));

    @Test
    void aBackupTakenWhileWritesRunHoldsEveryWriteAcknowledgedBeforeItAndRestoresIntoAStoppedStore() throws Exception {
        Path db = dir.resolve("live/store/berth.db");
        Path backup = dir.resolve("backups/lab.db");
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        int before;
        SqliteBackup.Backup taken;
        try (SqliteStore store = SqliteStore.open(db)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    store.create("/registry/configmaps/default/cm-" + i, ("value-" + i).getBytes(StandardCharsets.UTF_8));
                    acknowledged.incrementAndGet();
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 200);
            before = acknowledged.get();
            taken = SqliteBackup.backup(db, backup);
            int during = acknowledged.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() > during + 50);   // writes went on
            stop.set(true);
            writer.join();

            // the server runs: no restore into its store
            assertThatThrownBy(() -> SqliteBackup.restore(backup, db, clock))
                    .isInstanceOf(StoreException.class).hasMessageContaining("is running").hasMessageContaining("stop it first");
        }
        assertThat(taken.revision()).isGreaterThanOrEqualTo(before);
        assertThat(Files.readString(SqliteBackup.checksumFile(backup))).isEqualTo(taken.sha256() + "  lab.db\n");

        // restore over the stopped store: the old database is kept aside
        Path kept = SqliteBackup.restore(backup, db, clock);
        assertThat(kept).isEqualTo(db.resolveSibling("before-restore-20261202-160000"));
        assertThat(kept.resolve("berth.db")).exists();
        try (SqliteStore restored = SqliteStore.open(db)) {
            assertThat(restored.currentRevision()).isEqualTo(taken.revision());
            for (int i = 0; i < before; i++) {
                assertThat(restored.get("/registry/configmaps/default/cm-" + i)).as("cm-" + i).isPresent()
                        .get().satisfies(v -> assertThat(new String(v.value(), StandardCharsets.UTF_8)).startsWith("value-"));
            }
            // and nothing written after the backup's revision
            assertThat(restored.list("/registry/configmaps/").items().size()).isEqualTo((int) taken.revision());
        }
    }

    @Test
    void refusesADamagedBackupOrOneWithoutItsChecksumAndKeepsTheStore() throws Exception {
        Path db = dir.resolve("data/store/berth.db");
        Path backup = dir.resolve("lab.db");
        try (SqliteStore store = SqliteStore.open(db)) {
            store.create("/registry/namespaces/shop", "x".getBytes(StandardCharsets.UTF_8));
        }
        SqliteBackup.backup(db, backup);
        byte[] bytes = Files.readAllBytes(backup);
        bytes[bytes.length / 2] ^= 1;
        Files.write(backup, bytes);
        assertThatThrownBy(() -> SqliteBackup.restore(backup, db, clock))
                .hasMessageContaining("is damaged: its SHA-256 is");
        Files.delete(SqliteBackup.checksumFile(backup));
        assertThatThrownBy(() -> SqliteBackup.restore(backup, db, clock))
                .hasMessageContaining("lab.db.sha256 is missing");
        try (SqliteStore store = SqliteStore.open(db)) {
            assertThat(store.get("/registry/namespaces/shop")).isPresent();
        }
        assertThatThrownBy(() -> SqliteBackup.backup(dir.resolve("nowhere/berth.db"), dir.resolve("x.db")))
                .hasMessageContaining("no store at");
    }
}
