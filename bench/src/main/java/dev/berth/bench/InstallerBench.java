package dev.berth.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code berth bench installer}: the installers' sizes against the 90 MB goal (the .deb, the
 * portable archive, and the agent bundle's share), and the installed app's start to its window
 * shown: cold (page cache dropped before each start, as root) against warm starts as the baseline,
 * each with the AOT cache and with it switched off ({@code -XX:AOTMode=off}: the runtime's CDS
 * archive only). Window shown is the line the app prints when its Stage is shown; the app runs
 * with {@code --exit-when-shown} on a display (DISPLAY, else an Xvfb of its own).
 */
public final class InstallerBench {
    static final String SHOWN = "berth: window shown at ";
    static final double GOAL_MB = 90;
    static final long GOAL_COLD_MS = 2000;

    private InstallerBench() {}

    public record Options(Path packages, Path launcher, int runs, boolean smoke) {
        public static Options parse(String[] args) {
            Path packages = Path.of("installers", "target", "installers");
            Path launcher = Path.of("/opt/berth/bin/Berth");
            int runs = 5;
            boolean smoke = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--packages" -> packages = Path.of(value(args, ++i, "--packages"));
                    case "--launcher" -> launcher = Path.of(value(args, ++i, "--launcher"));
                    case "--runs" -> runs = positive(value(args, ++i, "--runs"), "--runs");
                    case "--smoke" -> {
                        smoke = true;
                        runs = 1;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; known: --packages DIR, --launcher FILE, --runs N, --smoke");
                }
            }
            return new Options(packages, launcher, runs, smoke);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
            return args[i];
        }

