package dev.berth.core.datadir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Exclusive use of a data dir by one process: an OS file lock on {@code DIR/lock}, which holds
 * the owner's PID for the message a second process shows. The operating system drops the lock
 * when the process dies, so a crash never leaves the dir locked; the file itself stays.
 *
 * <pre>{@code
 * try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
 *     ... run the server ...
 * }
 * }</pre>
 */
public final class DataDirLock implements AutoCloseable {
    public static final String LOCK_FILE = "lock";
    // The lock covers one byte far past the PID: Windows locks are mandatory, and a lock over the
    // PID bytes would stop the second process from reading who holds the dir.
    private static final long LOCK_POSITION = Long.MAX_VALUE - 1;

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (created if missing) for this process.
     *
     * @throws DataDirInUseException {@code data dir DIR is in use by PID N} when another process,
     *     or another acquirer in this one, holds it
     * @throws UncheckedIOException when the dir or the lock file cannot be created or written
     */
    public static DataDirLock acquire(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(absolute);
            // no TRUNCATE_EXISTING: the file may belong to a running owner whose PID must survive
            channel = FileChannel.open(absolute.resolve(LOCK_FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock(LOCK_POSITION, 1, false);
            } catch (OverlappingFileLockException heldByThisProcess) {
                throw new DataDirInUseException(absolute, ProcessHandle.current().pid());
            }
            if (lock == null) {
                throw new DataDirInUseException(absolute, readPid(channel));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataDirLock(absolute, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock data dir " + absolute + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The locked dir, absolute. */
    public Path dir() { return dir; }

    /** Releases the lock; another process may then take the dir. Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock on data dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The owner's PID, or -1 when it has not written it yet (it locks first, then writes). */
    private static long readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing; the first error is the one to report
        }
    }
}
