package dev.berth.agent.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * kubelet's hostPath type checks and their error texts. The {@code *OrCreate} types create what is
 * missing (a directory 0755, an empty file 0644); the others only check; "" checks nothing.
 */
final class HostPathTypes {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    private HostPathTypes() {
    }

    static void check(Path path, String type) throws SetUpFailure {
        check(path, type, 0755);
    }

    /** @param dirMode the permission bits of a directory DirectoryOrCreate makes */
    static void check(Path path, String type, int dirMode) throws SetUpFailure {
        if (type == null || type.isEmpty()) {
            return;
        }
        try {
            switch (type) {
                case "DirectoryOrCreate" -> {
                    if (!Files.exists(path)) {
                        Files.createDirectories(path);
                        Files.setPosixFilePermissions(path, AtomicWriter.permissions(dirMode));
                        return;
                    }
                    requireDirectory(path);
                }
                case "Directory" -> requireDirectory(path);
                case "FileOrCreate" -> {
                    if (!Files.exists(path)) {
                        Files.createFile(path, PosixFilePermissions.asFileAttribute(AtomicWriter.permissions(0644)));
                        return;
                    }
                    requireFile(path);
                }
                case "File" -> requireFile(path);
                case "Socket" -> requireKind(path, S_IFSOCK, "is not a socket file");
                case "CharDevice" -> requireKind(path, S_IFCHR, "is not a character device");
                case "BlockDevice" -> requireKind(path, S_IFBLK, "is not a block device");
                default -> throw new SetUpFailure(type + " is an invalid volume type");
            }
        } catch (IOException e) {
            throw new SetUpFailure("hostPath type check failed: " + path + ": " + e.getMessage(), e);
        }
    }

    private static void requireDirectory(Path path) throws SetUpFailure {
        if (!Files.isDirectory(path)) {
            throw new SetUpFailure("hostPath type check failed: " + path + " is not a directory");
        }
    }

    private static void requireFile(Path path) throws SetUpFailure {
        // kubelet: exists and is not a directory
        if (!Files.exists(path) || Files.isDirectory(path)) {
            throw new SetUpFailure("hostPath type check failed: " + path + " is not a file");
        }
    }

    private static void requireKind(Path path, int kind, String notIt) throws SetUpFailure, IOException {
        if (!Files.exists(path) || ((Integer) Files.getAttribute(path, "unix:mode") & S_IFMT) != kind) {
            throw new SetUpFailure("hostPath type check failed: " + path + " " + notIt);
        }
    }
}
