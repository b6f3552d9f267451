package dev.berth.agent.volume;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Gives a volume to a pod's {@code securityContext.fsGroup}, as kubelet's SetVolumeOwnership does:
 * every file and directory gets the group, files gain group read (and write unless the volume is
 * read-only), directories also group search and the setgid bit so that new files inherit the
 * group. Symbolic links are not followed.
 */
final class VolumeOwnership {
    /** Group read and write, as kubelet's rwMask. */
    static final int RW_MASK = 0660;
    /** Group read, as kubelet's roMask. */
    static final int RO_MASK = 0440;
    static final int SETGID = 02000;
    static final int EXEC_MASK = 0110;

    private VolumeOwnership() {
    }

    /**
     * Applies the group to {@code root} and everything below it.
     *
     * @param onRootMismatch fsGroupChangePolicy OnRootMismatch: do nothing when the root already has
     *                       the group and the permissions
     * @return whether anything was walked (false when skipped by the policy)
     */
    static boolean apply(Path root, long fsGroup, boolean readOnly, boolean onRootMismatch) throws IOException {
        int mask = readOnly ? RO_MASK : RW_MASK;
        if (onRootMismatch && rootMatches(root, fsGroup, mask)) {
            return false;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                own(dir, fsGroup, mask | EXEC_MASK | SETGID);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() || attrs.isDirectory()) {
                    own(file, fsGroup, mask);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return true;
    }

    private static boolean rootMatches(Path root, long fsGroup, int mask) throws IOException {
        int gid = (Integer) Files.getAttribute(root, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(root, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int wanted = mask | EXEC_MASK | SETGID;
        return gid == fsGroup && (mode & wanted) == wanted;
    }

    private static void own(Path p, long fsGroup, int bits) throws IOException {
        int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (gid != fsGroup) {
            Files.setAttribute(p, "unix:gid", (int) fsGroup, LinkOption.NOFOLLOW_LINKS);
        }
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int wanted = (mode & 07777) | bits;
        if ((mode & 07777) != wanted) {
            Files.setAttribute(p, "unix:mode", wanted, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
