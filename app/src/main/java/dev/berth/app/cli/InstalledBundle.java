package dev.berth.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The agent bundle the installers put inside an installation of the app, so that {@code berth node
 * add} works offline. jpackage's launcher sets {@code jpackage.app-path} to itself; the bundle sits
 * in the app content folder beside it: {@code lib/bundle} on Linux ({@code /opt/berth/bin/Berth} →
 * {@code /opt/berth/lib/bundle}), {@code bundle} beside {@code Berth.exe} on Windows, and
 * {@code Contents/bundle} in the macOS app.
 */
final class InstalledBundle {
    /** The system property jpackage's launcher sets to its own path. */
    static final String APP_PATH = "jpackage.app-path";

    private InstalledBundle() {}

    /** The manifest {@code berth-agent-VERSION-ARCH.json} in the installation the launcher belongs to, if there is one. */
    static Optional<Path> manifest(String launcherPath, String version, String arch) {
        if (launcherPath == null || launcherPath.isBlank()) return Optional.empty();
        Path bin = Path.of(launcherPath).toAbsolutePath().getParent();
        if (bin == null) return Optional.empty();
        String name = "berth-agent-" + version + "-" + arch + ".json";
        List<Path> candidates = new java.util.ArrayList<>(List.of(bin.resolve("bundle")));
        if (bin.getParent() != null) {
            candidates.add(bin.getParent().resolve("lib").resolve("bundle"));
            candidates.add(bin.getParent().resolve("bundle"));
        }
        return candidates.stream().map(dir -> dir.resolve(name)).filter(Files::isRegularFile).findFirst();
    }
}
