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
 * .rpm, the portable archive), and the installed app's start to its window shown and to its
 * control plane serving: cold (page cache dropped before each start, as root) against warm starts
 * as the baseline, each with the app's class data archive (made at install) and with only the
 * runtime's CDS archive; the ratio of the two. Window shown is the line the app prints when its Stage is shown; the app runs
 * with {@code --exit-when-shown} on a display (DISPLAY, else an Xvfb of its own).
 */
public final class InstallerBench {
    static final String SHOWN = "berth: window shown at ";
    /** The line the API server logs once it serves (berth server). */
    static final String SERVING = "API server listening on";
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
        java.util.Map<String, Long> medians = new java.util.HashMap<>();
        if (!Files.isExecutable(o.launcher())) {
            line(out, "start", "skipped", "no installed app at " + o.launcher() + ": install the .deb first"
                    + " (apt-get install ./installers/target/installers/berth_*.deb)");
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        try (Display display = Display.open()) {
            for (Workload w : Workload.values()) {
                for (Mode mode : Mode.values()) {
                    start(o, display, w, mode, false); // one start to fill the page cache
                    List<Long> warm = new ArrayList<>();
                    List<Long> warmCpu = new ArrayList<>();
                    for (int i = 0; i < o.runs(); i++) {
                        Timing t = start(o, display, w, mode, false);
                        warm.add(t.wallMs());
                        warmCpu.add(t.cpuMs());
                    }
                    List<Long> cold = new ArrayList<>();
                    List<Long> coldCpu = new ArrayList<>();
                    if (root) {
                        for (int i = 0; i < o.runs(); i++) {
                            Timing t = start(o, display, w, mode, true);
                            cold.add(t.wallMs());
                            coldCpu.add(t.cpuMs());
                        }
                    }
                    ObjectNode l = Json.MAPPER.createObjectNode().put("figure", w.figure + "_" + mode.name)
                            .put("warm_ms", median(warm)).put("warm_cpu_ms", median(warmCpu)).put("runs", o.runs());
                    if (root) {
                        l.put("cold_ms", median(cold)).put("cold_cpu_ms", median(coldCpu)).put("cold_vs_warm", ratio(median(cold), median(warm)));
                        if (w == Workload.WINDOW) {
                            l.put("goal_cold_ms", GOAL_COLD_MS).put("cold_vs_goal", ratio(median(cold), GOAL_COLD_MS));
                        }
                    } else {
                        l.put("cold", "skipped: dropping the page cache needs root");
                    }
                    l.put("warm_all_ms", Arrays.toString(warm.toArray())).put("cold_all_ms", Arrays.toString(cold.toArray()));
                    out.println(Json.MAPPER.writeValueAsString(l));
                    medians.put(mode.name, root ? median(cold) : median(warm));
                    medians.put(mode.name + "_cpu", root ? median(coldCpu) : median(warmCpu));
                }
                String with = Mode.APP_ARCHIVE.name;
                String without = Mode.JDK_CDS.name;
                out.println(Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode().put("figure", w.figure + "_archive_vs_jdk_cds")
                        .put("start", root ? "cold" : "warm").put("ratio", ratio(medians.get(with), medians.get(without)))
                        .put("cpu_ratio", ratio(medians.get(with + "_cpu"), medians.get(without + "_cpu")))));
            }
        }
    }

    /** What a start waits for: the window shown, or the embedded control plane serving its API. */
    enum Workload {
        WINDOW("window_shown", SHOWN), CONTROL_PLANE("control_plane_serving", SERVING);

        final String figure;
        final String marker;

        Workload(String figure, String marker) {
            this.figure = figure;
            this.marker = marker;
        }
    }

    /**
     * With the app's class data archive the installation made (as installed), or with only the
     * runtime's default CDS archive (the app archive switched off through {@code _JAVA_OPTIONS},
     * which comes after the launcher's options).
     */
    enum Mode {
        APP_ARCHIVE("app_archive"), JDK_CDS("jdk_cds");

        final String name;

        Mode(String name) {
            this.name = name;
        }

        java.util.Map<String, String> environment(Path launcher) {
            if (this == APP_ARCHIVE) return java.util.Map.of();
            Path root = launcher.toAbsolutePath().getParent().getParent();
            return java.util.Map.of("_JAVA_OPTIONS", "-XX:SharedArchiveFile=" + root.resolve("lib/runtime/lib/server/classes_coh.jsa"));
        }
    }

    static void sizes(Options o, PrintStream out) throws IOException {
        Optional<Path> deb = find(o.packages(), ".deb");
        Optional<Path> archive = find(o.packages(), ".tar.gz");
        Optional<Path> rpm = find(o.packages(), ".rpm");
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
        // no agent bundle inside: an installed app makes it from its own runtime and jars
        l.put("agent_bundle_mb", 0);
        out.println(Json.MAPPER.writeValueAsString(l));
    }

    /**
     * A start's milliseconds from spawn to the workload's line (window shown, API serving), and the
     * CPU time (user and system) the process had used by then: on a loaded machine the wall time
     * mostly measures the wait for a core, the CPU time what the start itself costs.
     */
    record Timing(long wallMs, long cpuMs) {}

    /** User and system CPU milliseconds of a process so far, from /proc (-1 where there is none). */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state(0) ... utime(11) stime(12), in clock ticks of 1/100 s
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** One start of the installed app. */
    static Timing start(Options o, Display display, Workload w, Mode mode, boolean cold) throws IOException, InterruptedException {
        if (cold) dropPageCache();
        Path data = Files.createTempDirectory("berth-bench-installer-");
        try {
            List<String> command = w == Workload.WINDOW
                    ? List.of(o.launcher().toString(), "app", "--no-control-plane", "--exit-when-shown", "--data-dir", data.toString())
                    : List.of(o.launcher().toString(), "server", "--data-dir", data.toString(), "--listen", "127.0.0.1:" + freePort());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("DISPLAY", display.name());
            pb.environment().put("HOME", data.toString());
            pb.environment().putAll(mode.environment(o.launcher()));
            long t0 = System.nanoTime();
            Process p = pb.start();
            long shown = -1;
            long cpu = -1;
            List<String> output = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (shown < 0 && line.contains(w.marker)) {
                        shown = (System.nanoTime() - t0) / 1_000_000;
                        cpu = cpuMillis(p.pid());
                        // the server runs until stopped (below); the window exits by itself once shown
                        if (w == Workload.CONTROL_PLANE) break;
                    }
                    output.add(line);
                }
            }
            if (w == Workload.CONTROL_PLANE) p.destroy();
            if (!p.waitFor(2, TimeUnit.MINUTES)) p.destroyForcibly().waitFor();
            if (shown < 0) {
                throw new IllegalStateException("no line \"" + w.marker + "\" from " + String.join(" ", command) + " (exit "
                        + p.exitValue() + "):\n" + String.join("\n", output));
            }
            return new Timing(shown, cpu);
        } finally {
            try (Stream<Path> s = Files.walk(data)) {
                for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
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
        return String.format(Locale.ROOT, "installer sizes against the %.0f MB goal, and the installed app's cold start (page"
                + " cache dropped) to its window and to its control plane serving, beside warm starts, with the app's class data"
                + " archive and with the runtime's CDS only", GOAL_MB);
    }
}
