package dev.berth.installers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class JarSlimmerTest {
    @TempDir
    Path tmp;

    static final List<String> ENTRIES = List.of("org/sqlite/JDBC.class", "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so",
            "org/sqlite/native/Linux/aarch64/libsqlitejdbc.so", "org/sqlite/native/Linux-Musl/x86_64/libsqlitejdbc.so",
            "org/sqlite/native/Linux-Android/arm/libsqlitejdbc.so", "org/sqlite/native/Windows/x86_64/sqlitejdbc.dll",
            "org/sqlite/native/Mac/aarch64/libsqlitejdbc.dylib", "org/sqlite/native/FreeBSD/x86_64/libsqlitejdbc.so",
            "com/sun/jna/Native.class", "com/sun/jna/ptr/IntByReference.class", "com/sun/jna/linux-x86-64/libjnidispatch.so",
            "com/sun/jna/win32-x86-64/jnidispatch.dll", "com/sun/jna/darwin-aarch64/libjnidispatch.jnilib",
            "com/sun/jna/aix-ppc64/libjnidispatch.a", "META-INF/MANIFEST.MF");

    @Test
    void leavesOutOtherSystemsNativeLibrariesAndStoresEntriesUncompressed() throws Exception {
        Path jar = jar("lib.jar", ENTRIES);
        Path out = tmp.resolve("out.jar");

        JarSlimmer.Result r = JarSlimmer.copy(jar, out, InstallerBuild.Platform.LINUX);

        Map<String, Integer> methods = entries(out);
        assertThat(methods.keySet()).containsExactlyInAnyOrder("org/sqlite/JDBC.class",
                "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so", "org/sqlite/native/Linux/aarch64/libsqlitejdbc.so",
                "org/sqlite/native/Linux-Musl/x86_64/libsqlitejdbc.so", "com/sun/jna/Native.class",
                "com/sun/jna/ptr/IntByReference.class", "com/sun/jna/linux-x86-64/libjnidispatch.so", "META-INF/MANIFEST.MF");
        assertThat(methods.values()).containsOnly(ZipEntry.STORED);
        assertThat(r.nativesDropped()).isEqualTo(7);
        assertThat(r.signed()).isFalse();
        try (ZipFile z = new ZipFile(out.toFile())) {
            assertThat(new String(z.getInputStream(z.getEntry("org/sqlite/JDBC.class")).readAllBytes())).isEqualTo(content("org/sqlite/JDBC.class"));
        }
    }

    @Test
    void aWindowsBuildKeepsItsOwnAndTheLinuxLibraries() throws Exception {
        Path out = tmp.resolve("out.jar");
        JarSlimmer.copy(jar("lib.jar", ENTRIES), out, InstallerBuild.Platform.WINDOWS);
        assertThat(entries(out).keySet()).contains("org/sqlite/native/Windows/x86_64/sqlitejdbc.dll",
                "com/sun/jna/win32-x86-64/jnidispatch.dll", "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so")
                .doesNotContain("org/sqlite/native/Mac/aarch64/libsqlitejdbc.dylib", "com/sun/jna/darwin-aarch64/libjnidispatch.jnilib");
    }

    @Test
    void signedJarsAreCopiedUnchanged() throws Exception {
        Path jar = jar("signed.jar", List.of("META-INF/MANIFEST.MF", "META-INF/BC1024KE.SF", "META-INF/BC1024KE.DSA",
                "org/sqlite/native/Windows/x86_64/sqlitejdbc.dll"));
        Path out = tmp.resolve("out.jar");

        JarSlimmer.Result r = JarSlimmer.copy(jar, out, InstallerBuild.Platform.LINUX);

        assertThat(r.signed()).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(jar));
    }

    private Path jar(String name, List<String> names) throws Exception {
        Path jar = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (String n : names) {
                z.putNextEntry(new ZipEntry(n));
                z.write(content(n).getBytes());
                z.closeEntry();
            }
        }
        return jar;
    }

    private static String content(String name) {
        return ("contents of " + name + "\n").repeat(20);
    }

    private static Map<String, Integer> entries(Path jar) throws Exception {
        Map<String, Integer> m = new TreeMap<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            z.stream().forEach(e -> m.put(e.getName(), e.getMethod()));
        }
        return m;
    }
}
