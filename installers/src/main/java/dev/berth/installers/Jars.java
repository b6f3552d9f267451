package dev.berth.installers;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The app's jars split the way the runtime takes them: JavaFX's modular platform jars go into the
 * jlink runtime, everything else (berth-app and its libraries) onto the class path. The JavaFX jars
 * without a platform classifier are empty stand-ins and are left out.
 */
record Jars(Path appJar, List<Path> classpath, List<Path> javafx, List<String> javafxModules) {
    static Jars of(Path dir) throws IOException {
        List<Path> jars;
        try (Stream<Path> s = Files.list(dir)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        Path app = null;
        List<Path> classpath = new ArrayList<>();
        List<Path> javafx = new ArrayList<>();
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            if (name.startsWith("javafx-")) {
                if (hasModuleInfo(jar)) javafx.add(jar);
                continue;
            }
            if (name.startsWith("berth-app")) app = jar;
            classpath.add(jar);
        }
        if (app == null) {
            throw new InstallerBuild.BuildException("no berth-app jar in " + dir + ": build the app first (./mvnw -Pinstallers package builds it)");
        }
        List<String> modules = ModuleFinder.of(javafx.toArray(Path[]::new)).findAll().stream()
                .map(ModuleReference::descriptor).map(d -> d.name()).sorted().toList();
        if (modules.isEmpty()) {
            throw new InstallerBuild.BuildException("no JavaFX platform jars in " + dir + " (javafx-*-PLATFORM.jar with a module-info)");
        }
        return new Jars(app, List.copyOf(classpath), List.copyOf(javafx), modules);
    }

    static String appJarName(Path input) throws IOException {
        try (Stream<Path> s = Files.list(input)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("berth-app") && n.endsWith(".jar"))
                    .findFirst().orElseThrow(() -> new InstallerBuild.BuildException("no berth-app jar in " + input));
        }
    }

    private static boolean hasModuleInfo(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getEntry("module-info.class") != null;
        }
    }
}