        private static int positive(String s, String option) {
            try {
                int v = Integer.parseInt(s);
                if (v > 0) return v;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + s + " must be a positive whole number");
        }
    }

    public static void run(Options o, PrintStream out) throws Exception {
        sizes(o, out);
        if (!Files.isExecutable(o.launcher())) {
            line(out, "start", "skipped", "no installed app at " + o.launcher() + ": install the .deb first"
                    + " (apt-get install ./installers/target/installers/berth_*.deb)");
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        try (Display display = Display.open()) {
            for (boolean aot : new boolean[] {true, false}) {
                String mode = aot ? "aot" : "cds";
                start(o, display, aot, false); // one start to fill the page cache
                List<Long> warm = new ArrayList<>();
                for (int i = 0; i < o.runs(); i++) warm.add(start(o, display, aot, false));
                List<Long> cold = new ArrayList<>();
                if (root) {
                    for (int i = 0; i < o.runs(); i++) cold.add(start(o, display, aot, true));
                }
                ObjectNode l = Json.MAPPER.createObjectNode().put("figure", "window_shown_" + mode)
                        .put("warm_ms", median(warm)).put("runs", o.runs());
                if (root) {
                    l.put("cold_ms", median(cold)).put("cold_vs_warm", ratio(median(cold), median(warm)))
                            .put("goal_cold_ms", GOAL_COLD_MS).put("cold_vs_goal", ratio(median(cold), GOAL_COLD_MS));
                } else {
                    l.put("cold", "skipped: dropping the page cache needs root");
                }
                l.put("warm_all_ms", Arrays.toString(warm.toArray())).put("cold_all_ms", Arrays.toString(cold.toArray()));
                out.println(Json.MAPPER.writeValueAsString(l));
            }
        }
    }

    static void sizes(Options o, PrintStream out) throws IOException {
        Optional<Path> deb = find(o.packages(), ".deb");
        Optional<Path> archive = find(o.packages(), ".tar.gz");
        Optional<Path> rpm = find(o.packages(), ".rpm");
        Optional<Path> bundle = find(o.packages().resolveSibling("work").resolve("content").resolve("bundle"), ".tar.gz");
        if (deb.isEmpty() && archive.isEmpty()) {
            line(out, "size", "skipped", "no packages in " + o.packages() + ": build them with ./mvnw -Pinstallers package");
            return;
        }
        ObjectNode l = Json.MAPPER.createObjectNode().put("figure", "installer_size").put("goal_mb", GOAL_MB);
        for (var e : List.of(java.util.Map.entry("deb", deb), java.util.Map.entry("rpm", rpm), java.util.Map.entry("archive", archive))) {
            if (e.getValue().isEmpty()) continue;
            double mb = mb(Files.size(e.getValue().get()));
            l.put(e.getKey() + "_mb", round(mb)).put(e.getKey() + "_vs_goal", ratio(mb, GOAL_MB));
        }
        if (bundle.isPresent()) {
            double mb = mb(Files.size(bundle.get()));
            l.put("agent_bundle_mb", round(mb));
            deb.ifPresent(d -> l.put("agent_bundle_share_of_deb", uncheckedRatio(mb, d)));
        }
        out.println(Json.MAPPER.writeValueAsString(l));
    }

    /** One start of the installed app to its window; returns the milliseconds from spawn to the shown line. */
    static long start(Options o, Display display, boolean aot, boolean cold) throws IOException, InterruptedException {
        if (cold) dropPageCache();
        Path data = Files.createTempDirectory("berth-bench-installer-");
        try {
            ProcessBuilder pb = new ProcessBuilder(o.launcher().toString(), "app", "--no-control-plane", "--exit-when-shown",
                    "--data-dir", data.toString()).redirectErrorStream(true);
            pb.environment().put("DISPLAY", display.name());
            pb.environment().put("HOME", data.toString());
            if (!aot) pb.environment().put("JAVA_TOOL_OPTIONS", "-XX:AOTMode=off");
            long t0 = System.nanoTime();
            Process p = pb.start();
            long shown = -1;
            List<String> output = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (shown < 0 && line.startsWith(SHOWN)) shown = (System.nanoTime() - t0) / 1_000_000;
                    output.add(line);
                }
            }
            if (!p.waitFor(2, TimeUnit.MINUTES)) p.destroyForcibly();
            if (shown < 0) {
                throw new IllegalStateException("the app never showed its window (exit " + p.exitValue() + "):\n"
                        + String.join("\n", output));
            }
            return shown;
        } finally {
            try (Stream<Path> s = Files.walk(data)) {
                for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }

    static void dropPageCache() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches").inheritIO().start();
        if (p.waitFor() != 0) throw new IOException("dropping the page cache failed (exit " + p.exitValue() + ")");
    }

    static Optional<Path> find(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().findFirst();
        }
    }

    static long median(List<Long> values) {
        if (values.isEmpty()) return -1;
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    static double ratio(double value, double baseline) {
        return baseline <= 0 ? Double.NaN : round(value / baseline);
    }

    private static double uncheckedRatio(double mb, Path file) {
        try {
            return ratio(mb, mb(Files.size(file)));
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    static double mb(long bytes) {
        return bytes / 1_000_000.0;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void line(PrintStream out, String figure, String status, String reason) throws IOException {
        out.println(Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode().put("figure", figure).put(status, reason)));
    }

    /** The X display the starts use: DISPLAY when set, else an Xvfb started for the run. */
    record Display(String name, Process xvfb) implements AutoCloseable {
        static Display open() throws IOException {
            String env = System.getenv("DISPLAY");
            if (env != null && !env.isBlank()) return new Display(env, null);
            Process p = new ProcessBuilder("Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1280x800x24")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String n = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (n == null || !n.trim().matches("\\d+")) {
                p.destroyForcibly();
                throw new IOException("Xvfb did not report a display number (got " + n + "); install xvfb or set DISPLAY");
            }
            return new Display(":" + n.trim(), p);
        }

        @Override
        public void close() throws InterruptedException {
            if (xvfb == null) return;
            xvfb.destroy();
            if (!xvfb.waitFor(10, TimeUnit.SECONDS)) xvfb.destroyForcibly();
        }
    }

    static String describe() {
        return String.format(Locale.ROOT, "installer sizes against the %.0f MB goal (agent bundle share), and the installed app's"
                + " cold start to its window (page cache dropped) beside warm starts, with the AOT cache and with CDS only", GOAL_MB);
    }
}
