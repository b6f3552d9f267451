package dev.berth.app.cli;

import dev.berth.core.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class BackupCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    Run backup(String... args) {
        BackupCommand c = new BackupCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        c.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        c.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new CommandLine(c).execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Run restore(String... args) {
        RestoreCommand c = new RestoreCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        c.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        c.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new CommandLine(c).execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void backsUpTheStoreOfARunningControlPlaneAndRestoresOnlyOnceItStopped() {
        Path data = dir.resolve("data");
        Path file = dir.resolve("lab.db");
        try (SqliteStore store = SqliteStore.open(data.resolve("store/berth.db"))) {
            store.create("/registry/namespaces/shop", "{}".getBytes(StandardCharsets.UTF_8));
            Run b = backup(file.toString(), "--data-dir", data.toString());
            assertThat(b.code()).isZero();
            assertThat(b.out()).startsWith("Backed up the store at revision 1 to " + file);
            store.create("/registry/namespaces/later", "{}".getBytes(StandardCharsets.UTF_8));

            Run refused = restore(file.toString(), "--data-dir", data.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("is running").contains("stop it first");
        }
        Run r = restore(file.toString(), "--data-dir", data.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("the store it replaced is in");
        try (SqliteStore store = SqliteStore.open(data.resolve("store/berth.db"))) {
            assertThat(store.get("/registry/namespaces/shop")).isPresent();
            assertThat(store.get("/registry/namespaces/later")).isEmpty();
        }
    }

    @Test
    void saysWhenTheDataDirHoldsNoStore() {
        Run b = backup(dir.resolve("x.db").toString(), "--data-dir", dir.resolve("empty").toString());
        assertThat(b.code()).isEqualTo(1);
        assertThat(b.err()).startsWith("berth backup: no store at");
    }
}
