package dev.berth.core.datadir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exclusive use of a data dir by one process: an OS file lock on {@code DIR/lock}, which holds
 * the owner's PID for the message a second process shows. The operating system drops the lock
 * when the process dies, so a crash never leaves the dir locked; the file itself stays.
 * Nothing else in the process may open {@code DIR/lock}: on POSIX systems closing any descriptor
 * of that file releases the process's lock.
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
    // Dirs this JVM holds, by real path. POSIX record locks belong to the process, and closing any
    // descriptor of the file drops them all: a second acquirer in this process must be refused
    // before it opens the lock file, or its failed attempt would silently unlock the dir.
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path realDir;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DataDirLock(Path dir, Path realDir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.realDir = realDir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} for this process; a missing dir is created with mode 0700.
     *
     * @throws DataDirInUseException {@code data dir DIR is in use by PID N} when another process,
     *     or another acquirer in this one, holds it
     * @throws UncheckedIOException when the dir or the lock file cannot be created or written
     */
    public static DataDirLock acquire(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        Path realDir;
        try {
            createPrivateDirectory(absolute);
            realDir = absolute.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data dir " + absolute + ": " + e.getMessage(), e);
        }
        if (!HELD.add(realDir)) {
            throw new DataDirInUseException(absolute, ProcessHandle.current().pid());
        }
        FileChannel channel = null;
        try {
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
            return new DataDirLock(absolute, realDir, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(realDir);
            throw new UncheckedIOException("cannot lock data dir " + absolute + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            HELD.remove(realDir);
            throw e;
        }
    }

    /** The locked dir, absolute. */
    public Path dir() { return dir; }

    /** Releases the lock; another process may then take the dir. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            if (lock.isValid()) lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock on data dir " + dir + ": " + e.getMessage(), e);
        } finally {
            HELD.remove(realDir);
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

    /** Creates a missing data dir as owner-only (0700): it holds the store and the admin kubeconfig. */
    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Files.createDirectories(dir.getParent());
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir);
            return;
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(dir)) throw raced;
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
