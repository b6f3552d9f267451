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
 * The JDK 25 AOT cache (JEP 483, 514): one training run of the app image's own launcher opens the
 * window and exits ({@code berth app --exit-when-shown}) with {@code -XX:AOTCacheOutput}; the
 * launcher's configuration then names the cache with {@code -XX:AOTCache=$APPDIR/berth.aot}. The
 * JVM checks the cache against its runtime and class path at start and ignores one that does not
 * match, so a stale cache costs time, never correctness. The training run needs a display: the
 * one given in DISPLAY, else an Xvfb started for it; without either the image has no cache.
 */
final class AotTraining {
    private AotTraining() {}

    static void train(Path image, InstallerBuild.Platform platform, Consumer<String> log) throws IOException, InterruptedException {
        if (platform != InstallerBuild.Platform.LINUX) {
            // the training run needs the platform's window system; on Windows and macOS CDS stays the default
            log.accept("AOT cache: training runs on Linux only; the image starts with the runtime's CDS archive");
            return;
        }
        Path appDir = image.resolve("lib").resolve("app");
        Path cfg = appDir.resolve(InstallerBuild.NAME + ".cfg");
        Path launcher = image.resolve("bin").resolve(InstallerBuild.NAME);
        Path cache = appDir.resolve(InstallerBuild.AOT_CACHE);
        Xvfb xvfb = null;
        String display = System.getenv("DISPLAY");
        if (display == null || display.isBlank()) {
            if (!InstallerBuild.onPath("Xvfb")) {
                log.accept("AOT cache: left out, no DISPLAY and no Xvfb for the training run (Debian package xvfb)");
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
            env.put("JAVA_TOOL_OPTIONS", "-XX:AOTCacheOutput=" + cache);
            log.accept("AOT cache: training run " + String.join(" ", command));
            Process p = pb.start();
            List<String> output = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) output.add(line);
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new InstallerBuild.BuildException("AOT training run did not end within 5 minutes: " + String.join("\n", output));
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(cache)) {
                throw new InstallerBuild.BuildException("AOT training run failed (exit " + p.exitValue() + ", cache "
                        + (Files.isRegularFile(cache) ? "written" : "not written") + "):\n" + String.join("\n", output));
            }
            addJavaOption(cfg, "-XX:AOTCache=$APPDIR/" + InstallerBuild.AOT_CACHE);
            log.accept("AOT cache: " + cache.getFileName() + " (" + InstallerBuild.mib(Files.size(cache)) + ")");
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
