package dev.berth.app.cli;

import dev.berth.core.server.ServerOptions;
import dev.berth.core.store.StoreException;
import dev.berth.core.store.sqlite.SqliteBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Writes a consistent copy of the control plane's store (SQLite) to FILE, while it runs,",
                "and its SHA-256 to FILE.sha256. The copy holds every write acknowledged before the backup began.",
                "  berth backup lab-2026-12-02.db",
                "An etcd store is backed up with etcd's own tools (etcdctl snapshot save)."})
public final class BackupCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the backup.")
    Path file;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The control plane's data directory (default: $XDG_DATA_HOME/berth or ~/.local/share/berth).")
    Path dataDir;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
        Path db = (dataDir != null ? dataDir : ServerOptions.defaultDataDir()).resolve("store").resolve("berth.db");
        try {
            SqliteBackup.Backup b = SqliteBackup.backup(db, file);
            out.println("Backed up the store at revision " + b.revision() + " to " + b.file() + " (" + b.bytes()
                    + " bytes, SHA-256 " + b.sha256() + ")");
            return 0;
        } catch (StoreException e) {
            err.println("berth backup: " + e.getMessage());
            return 1;
        }
    }
}
