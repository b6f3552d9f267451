package dev.berth.core.store.sqlite;

import dev.berth.core.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Backup and restore of a SQLite store file.
 *
 * <p>A backup is taken while the control plane runs: SQLite's {@code VACUUM INTO} on a connection
 * of its own reads the database in one read transaction, so the copy holds exactly the writes
 * committed before it began (every write the server acknowledged by then: the store commits with
 * {@code synchronous=FULL} before it answers) and none of the later ones, and the server goes on
 * writing meanwhile (WAL). The copy is written next to {@code FILE} first, checked, then renamed;
 * {@code FILE.sha256} holds its SHA-256 in {@code sha256sum} format.
 *
 * <p>A restore goes into the store of a stopped control plane only: it takes the store's lock
 * (refusing while a server holds it), checks the checksum and the copy's integrity, keeps the
 * current database in {@code store/before-restore-TIME/}, and puts the copy in its place.
 */
public final class SqliteBackup {
    /** What a backup wrote. */
    public record Backup(Path file, long bytes, String sha256, long revision) {}

    private SqliteBackup() {}

    public static Path checksumFile(Path backup) {
        return backup.resolveSibling(backup.getFileName() + ".sha256");
    }

    /** Copies the live store {@code db} (the server may be writing) into {@code target}, with its checksum beside it. */
    public static Backup backup(Path db, Path target) {
        if (!Files.isRegularFile(db)) {
            throw new StoreException("no store at " + db + ": is this the data dir of a control plane with the sqlite store?");
        }
        Path absolute = target.toAbsolutePath();
        Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
        try {
            Files.createDirectories(absolute.getParent());
            Files.deleteIfExists(partial);
            try (Connection c = connect(db, false); PreparedStatement vacuum = c.prepareStatement("VACUUM INTO ?")) {
                vacuum.setString(1, partial.toString());
                vacuum.execute();
            }
            long revision = check(partial);
            String sha = sha256(partial);
            Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(checksumFile(absolute), sha + "  " + absolute.getFileName() + "\n", StandardCharsets.US_ASCII);
            return new Backup(absolute, Files.size(absolute), sha, revision);
        } catch (SQLException e) {
            throw new StoreException("cannot back up " + db + " to " + target + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreException("cannot write the backup " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /**
     * Restores {@code backup} into the store file {@code db} of a stopped control plane.
     *
     * @return where the database that was there before now is, or null when there was none
     */
    public static Path restore(Path backup, Path db, Clock clock) {
        Path sumFile = checksumFile(backup);
        if (!Files.isRegularFile(backup)) {
            throw new StoreException("no backup at " + backup);
        }
        if (!Files.isRegularFile(sumFile)) {
            throw new StoreException("no checksum beside the backup: " + sumFile + " is missing (berth backup writes it)");
        }
        Path lockFile = db.resolveSibling(db.getFileName() + ".lock");
        try {
            Files.createDirectories(db.toAbsolutePath().getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = tryLock(channel);
                if (lock == null) {
                    throw new StoreException("the control plane using " + db.getParent().getParent()
                            + " is running (it holds " + lockFile + "): stop it first, then restore");
                }
                try (lock) {
                    String expected = Files.readString(sumFile, StandardCharsets.US_ASCII).strip().split("\\s+")[0];
                    String actual = sha256(backup);
                    if (!actual.equalsIgnoreCase(expected)) {
                        throw new StoreException("the backup " + backup + " is damaged: its SHA-256 is " + actual + ", "
                                + sumFile.getFileName() + " says " + expected);
                    }
                    Path incoming = db.resolveSibling(db.getFileName() + ".restoring");
                    Files.copy(backup, incoming, StandardCopyOption.REPLACE_EXISTING);
                    try {
                        check(incoming);
                        Path kept = null;
                        if (Files.exists(db)) {
                            kept = db.resolveSibling("before-restore-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                    .withZone(ZoneOffset.UTC).format(clock.instant()));
                            Files.createDirectories(kept);
                            for (String suffix : List.of("", "-wal", "-shm")) {
                                Path f = db.resolveSibling(db.getFileName() + suffix);
                                if (Files.exists(f)) {
                                    Files.move(f, kept.resolve(f.getFileName()));
                                }
                            }
                        }
                        try (FileChannel fc = FileChannel.open(incoming, StandardOpenOption.WRITE)) {
                            fc.force(true);
                        }
                        Files.move(incoming, db, StandardCopyOption.ATOMIC_MOVE);
                        return kept;
                    } finally {
                        Files.deleteIfExists(incoming);
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot restore " + backup + " into " + db + ": " + e.getMessage(), e);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;   // held by this very process
        }
    }

    /** Checks that {@code file} is an intact Berth store; returns its revision. */
    static long check(Path file) {
        try (Connection c = connect(file, true); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
                String result = r.next() ? r.getString(1) : "no answer";
                if (!"ok".equals(result)) {
                    throw new StoreException(file + " is not an intact SQLite database: " + result);
                }
            }
            try (ResultSet r = s.executeQuery("SELECT v FROM meta WHERE k = 'revision'")) {
                if (!r.next()) {
                    throw new StoreException(file + " is not a Berth store: it records no revision");
                }
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException(file + " is not a Berth store: " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path file, boolean readOnly) throws SQLException {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "10000");
        if (readOnly) {
            p.setProperty("open_mode", "1");
        }
        return DriverManager.getConnection("jdbc:sqlite:" + file, p);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
