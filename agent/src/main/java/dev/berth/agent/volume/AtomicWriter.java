package dev.berth.agent.volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes a volume's files the way kubelet's AtomicWriter does, so that a reader never sees half an
 * update: the files go to a new timestamped directory {@code ..2026_12_02_07_01_02.NNN}, a
 * {@code ..data} symlink is pointed at it by renaming a fresh symlink over the old one (one atomic
 * rename), and the names users see are symlinks into {@code ..data}. Nothing is written when the
 * content is unchanged.
 */
final class AtomicWriter {
    static final String DATA_DIR = "..data";
    private static final String DATA_DIR_TMP = "..data_tmp";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss'.'")
            .withZone(ZoneOffset.UTC);

    /** One file of a payload: its bytes and permission bits (0-0777). */
    record FileProjection(byte[] data, int mode) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FileProjection f && f.mode == mode && Arrays.equals(f.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(data) + mode;
        }

        @Override
        public String toString() {
            return "FileProjection[" + data.length + " bytes, mode " + Integer.toOctalString(mode) + "]";
        }
    }

    private final Path targetDir;
    private final Clock clock;
    /** Runs after the new files are written and before the swap; tests observe the old content there. */
    private final Runnable beforeSwap;

    AtomicWriter(Path targetDir, Clock clock) {
        this(targetDir, clock, () -> {
        });
    }

    AtomicWriter(Path targetDir, Clock clock, Runnable beforeSwap) {
        this.targetDir = targetDir;
        this.clock = clock;
        this.beforeSwap = beforeSwap;
    }

    /** True when there is a {@code ..data} link, that is, content was written before. */
    boolean hasContent() {
        return Files.isSymbolicLink(targetDir.resolve(DATA_DIR));
    }

    /**
     * Makes the directory hold exactly {@code payload} (relative path to file).
     *
     * @return true when something was written, false when the content was already current
     * @throws IllegalArgumentException when a path of the payload is not a safe relative path
     */
    boolean write(Map<String, FileProjection> payload) throws IOException {
        for (String p : payload.keySet()) {
            validatePath(p);
        }
        Files.createDirectories(targetDir);
        Path dataLink = targetDir.resolve(DATA_DIR);
        Path oldTsDir = currentTsDir();
        if (oldTsDir != null && contentEquals(oldTsDir, payload)) {
            createUserVisible(payload.keySet());
            return false;
        }
        Path tsDir = Files.createTempDirectory(targetDir, STAMP.format(clock.instant()));
        Files.setPosixFilePermissions(tsDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (var e : payload.entrySet()) {
            Path file = tsDir.resolve(e.getKey());
            Path parent = file.getParent();
            if (!parent.equals(tsDir)) {
                Files.createDirectories(parent);
            }
            Files.write(file, e.getValue().data());
            Files.setPosixFilePermissions(file, permissions(e.getValue().mode()));
        }
        beforeSwap.run();
        Path tmpLink = targetDir.resolve(DATA_DIR_TMP);
        Files.deleteIfExists(tmpLink);
        Files.createSymbolicLink(tmpLink, tsDir.getFileName());
        Files.move(tmpLink, dataLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        Set<String> visible = topLevel(payload.keySet());
        if (oldTsDir != null) {
            for (String old : topLevel(listRelative(oldTsDir))) {
                if (!visible.contains(old)) {
                    Files.deleteIfExists(targetDir.resolve(old));
                }
            }
        }
        createUserVisible(payload.keySet());
        // the old directory, and any left by an interrupted earlier write
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(targetDir, "..*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.equals(DATA_DIR) && !entry.equals(tsDir) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Tree.delete(entry);
                }
            }
        }
        return true;
    }

    /** The directory {@code ..data} points to, or null when there is none yet. */
    private Path currentTsDir() throws IOException {
        Path dataLink = targetDir.resolve(DATA_DIR);
        if (!Files.isSymbolicLink(dataLink)) {
            return null;
        }
        Path target = targetDir.resolve(Files.readSymbolicLink(dataLink));
        return Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) ? target : null;
    }

    private void createUserVisible(Set<String> paths) throws IOException {
        for (String name : topLevel(paths)) {
            Path link = targetDir.resolve(name);
            if (Files.isSymbolicLink(link)) {
                continue;
            }
            try {
                Files.createSymbolicLink(link, Path.of(DATA_DIR, name));
            } catch (FileAlreadyExistsException e) {
                throw new IOException("cannot create the link " + link + ": a file that is not a link is in the way", e);
            }
        }
    }

    private static boolean contentEquals(Path tsDir, Map<String, FileProjection> payload) throws IOException {
        Set<String> present = listRelative(tsDir);
        if (!present.equals(payload.keySet())) {
            return false;
        }
        for (var e : payload.entrySet()) {
            Path file = tsDir.resolve(e.getKey());
            if (modeOf(file) != e.getValue().mode() || !Arrays.equals(Files.readAllBytes(file), e.getValue().data())) {
                return false;
            }
        }
        return true;
    }

    /** Relative paths of the regular files under {@code dir}. */
    private static Set<String> listRelative(Path dir) throws IOException {
        Set<String> out = new TreeSet<>();
        try (var walk = Files.walk(dir)) {
            walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .forEach(p -> out.add(dir.relativize(p).toString()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }

    private static Set<String> topLevel(Set<String> paths) {
        Set<String> out = new HashSet<>();
        for (String p : paths) {
            int slash = p.indexOf('/');
            out.add(slash < 0 ? p : p.substring(0, slash));
        }
        return out;
    }

    static int modeOf(Path file) throws IOException {
        int mode = 0;
        for (PosixFilePermission p : Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The rules of kubelet's validatePath: relative, no {@code ..} element, not starting with
     * {@code ..} (those names are the writer's own), at most 4096 characters and 255 per element.
     */
    static void validatePath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path \"\" is invalid: must not be empty");
        }
        if (path.length() > 4096) {
            throw new IllegalArgumentException("path \"" + path + "\" is invalid: must be less than or equal to 4096 characters");
        }
        if (path.startsWith("/")) {
            throw new IllegalArgumentException("path \"" + path + "\" is invalid: must be a relative path");
        }
        if (path.startsWith("..")) {
            throw new IllegalArgumentException("path \"" + path + "\" is invalid: must not start with '..'");
        }
        for (String element : path.split("/", -1)) {
            if (element.equals("..")) {
                throw new IllegalArgumentException("path \"" + path + "\" is invalid: must not contain '..'");
            }
            if (element.isEmpty()) {
                throw new IllegalArgumentException("path \"" + path + "\" is invalid: must not contain empty elements");
            }
            if (element.length() > 255) {
                throw new IllegalArgumentException("path \"" + path + "\" is invalid: each element must be less than or equal to 255 characters");
            }
        }
    }

    /** What the user sees: path to content, read through the links (for tests and diagnostics). */
    static Map<String, byte[]> read(Path targetDir) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        Path data = targetDir.resolve(DATA_DIR);
        if (!Files.exists(data)) {
            return out;
        }
        for (String p : listRelative(data.toRealPath())) {
            out.put(p, Files.readAllBytes(targetDir.resolve(p)));
        }
        return out;
    }
}
