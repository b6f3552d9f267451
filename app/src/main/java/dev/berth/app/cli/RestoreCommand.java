package dev.berth.app.cli;

import dev.berth.core.server.ServerOptions;
import dev.berth.core.store.StoreException;
import dev.berth.core.store.sqlite.SqliteBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Puts a backup (berth backup FILE) in place of the store of a stopped control plane, after",
                "checking it against FILE.sha256. The store it replaces is kept in DATA_DIR/store/before-restore-TIME/.",
                "Refuses while a control plane (berth server, or the app) uses the data dir.",
                "  berth restore lab-2026-12-02.db"})
public final class RestoreCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The backup to restore.")
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
            Path kept = SqliteBackup.restore(file, db, Clock.systemUTC());
            out.println("Restored " + file + " into " + db + (kept == null ? "" : "; the store it replaced is in " + kept));
            return 0;
        } catch (StoreException e) {
            err.println("berth restore: " + e.getMessage());
            return 1;
        }
    }
}
