package dev.berth.installers;

import dev.berth.core.provision.BundleBuilder;
import dev.berth.core.provision.ProvisionException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * Builds the installers with the running JDK's jdeps, jlink and jpackage: a runtime trimmed to the
 * modules the app needs plus JavaFX (its native libraries beside the JDK's), the app image
 * (with the class list of a training run, from which the Linux packages' install script makes a
 * class data archive), then the platform's packages made from that
 * one app image. The agent bundle is not in it: an installed app makes it from its own runtime and
 * jars when {@code berth node add} first needs it.
 */
public final class InstallerBuild {
    static final String NAME = "Berth";
    static final String PACKAGE = "berth";
    static final String MAIN_CLASS = "dev.berth.app.cli.Main";
    /** Where the Linux packages install the app image (jpackage's default: /opt/PACKAGE). */
    static final String LINUX_INSTALL_DIR = "/opt/" + "berth";
    /** The X11 window class the app gives its windows (DesktopLauncher names it). */
    static final String WM_CLASS = NAME;

    /** Modules reached only by reflection or service loading, so jdeps cannot see them. */
    static final List<String> EXTRA_MODULES = List.of("jdk.crypto.ec", "jdk.naming.dns", "jdk.unsupported", "jdk.zipfs",
            "jdk.management", "jdk.net", "jdk.localedata", "java.instrument", "jdk.jfr", "jdk.charsets");

    /**
     * JVM options of the launcher: as ./berth runs the app, plus the JavaFX internals ControlsFX
     * reaches into (JavaFX is a named module in the runtime, ControlsFX on the class path).
     */
    static final List<String> JAVA_OPTIONS = List.of("--enable-native-access=javafx.graphics,ALL-UNNAMED",
            "-XX:+UseCompactObjectHeaders", "-XX:+UseG1GC",
            // the app names its window class (WM_CLASS "Berth", the desktop entry's StartupWMClass) through glass
            "--add-exports=javafx.graphics/com.sun.glass.ui=ALL-UNNAMED",
            "--add-exports=javafx.base/com.sun.javafx.event=ALL-UNNAMED",
            "--add-exports=javafx.base/com.sun.javafx.collections=ALL-UNNAMED",
            "--add-exports=javafx.base/com.sun.javafx.runtime=ALL-UNNAMED",
            "--add-exports=javafx.graphics/com.sun.javafx.scene=ALL-UNNAMED",
            "--add-exports=javafx.graphics/com.sun.javafx.scene.traversal=ALL-UNNAMED",
            "--add-exports=javafx.graphics/com.sun.javafx.css=ALL-UNNAMED",
            "--add-exports=javafx.graphics/com.sun.javafx.util=ALL-UNNAMED",
            "--add-exports=javafx.controls/com.sun.javafx.scene.control=ALL-UNNAMED",
            "--add-exports=javafx.controls/com.sun.javafx.scene.control.behavior=ALL-UNNAMED",
            "--add-exports=javafx.controls/com.sun.javafx.scene.control.inputmap=ALL-UNNAMED",
            "--add-opens=javafx.controls/javafx.scene.control.skin=ALL-UNNAMED",
            "--add-opens=javafx.graphics/javafx.scene=ALL-UNNAMED");

    private final InstallerOptions options;
    private final InstallerVersion version;
    private final Platform platform;

    enum Platform {
        LINUX, WINDOWS, MAC;

        static Platform current() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            return os.contains("win") ? WINDOWS : os.contains("mac") ? MAC : LINUX;
        }
    }

    InstallerBuild(InstallerOptions options, Platform platform) {
        this.options = options;
        this.version = InstallerVersion.of(options.version());
        this.platform = platform;
    }

    public static void main(String[] args) {
        try {
            new InstallerBuild(InstallerOptions.parse(args), Platform.current()).run();
        } catch (IllegalArgumentException | IOException | BuildException | ProvisionException e) {
            System.err.println("installers: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    void run() throws IOException, InterruptedException {
        Path work = options.work();
        Files.createDirectories(work);
        deleteTree(work);
        // packages of an earlier build (perhaps an unfinished one) must not pass for this build's
        Files.createDirectories(options.out());
        deleteTree(options.out());
        Jars jars = Jars.of(options.app());
        log("app " + options.version() + " (packages " + version.appVersion() + "-" + version.release() + "): "
                + jars.classpath().size() + " jars on the class path, JavaFX " + jars.javafxModules());

        Path input = Files.createDirectories(work.resolve("input"));
        long before = 0, after = 0;
        int natives = 0;
        for (Path jar : jars.classpath()) {
            JarSlimmer.Result r = JarSlimmer.copy(jar, input.resolve(jar.getFileName()), platform);
            before += r.before();
            after += r.after();
            natives += r.nativesDropped();
        }
        log("jars: " + mib(before) + " deflated, " + mib(after) + " stored for the package's own compression; "
                + natives + " native libraries of other systems left out");

        Path runtime = work.resolve("runtime");
        Set<String> modules = modules(jars);
        log("runtime modules: " + String.join(",", modules));
        jlink(jars, modules, runtime);
        copyNativeLibraries(jars.javafx(), runtime.resolve(platform == Platform.WINDOWS ? "bin" : "lib"));
        if (platform != Platform.LINUX) {
            // no package script makes the CDS archive there: the image carries the one the launcher uses
            // (with compact object headers, which jlink does not make)
            runJava(runtime, List.of("-XX:+UseCompactObjectHeaders", "-Xshare:dump"));
        }
        // No agent bundle of its own: berth node add makes it from this installation's runtime and jars
        // (see InstalledBundle in app), so the package carries both once.
        // the app icon's sizes, which the Linux packages put into the hicolor theme
        Path iconsDir = Files.createDirectories(work.resolve("content").resolve("icons"));
        try (Stream<Path> s = Files.list(options.icons().resolve("app"))) {
            for (Path p : s.filter(f -> f.getFileName().toString().matches("berth-\\d+\\.png")).toList()) {
                Files.copy(p, iconsDir.resolve(p.getFileName()));
            }
        }

        Path resources = Files.createDirectories(work.resolve("resources"));
        writeResources(resources);
        Path images = work.resolve("image");
        jpackage(appImageArguments(input, runtime, List.of(iconsDir), resources, images));
        Path image = images.resolve(platform == Platform.MAC ? NAME + ".app" : NAME);
        // one fixed time on every file, so that builds of the same sources give the same files
        fixTimes(image);
        if (options.aot()) {
            AotTraining.train(image, platform, this::log);
        }
        for (String type : options.types()) {
            switch (type) {
                case "app-image" -> { }
                case "tar.gz" -> {
                    Path archive = options.out().resolve(PACKAGE + "-" + version.appVersion() + "-linux-" + BundleBuilder.hostArch() + ".tar.gz");
                    AppImageArchive.write(image, PACKAGE, archive, java.util.Map.of("lib/app/" + NAME + ".cfg", AotTraining::withoutArchive));
                    log("wrote " + archive + " (" + mib(Files.size(archive)) + ")");
                }
                case "rpm" -> {
                    if (!onPath("rpmbuild")) {
                        log("rpm: skipped, rpmbuild is not on the PATH (Debian package rpm)");
                        continue;
                    }
                    packageFrom(image, type, resources);
                }
                default -> packageFrom(image, type, resources);
            }
        }
    }

    /** jdeps over the app's class path, JavaFX, and the modules only reflection reaches. */
    Set<String> modules(Jars jars) {
        Set<String> modules = new TreeSet<>();
        String classpath = String.join(java.io.File.pathSeparator, jars.classpath().stream().map(Path::toString).toList());
        List<String> args = new ArrayList<>(List.of("--print-module-deps", "--ignore-missing-deps", "--multi-release",
                String.valueOf(Runtime.version().feature()), "--module-path",
                String.join(java.io.File.pathSeparator, jars.javafx().stream().map(Path::toString).toList()),
                "--class-path", classpath));
        args.add(jars.appJar().toString());
        String out = tool("jdeps", args);
        for (String m : out.trim().split(",")) {
            if (!m.isBlank()) modules.add(m.trim());
        }
        modules.addAll(jars.javafxModules());
        for (String m : EXTRA_MODULES) {
            if (ModuleLayer.boot().findModule(m).isPresent() || java.lang.module.ModuleFinder.ofSystem().find(m).isPresent()) {
                modules.add(m);
            }
        }
        return modules;
    }

    void jlink(Jars jars, Set<String> modules, Path runtime) {
        String modulePath = String.join(java.io.File.pathSeparator, jars.javafx().stream().map(Path::toString).toList());
        tool("jlink", List.of("--module-path", modulePath, "--add-modules", String.join(",", modules),
                // zip-0: the packages compress their payload as a whole (xz in the .deb), which does far better on
                // uncompressed classes than on jlink's per-resource zip, and the JVM reads them without inflating
                "--strip-debug", "--no-header-files", "--no-man-pages", "--compress", "zip-0",
                // JavaFX's native libraries are copied beside the JDK's instead, so they load without being unpacked
                "--exclude-resources", "/javafx.*/*.so,/javafx.*/*.dll,/javafx.*/*.dylib",
                // no CDS archive in the package: the Linux packages' scripts make it with the installed runtime
                "--include-locales", "en", "--output", runtime.toString()));
    }

    /** The native libraries in the JavaFX jars, where System.loadLibrary finds them in the runtime. */
    static void copyNativeLibraries(List<Path> javafxJars, Path dir) throws IOException {
        for (Path jar : javafxJars) {
            try (JarFile j = new JarFile(jar.toFile())) {
                for (ZipEntry e : j.stream().toList()) {
                    String n = e.getName();
                    if (!n.contains("/") && (n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib"))) {
                        try (InputStream in = j.getInputStream(e)) {
                            Files.copy(in, dir.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        }
    }

    List<String> appImageArguments(Path input, Path runtime, List<Path> content, Path resources, Path dest) throws IOException {
        List<String> a = new ArrayList<>(List.of("--type", "app-image", "--name", NAME, "--app-version", version.appVersion(),
                "--vendor", "Berth", "--description", "Kubernetes-compatible cluster manager for small labs",
                "--input", input.toString(), "--main-jar", Jars.appJarName(input), "--main-class", MAIN_CLASS,
                "--runtime-image", runtime.toString(), "--resource-dir", resources.toString(), "--dest", dest.toString()));
        for (Path c : content) {
            a.add("--app-content");
            a.add(c.toString());
        }
        for (String o : JAVA_OPTIONS) {
            a.add("--java-options");
            a.add(o);
        }
        a.add("--icon");
        a.add(icon().toString());
        return a;
    }

    Path icon() {
        return switch (platform) {
            case WINDOWS -> options.icons().resolve("berth.ico");
            case MAC -> options.icons().resolve("berth.icns");
            case LINUX -> options.icons().resolve("app").resolve("berth-256.png");
        };
    }

    void packageFrom(Path image, String type, Path resources) {
        List<String> a = new ArrayList<>(List.of("--type", type, "--app-image", image.toString(), "--name", NAME,
                "--app-version", version.appVersion(), "--vendor", "Berth",
                "--description", "Kubernetes-compatible cluster manager for small labs",
                "--resource-dir", resources.toString(), "--dest", options.out().toString()));
        switch (platform) {
            case LINUX -> a.addAll(List.of("--linux-package-name", PACKAGE, "--linux-app-release", version.release(),
                    "--linux-deb-maintainer", "berth@berth.dev", "--linux-menu-group", "Development;System;",
                    "--linux-app-category", type.equals("deb") ? "devel" : "Development/Tools", "--linux-shortcut",
                    "--linux-package-deps", type.equals("deb") ? "libgtk-3-0, libxtst6, libgl1, libfreetype6, libfontconfig1"
                            : "gtk3, libXtst, mesa-libGL, freetype, fontconfig", "--icon", icon().toString()));
            case WINDOWS -> a.addAll(List.of("--win-menu", "--win-menu-group", NAME, "--win-shortcut", "--win-dir-chooser",
                    "--win-upgrade-uuid", "6d1c1e0a-5b7e-4b0e-9a49-2f4a3c8b6e11", "--icon", icon().toString()));
            case MAC -> a.addAll(List.of("--mac-package-identifier", "dev.berth.app", "--mac-package-name", NAME,
                    "--icon", icon().toString()));
        }
        log("jpackage --type " + type);
        if (type.equals("deb")) {
            // the payload is stored jars and an uncompressed runtime: xz's fastest level already compresses
            // it as one stream, at a fraction of the default level's time on a small machine
            jpackageProcess(a, java.util.Map.of("DPKG_DEB_COMPRESSOR_TYPE", "xz", "DPKG_DEB_COMPRESSOR_LEVEL", "1"));
        } else {
            jpackage(a);
        }
        try (Stream<Path> s = Files.list(options.out())) {
            s.filter(p -> p.getFileName().toString().endsWith("." + type)).forEach(p -> {
                try {
                    log("wrote " + p + " (" + mib(Files.size(p)) + ")");
                } catch (IOException e) {
                    log("wrote " + p);
                }
            });
        } catch (IOException e) {
            throw new BuildException("cannot list " + options.out() + ": " + e.getMessage());
        }
    }

    /**
     * jpackage's resources for the Linux packages: the desktop entry (the icon by its theme name,
     * categories, and StartupWMClass as JavaFX's GTK glass names the window's class, so docks group
     * the window with its entry), and the package scripts that also put the icon in every hicolor
     * size and {@code berth} on the PATH.
     */
    void writeResources(Path resources) throws IOException {
        for (String name : List.of("berth.desktop", "postinst", "prerm", "berth.spec")) {
            String text;
            try (InputStream in = InstallerBuild.class.getResourceAsStream("linux/" + name)) {
                if (in == null) throw new BuildException("resource linux/" + name + " is missing from the build");
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            text = text.replace("@INSTALL_DIR@", LINUX_INSTALL_DIR).replace("@WM_CLASS@", WM_CLASS);
            // jpackage takes the desktop entry's override by the launcher's name (it installs it as PACKAGE-NAME.desktop)
            String target = name.equals("berth.desktop") ? NAME + ".desktop" : name;
            Files.writeString(resources.resolve(target), text, StandardCharsets.UTF_8);
        }
    }

    void jpackage(List<String> args) {
        tool("jpackage", args);
    }

    /** 2020-01-01T00:00:00Z: older than any package's build date, so no packager changes it. */
    static final java.nio.file.attribute.FileTime FIXED_TIME = java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2020-01-01T00:00:00Z"));

    static void fixTimes(Path image) throws IOException {
        try (Stream<Path> s = Files.walk(image)) {
            for (Path p : s.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.setLastModifiedTime(p, FIXED_TIME);
            }
        }
    }

    /** Runs the java of a runtime image; fails the build with its output when it fails. */
    static void runJava(Path runtime, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(runtime.resolve("bin").resolve("java").toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new BuildException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out);
        }
    }

    /** jpackage as a process of its own, for what it passes on through the environment (dpkg-deb's compressor). */
    static void jpackageProcess(List<String> args, java.util.Map<String, String> env) {
        Path exe = Path.of(System.getProperty("java.home"), "bin", "jpackage");
        if (!Files.isExecutable(exe)) {
            tool("jpackage", args);
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(exe.toString());
        command.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new BuildException("jpackage failed (exit " + p.exitValue() + "): " + out + "\n  arguments: " + String.join(" ", args));
            }
        } catch (IOException e) {
            throw new BuildException("cannot run " + exe + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while running jpackage");
        }
    }

    static String tool(String name, List<String> args) {
        ToolProvider t = ToolProvider.findFirst(name).orElseThrow(() -> new BuildException(
                name + " is not in " + System.getProperty("java.home") + ": build the installers with a JDK 25, not a JRE"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8); PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8)) {
            rc = t.run(o, e, args.toArray(String[]::new));
        }
        if (rc != 0) {
            throw new BuildException(name + " failed (exit " + rc + "): " + out.toString(StandardCharsets.UTF_8)
                    + err.toString(StandardCharsets.UTF_8) + "\n  arguments: " + String.join(" ", args));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) Files.delete(p);
            }
        }
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    void log(String message) {
        System.out.println("installers: " + message);
        System.out.flush();
    }

    /** A step of the build failed; the message says which and why. */
    static final class BuildException extends RuntimeException {
        BuildException(String message) {
            super(message);
        }
    }
}
