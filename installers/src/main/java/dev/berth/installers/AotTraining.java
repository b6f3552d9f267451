package dev.berth.installers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Fast start for the installed app: one training run of the app image's own launcher opens the
 * window and exits ({@code berth app --exit-when-shown}) with {@code -XX:DumpLoadedClassList}, which
 * writes the classes it loaded to {@code lib/app/berth.classlist}; the launcher's configuration
 * names the class data archive {@code -XX:SharedArchiveFile=$APPDIR/berth.jsa}. The archive itself
 * is made on the machine it runs on, by the package's install script with the installed runtime
 * and jars ({@code java -Xshare:dump -XX:SharedClassListFile=...}): an archive (or a JDK 25 AOT cache)
 * made at build time would be refused after install, because the packagers change the jars' file
 * times, which the JVM checks. The JVM ignores an archive that does not match, so a stale one costs
 * time, never correctness. The training run needs a display: the one given in DISPLAY, else an Xvfb
 * started for it; without either the image has no class list.
 */
final class AotTraining {
    /** The classes the training run loaded, in the app directory ({@code $APPDIR}). */
    static final String CLASS_LIST = "berth.classlist";
    /** The archive the install script makes from the class list, in the app directory. */
    static final String ARCHIVE = "berth.jsa";
    static final String ARCHIVE_OPTION = "-XX:SharedArchiveFile=$APPDIR/" + ARCHIVE;

    private AotTraining() {}

    /** The launcher configuration without the archive option: for the portable archive, which no script installs. */
    static String withoutArchive(String cfg) {
        return cfg.lines().filter(l -> !l.equals("java-options=" + ARCHIVE_OPTION)).map(l -> l + "\n")
                .collect(java.util.stream.Collectors.joining());
    }

    static void train(Path image, InstallerBuild.Platform platform, Consumer<String> log) throws IOException, InterruptedException {
        if (platform != InstallerBuild.Platform.LINUX) {
            // the training run needs the platform's window system; on Windows and macOS CDS stays the default
            log.accept("class list: training runs on Linux only; the image starts with the runtime's CDS archive");
            return;
        }
        Path appDir = image.resolve("lib").resolve("app");
        Path cfg = appDir.resolve(InstallerBuild.NAME + ".cfg");
        Path launcher = image.resolve("bin").resolve(InstallerBuild.NAME);
        Path cache = appDir.resolve(CLASS_LIST);
        Xvfb xvfb = null;
        String display = System.getenv("DISPLAY");
        if (display == null || display.isBlank()) {
            if (!InstallerBuild.onPath("Xvfb")) {
                log.accept("class list: left out, no DISPLAY and no Xvfb for the training run (Debian package xvfb)");
                return;
            }
            xvfb = Xvfb.start();
            display = xvfb.display();
        }
        Path data = Files.createTempDirectory("berth-aot-training-");
        try {
            List<String> command = List.of(launcher.toString(), "app", "--no-control-plane", "--exit-when-shown",
                    "--data-dir", data.toString());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("DISPLAY", display);
            env.put("HOME", data.toString());
            env.put("JAVA_TOOL_OPTIONS", "-XX:DumpLoadedClassList=" + cache);
            log.accept("class list: training run " + String.join(" ", command));
            Process p = pb.start();
            List<String> output = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) output.add(line);
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new InstallerBuild.BuildException("training run did not end within 5 minutes: " + String.join("\n", output));
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(cache)) {
                throw new InstallerBuild.BuildException("training run failed (exit " + p.exitValue() + ", class list "
                        + (Files.isRegularFile(cache) ? "written" : "not written") + "):\n" + String.join("\n", output));
            }
            addJavaOption(cfg, ARCHIVE_OPTION);
            log.accept("class list: " + cache.getFileName() + " (" + InstallerBuild.mib(Files.size(cache)) + ", "
                    + Files.readAllLines(cache).size() + " lines)");
        } finally {
            InstallerBuild.deleteTree(data);
            Files.deleteIfExists(data);
            if (xvfb != null) xvfb.close();
        }
    }

    /** Adds one {@code java-options=} line to the launcher's configuration, in its [JavaOptions] section. */
    static void addJavaOption(Path cfg, String option) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(cfg, StandardCharsets.UTF_8));
        int section = lines.indexOf("[JavaOptions]");
        String line = "java-options=" + option;
        if (lines.contains(line)) return;
        if (section < 0) {
            lines.add("[JavaOptions]");
            lines.add(line);
        } else {
            int at = section + 1;
            while (at < lines.size() && !lines.get(at).startsWith("[")) at++;
            lines.add(at, line);
        }
        Files.write(cfg, lines, StandardCharsets.UTF_8);
    }

    /** An X server of its own for a run, on the display number it picks itself. */
    record Xvfb(Process process, String display) implements AutoCloseable {
        static Xvfb start() throws IOException {
            Process p = new ProcessBuilder("Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1280x800x24")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String number = r.readLine();
            if (number == null || !number.trim().matches("\\d+")) {
                p.destroyForcibly();
                throw new InstallerBuild.BuildException("Xvfb did not report its display number (got " + number + ")");
            }
            return new Xvfb(p, ":" + number.trim());
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
