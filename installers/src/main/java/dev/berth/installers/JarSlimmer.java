package dev.berth.installers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Copies the app's jars into the installer's input, smaller once packaged:
 * <ul>
 * <li>native libraries for systems the installation never runs on are left out (SQLite JDBC and
 * JNA carry one for every system and processor). Kept: every Linux one (the agent bundle that
 * {@code berth node add} makes from these jars runs on Linux nodes, and on a node of another
 * processor with that node's own Java) and the build system's own;</li>
 * <li>entries are stored, not deflated: the packages compress their whole payload in one stream
 * (xz in the .deb), which shrinks class files far better across files than a jar's per-entry
 * deflate does, and the JVM reads stored entries without inflating them.</li>
 * </ul>
 * Signed jars are copied unchanged (their signature covers their entries).
 */
final class JarSlimmer {
    /** Where the jars keep native libraries per system: SQLite JDBC ({@code org/sqlite/native/Linux/x86_64/...}), JNA ({@code com/sun/jna/linux-x86-64/...}). */
    static final List<String> NATIVE_ROOTS = List.of("org/sqlite/native/", "com/sun/jna/");

    private JarSlimmer() {}

    /** What one copy did: the bytes before and after, and how many native libraries were left out. */
    record Result(long before, long after, int nativesDropped, boolean signed) {}

    static Result copy(Path jar, Path target, InstallerBuild.Platform platform) throws IOException {
        long before = Files.size(jar);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (signed(zip)) {
                Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
                return new Result(before, before, 0, true);
            }
            int dropped = 0;
            Path partial = target.resolveSibling(target.getFileName() + ".part");
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(partial))) {
                out.setLevel(0);
                Enumeration<? extends ZipEntry> entries = zip.entries();
                java.util.Set<String> seen = new java.util.HashSet<>();
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    if (!seen.add(e.getName())) continue; // a name twice: the JVM reads the first one
                    if (!keep(e.getName(), platform)) {
                        if (!e.isDirectory()) dropped++;
                        continue;
                    }
                    byte[] data;
                    try (InputStream in = zip.getInputStream(e)) {
                        data = in.readAllBytes();
                    }
                    ZipEntry copy = new ZipEntry(e.getName());
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(data.length);
                    copy.setCompressedSize(data.length);
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    copy.setCrc(crc.getValue());
                    if (e.getLastModifiedTime() != null) copy.setLastModifiedTime(e.getLastModifiedTime());
                    out.putNextEntry(copy);
                    out.write(data);
                    out.closeEntry();
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            return new Result(before, Files.size(target), dropped, false);
        }
    }

    static boolean signed(ZipFile zip) {
        return zip.stream().map(ZipEntry::getName).map(n -> n.toUpperCase(Locale.ROOT))
                .anyMatch(n -> n.startsWith("META-INF/") && (n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith(".EC")));
    }

    /**
     * Whether an entry stays: anything but a native library of a system other than Linux and the
     * build's own. Native libraries are recognised by their folder under {@link #NATIVE_ROOTS}
     * (its name starts with the system: {@code Linux}, {@code Linux-Musl}, {@code linux-x86-64},
     * {@code Windows}, {@code win32-x86-64}, {@code Mac}, {@code darwin-aarch64}, {@code FreeBSD}...)
     * and their file name ending.
     */
    static boolean keep(String name, InstallerBuild.Platform platform) {
        for (String root : NATIVE_ROOTS) {
            if (!name.startsWith(root)) continue;
            String rest = name.substring(root.length());
            int slash = rest.indexOf('/');
            if (slash < 0) return true;
            String file = rest.substring(rest.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
            boolean library = file.endsWith(".so") || file.endsWith(".dll") || file.endsWith(".dylib") || file.endsWith(".jnilib")
                    || file.endsWith(".a");
            if (!library) return true;
            String system = rest.substring(0, slash).toLowerCase(Locale.ROOT);
            if (system.startsWith("linux") && !system.startsWith("linux-android")) return true;
            return switch (platform) {
                case LINUX -> false;
                case WINDOWS -> system.startsWith("windows") || system.startsWith("win32");
                case MAC -> system.startsWith("mac") || system.startsWith("darwin");
            };
        }
        return true;
    }
}
