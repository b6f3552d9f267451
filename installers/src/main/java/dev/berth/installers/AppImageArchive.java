package dev.berth.installers;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The app image as a portable {@code tar.gz}: one top folder, file modes and modification times
 * kept (the AOT cache checks the jars' times), symbolic links as links.
 */
final class AppImageArchive {
    private AppImageArchive() {}

    /**
     * Writes the archive; {@code edits} maps a file's path in the image ('/'-separated) to what its
     * text becomes in the archive (the launcher configuration loses what only installed packages have).
     */
    static void write(Path image, String top, Path archive, java.util.Map<String, java.util.function.UnaryOperator<String>> edits)
            throws IOException {
        Path partial = archive.resolveSibling(archive.getFileName() + ".part");
        GzipParameters gz = new GzipParameters();
        gz.setCompressionLevel(9);
        try (OutputStream file = Files.newOutputStream(partial);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file, gz));
             Stream<Path> files = Files.walk(image)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : files.sorted().toList()) {
                String name = top + (p.equals(image) ? "" : "/" + image.relativize(p).toString().replace('\\', '/'));
                TarArchiveEntry e;
                boolean regular = false;
                byte[] content = null;
                if (Files.isSymbolicLink(p)) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p)) {
                    e = new TarArchiveEntry(name + "/");
                    e.setMode(0755 | TarArchiveEntry.DEFAULT_DIR_MODE & ~0777);
                } else {
                    e = new TarArchiveEntry(name);
                    var edit = edits.get(image.relativize(p).toString().replace('\\', '/'));
                    if (edit != null) {
                        content = edit.apply(Files.readString(p, java.nio.charset.StandardCharsets.UTF_8))
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    }
                    e.setSize(content != null ? content.length : Files.size(p));
                    regular = true;
                    e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | mode(p));
                }
                e.setModTime(Files.getLastModifiedTime(p));
                tar.putArchiveEntry(e);
                if (regular && content != null) tar.write(content);
                else if (regular) Files.copy(p, tar);
                tar.closeArchiveEntry();
            }
        }
        Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int mode(Path p) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            return perms.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
        } catch (UnsupportedOperationException e) {
            // Windows: launchers are .exe, nothing to mark
            return p.getFileName().toString().endsWith(".exe") ? 0755 : 0644;
        }
    }
}
