package dev.berth.app.cli;

import dev.berth.core.BerthVersion;
import dev.berth.core.provision.Bundle;
import dev.berth.core.provision.BundleBuilder;
import dev.berth.core.provision.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** berth node add in an installed app finds the agent bundle the installer put beside the launcher. */
class InstalledBundleTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheBundleInLibOfALinuxInstallation() throws IOException {
        Path root = tmp.resolve("opt/berth");
        Path launcher = file(root.resolve("bin/Berth"), "launcher");
        Path manifest = file(root.resolve("lib/bundle/berth-agent-1.2.0-x86_64.json"), "{}");

        assertThat(InstalledBundle.manifest(launcher.toString(), "1.2.0", "x86_64")).contains(manifest);
    }

    @Test
    void findsTheBundleBesideAWindowsLauncherAndInsideAMacApp() throws IOException {
        Path win = tmp.resolve("Program Files/Berth");
        Path exe = file(win.resolve("Berth.exe"), "launcher");
        Path winManifest = file(win.resolve("bundle/berth-agent-1.2.0-x86_64.json"), "{}");
        Path mac = tmp.resolve("Applications/Berth.app/Contents");
        Path macLauncher = file(mac.resolve("MacOS/Berth"), "launcher");
        Path macManifest = file(mac.resolve("bundle/berth-agent-1.2.0-aarch64.json"), "{}");

        assertThat(InstalledBundle.manifest(exe.toString(), "1.2.0", "x86_64")).contains(winManifest);
        assertThat(InstalledBundle.manifest(macLauncher.toString(), "1.2.0", "aarch64")).contains(macManifest);
    }

    @Test
    void noInstallationOrAnotherVersionOrArchitectureFindsNothing() throws IOException {
        Path root = tmp.resolve("opt/berth");
        Path launcher = file(root.resolve("bin/Berth"), "launcher");
        file(root.resolve("lib/bundle/berth-agent-1.1.0-x86_64.json"), "{}");

        assertThat(InstalledBundle.manifest(null, "1.2.0", "x86_64")).isEmpty();
        assertThat(InstalledBundle.manifest("", "1.2.0", "x86_64")).isEmpty();
        assertThat(InstalledBundle.manifest(launcher.toString(), "1.2.0", "x86_64")).isEmpty();
        assertThat(InstalledBundle.manifest(launcher.toString(), "1.1.0", "aarch64")).isEmpty();
    }

    @Test
    void nodeAddTakesTheInstalledBundleBeforeBuildingOne() throws Exception {
        String base = "berth-agent-" + BerthVersion.version() + "-" + BundleBuilder.hostArch();
        Path root = tmp.resolve("opt/berth");
        Path launcher = file(root.resolve("bin/Berth"), "launcher");
        Path archive = file(root.resolve("lib/bundle/" + base + ".tar.gz"), "the installed agent bundle");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
        file(root.resolve("lib/bundle/" + base + ".json"), """
                {"version": "%s", "arch": "%s", "archive": "%s.tar.gz", "sha256": "%s", "size": %d, "runtime": true}
                """.formatted(BerthVersion.version(), BundleBuilder.hostArch(), base, sha, Files.size(archive)));
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        ProgressListener quiet = new ProgressListener() {
            @Override
            public void progress(dev.berth.core.provision.Progress p) {
            }
        };

        Bundle b = NodeProvisionOptions.bundle(null, dataDir, true, quiet, launcher.toString());

        assertThat(b.archive()).isEqualTo(archive);
        assertThat(b.sha256()).isEqualTo(sha);
        assertThat(b.bundledRuntime()).isTrue();
        // nothing was built into the data dir
        assertThat(dataDir.resolve("bundles")).doesNotExist();
    }

    @Test
    void anInstalledAppWithoutABundleMakesOneFromItsOwnRuntimeAndItsJarsWithoutTheDesktopOnes() throws Exception {
        Path root = tmp.resolve("opt/berth");
        Path launcher = file(root.resolve("bin/Berth"), "launcher");
        Path runtime = root.resolve("lib/runtime");
        file(runtime.resolve("lib/modules"), "modules");
        file(runtime.resolve("lib/server/libjvm.so"), "jvm");
        file(runtime.resolve("lib/libglassgtk3.so"), "glass");
        file(runtime.resolve("lib/server/classes_coh.jsa"), "cds");
        java.util.List<Path> classpath = java.util.List.of(file(root.resolve("lib/app/berth-app-1.jar"), "app"),
                file(root.resolve("lib/app/berth-core-1.jar"), "core"), file(root.resolve("lib/app/controlsfx-11.jar"), "fx"),
                file(root.resolve("lib/app/javafx-base-21-linux.jar"), "fx"), file(root.resolve("lib/app/jsvg-2.jar"), "svg"));

        Bundle linux = InstalledBundle.builder("1.2.0", true, launcher.toString(), runtime, classpath, true)
                .build(tmp.resolve("linux"), ProgressListener.NONE);
        assertThat(linux.bundledRuntime()).isTrue();
        assertThat(entries(linux.archive())).contains("lib/berth-app-1.jar", "lib/berth-core-1.jar", "runtime/lib/modules",
                "runtime/lib/server/libjvm.so").doesNotContain("lib/controlsfx-11.jar", "lib/javafx-base-21-linux.jar",
                "lib/jsvg-2.jar", "runtime/lib/libglassgtk3.so", "runtime/lib/server/classes_coh.jsa");

        // a Windows or macOS installation's runtime cannot run on a Linux node: jars only
        Bundle other = InstalledBundle.builder("1.2.0", true, launcher.toString(), runtime, classpath, false)
                .build(tmp.resolve("other"), ProgressListener.NONE);
        assertThat(other.bundledRuntime()).isFalse();
        assertThat(entries(other.archive())).contains("lib/berth-core-1.jar").noneMatch(n -> n.startsWith("runtime/"));
    }

    private static java.util.List<String> entries(Path archive) throws IOException {
        java.util.List<String> names = new java.util.ArrayList<>();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(Files.newInputStream(archive)))) {
            for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) names.add(e.getName());
        }
        return names;
    }

    private static Path file(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content, StandardCharsets.UTF_8);
    }
}
