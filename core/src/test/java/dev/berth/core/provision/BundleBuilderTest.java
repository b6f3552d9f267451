package dev.berth.core.provision;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BundleBuilderTest {
    @TempDir
    Path dir;

    @Test
    void bundleHoldsJarsLauncherSupervisorUnitAndChecksums() throws Exception {
        Path jar = Files.write(dir.resolve("a.jar"), new byte[]{1, 2, 3});
        Bundle b = new BundleBuilder("1.2.3", List.of(jar)).build(dir.resolve("out"), ProgressListener.NONE);
        assertThat(b.version()).isEqualTo("1.2.3");
        assertThat(b.archive().getFileName().toString()).isEqualTo("berth-agent-1.2.3-" + BundleBuilder.hostArch() + ".tar.gz");
        assertThat(b.sha256()).isEqualTo(Bundle.sha256(b.archive()));
        Map<String, Integer> modes = new HashMap<>();
        String sums = null;
        try (var tar = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(b.archive())))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                modes.put(e.getName(), e.getMode() & 0777);
                if (e.getName().equals("SHA256SUMS")) sums = new String(tar.readAllBytes());
            }
        }
        assertThat(modes).containsEntry("lib/a.jar", 0644).containsEntry("bin/berth-agent", 0755)
                .containsEntry("bin/berth-agent-supervise", 0755).containsKeys("systemd/berth-agent.service", "manifest.json");
        assertThat(sums).contains("  lib/a.jar").contains("  bin/berth-agent\n");
    }

    @Test
    void aTamperedArchiveIsRefusedWhenOpened() throws Exception {
        Path jar = Files.write(dir.resolve("a.jar"), new byte[]{1});
        Bundle b = new BundleBuilder("1", List.of(jar)).build(dir.resolve("out"), ProgressListener.NONE);
        Files.write(b.archive(), new byte[]{0}, java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> Bundle.open(dir.resolve("out/berth-agent-1-" + BundleBuilder.hostArch() + ".json")))
                .hasMessageContaining("has SHA-256").hasMessageContaining("rebuild it");
    }

    @Test
    void aCopiedRuntimeKeepsWhatTheAgentRunsOnAndLeavesOutTheDesktopsAndMachineSpecificFiles() throws Exception {
        Path runtime = dir.resolve("runtime");
        for (String f : List.of("bin/java", "lib/modules", "lib/server/libjvm.so", "lib/libnet.so", "conf/security/java.security",
                "lib/libglassgtk3.so", "lib/libprism_es2.so", "lib/libjavafx_font.so", "lib/server/classes.jsa",
                "lib/server/classes_coh.jsa", "include/jni.h")) {
            Files.createDirectories(runtime.resolve(f).getParent());
            Files.write(runtime.resolve(f), f.getBytes());
        }
        Files.setPosixFilePermissions(runtime.resolve("bin/java"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.write(dir.resolve("a.jar"), new byte[]{1});
        Bundle b = new BundleBuilder("1", List.of(jar)).runtimeFrom(runtime).build(dir.resolve("out"), ProgressListener.NONE);
        Map<String, Integer> modes = new HashMap<>();
        try (var tar = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(b.archive())))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) modes.put(e.getName(), e.getMode() & 0777);
        }
        assertThat(modes).containsEntry("runtime/bin/java", 0755).containsEntry("runtime/lib/modules", 0644)
                .containsKeys("runtime/lib/server/libjvm.so", "runtime/lib/libnet.so", "runtime/conf/security/java.security", "lib/a.jar")
                .doesNotContainKeys("runtime/lib/libglassgtk3.so", "runtime/lib/libprism_es2.so", "runtime/lib/libjavafx_font.so",
                        "runtime/lib/server/classes.jsa", "runtime/lib/server/classes_coh.jsa", "runtime/include/jni.h");
        assertThat(Files.readString(dir.resolve("out/berth-agent-1-" + BundleBuilder.hostArch() + ".json"))).contains("\"runtime\" : true");
    }

    @Test
    void aRuntimeToCopyMustBeARuntimeImage() {
        assertThatThrownBy(() -> new BundleBuilder("1", List.of()).runtimeFrom(dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(dir + " has no lib/modules");
    }

    @Test
    void classDirectoriesOfSeveralModulesEachGetTheirOwnJar() throws Exception {
        for (String module : List.of("core", "agent")) {
            Path pkg = Files.createDirectories(dir.resolve(module + "/target/classes/" + module));
            Files.writeString(pkg.resolve("A.class"), module);
        }
        Bundle b = new BundleBuilder("1", List.of(dir.resolve("core/target/classes"), dir.resolve("agent/target/classes")))
                .build(dir.resolve("out"), ProgressListener.NONE);
        List<String> libs = new java.util.ArrayList<>();
        try (var tar = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(b.archive())))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().startsWith("lib/")) libs.add(e.getName());
            }
        }
        assertThat(libs).containsExactly("lib/target-classes.jar", "lib/target-classes-2.jar");
    }

    @Test
    void versionIsValidated() {
        assertThatThrownBy(() -> new BundleBuilder("1 0; rm", List.of())).hasMessageContaining("version \"1 0; rm\"");
    }
}
