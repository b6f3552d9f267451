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

    private static Path file(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content, StandardCharsets.UTF_8);
    }
}
