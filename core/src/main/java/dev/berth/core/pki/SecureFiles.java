package dev.berth.core.pki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writing secret files: owner-only permissions from the first byte, atomically replaced. */
final class SecureFiles {
    private static final boolean POSIX = java.nio.file.FileSystems.getDefault()
            .supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private static final Logger LOG = LoggerFactory.getLogger(SecureFiles.class);

    private SecureFiles() {}

    /** Creates {@code dir} (and parents) if missing; a directory this creates is owner-only (0700). */
    static void createPrivateDirectory(Path dir) {
        if (Files.isDirectory(dir)) return;
        try {
            if (POSIX) {
                Files.createDirectories(dir.toAbsolutePath().getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                } catch (FileAlreadyExistsException raced) {
                    if (!Files.isDirectory(dir)) throw raced;
                }
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new PkiException("cannot create directory " + dir + ": " + e, e);
        }
    }

    /**
     * Writes {@code content} to {@code file} through a temporary file in the same directory, created
     * with mode 0600 so the secret is never readable by others, then moved over {@code file}: a reader
     * sees the old content or the new, never a half-written file.
     */
    static void writeAtomically(Path file, byte[] content) {
        Path dir = file.toAbsolutePath().getParent();
        createPrivateDirectory(dir);
        Path temp = null;
        try {
            FileAttribute<?>[] attributes = POSIX
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)}
                    : new FileAttribute<?>[0];
            temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", attributes);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true); // the rename must not become durable before the content
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new PkiException("cannot write " + file + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
    }

    /** Makes the rename durable; not every platform can open a directory, and there it is skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // Windows cannot open directories; its rename is durable enough for our purposes
        }
    }

    /**
     * Logs a warning when a secret file can be read or written by group or others, e.g. after a
     * restore from backup; it does not change the mode behind the operator's back.
     */
    static void warnIfNotPrivate(Path file) {
        if (!POSIX) return;
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!OWNER_FILE.containsAll(permissions)) {
                LOG.warn("{} has mode {}; it holds a secret and should be rw------- (chmod 600 {})",
                        file, PosixFilePermissions.toString(permissions), file);
            }
        } catch (IOException e) {
            LOG.warn("cannot read the permissions of {}: {}", file, e.toString());
        }
    }

    static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new PkiException("cannot read " + file + ": " + e, e);
        }
    }

    static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PkiException("cannot read " + file + ": " + e, e);
        }
    }
}
