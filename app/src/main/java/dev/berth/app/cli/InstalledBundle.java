package dev.berth.app.cli;

import dev.berth.core.provision.BundleBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The agent bundle of an installed app, so that {@code berth node add} works offline: made on first
 * use from the installation's own runtime and jars (see {@link #builder}), or one put inside the
 * installation. jpackage's launcher sets {@code jpackage.app-path} to itself; the bundle sits
 * in the app content folder beside it: {@code lib/bundle} on Linux ({@code /opt/berth/bin/Berth} →
 * {@code /opt/berth/lib/bundle}), {@code bundle} beside {@code Berth.exe} on Windows, and
 * {@code Contents/bundle} in the macOS app.
 */
final class InstalledBundle {
    /** The system property jpackage's launcher sets to its own path. */
    static final String APP_PATH = "jpackage.app-path";

    private InstalledBundle() {}

    /** Jars only the desktop window uses: JavaFX and the libraries over it, the icons and their SVG renderer, the topology layout (ELK). */
    static final List<String> DESKTOP_ONLY = List.of("javafx-", "controlsfx-", "atlantafx-", "richtextfx-", "flowless-",
            "reactfx-", "undofx-", "wellbehavedfx-", "berth-icons-", "jsvg-", "org.eclipse.elk", "org.eclipse.emf");

    /**
     * How this process makes an agent bundle. An installed app (launched by jpackage's launcher, so
     * {@code launcherPath} is set) has no jlink: on Linux the bundle takes a copy of the runtime the
     * app runs on, so nodes of this machine's processor need no Java, and the installation's jars
     * without the desktop-only ones; on Windows and macOS (whose runtime a Linux node cannot run) the
     * jars only. Run from a build, jlink makes the runtime when {@code runtime} is true, as before.
     */
    static BundleBuilder builder(String version, boolean runtime, String launcherPath, Path javaHome, List<Path> classpath,
                                 boolean linux) {
        if (launcherPath == null || launcherPath.isBlank()) {
            return new BundleBuilder(version, classpath).jlink(runtime);
        }
        List<Path> agent = classpath.stream()
                .filter(j -> DESKTOP_ONLY.stream().noneMatch(j.getFileName().toString()::startsWith)).toList();
        return new BundleBuilder(version, agent).runtimeFrom(runtime && linux ? javaHome : null);
    }

    /** {@link #builder(String, boolean, String, Path, List, boolean)} for this process. */
    static BundleBuilder builder(String version, boolean runtime) {
        return builder(version, runtime, System.getProperty(APP_PATH), Path.of(System.getProperty("java.home")),
                BundleBuilder.runningClasspath(), System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"));
    }

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
