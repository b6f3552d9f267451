package dev.berth.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.agent.network.HostCommand;
import dev.berth.agent.proxy.IptablesDataplane;
import dev.berth.agent.proxy.IptablesRules;
import dev.berth.agent.proxy.ProxyModel;
import dev.berth.agent.proxy.ProxyTable;
import dev.berth.core.api.Json;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rule programming of the service proxy's iptables mode, inside a network namespace of its own
 * (never the machine's rules). A run is what the agent does when its caches change: compute the
 * table from the Services and EndpointSlices in the cache ({@link ProxyModel}), render it and apply
 * it with {@code iptables-restore --noflush}.
 * <ul>
 *   <li>{@code program}: for each of {@code --services} counts, the time from that many Services
 *       (each with {@code --endpoints} ready endpoints) being in the cache until the last one's
 *       rules are applied, by a freshly started proxy. Baseline in the same line: the same run
 *       with an empty cache ({@code baseline_empty_ms}) and with one Service
 *       ({@code baseline_one_ms}), and the ratios.</li>
 *   <li>{@code endpoint_change}: with the largest count programmed, one Service's endpoint
 *       replaced by another, {@code --changes} times: time until the change is applied, p50/max.
 *       Baseline: the same change with one Service programmed.</li>
 *
 *   <li>{@code data_path} (one line per path): inside the namespace, a pod address reached directly, through
 *       an iptables ClusterIP and through the userspace proxy, interleaved in one run: bulk MB/s of
 *       {@code --bulk-mib} MiB transfers and round-trip p50/p99 of {@code --connections} new
 *       connections, with ratios to direct ({@link ProxyDataPath}).</li>
 * </ul>
 *
 * <pre>ProxyBench [--services N,M,...] [--endpoints K] [--changes C] [--bulk-mib M] [--connections N]
 *            [--parts programming,data-path]</pre>
 */
public final class ProxyBench {
    private ProxyBench() {
    }

    /** The parts a run can do. */
    public static final List<String> PARTS = List.of("programming", "data-path");

    public record Options(List<Integer> services, int endpoints, int changes, int bulkMib, int connections,
                          List<String> parts) {
        public Options {
            services = List.copyOf(services);
            parts = List.copyOf(parts);
        }

        public Options(List<Integer> services, int endpoints, int changes) {
            this(services, endpoints, changes, 1024, 10000, PARTS);
        }

        public static Options parse(String[] args) {
            List<Integer> services = List.of(1000, 10000);
            int endpoints = 2, changes = 20, bulkMib = 1024, connections = 10000;
            List<String> parts = PARTS;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--services" -> {
                        String v = value(args, ++i, "--services");
                        List<Integer> list = new ArrayList<>();
                        for (String part : v.split(",", -1)) list.add(positive(part, "--services"));
                        services = list;
                    }
                    case "--endpoints" -> endpoints = positive(value(args, ++i, "--endpoints"), "--endpoints");
                    case "--changes" -> changes = positive(value(args, ++i, "--changes"), "--changes");
                    case "--bulk-mib" -> bulkMib = positive(value(args, ++i, "--bulk-mib"), "--bulk-mib");
                    case "--connections" -> connections = positive(value(args, ++i, "--connections"), "--connections");
                    case "--parts" -> {
                        String v = value(args, ++i, "--parts");
                        List<String> list = new ArrayList<>();
                        for (String part : v.split(",", -1)) {
                            if (!PARTS.contains(part.strip())) {
                                throw new IllegalArgumentException("--parts " + part + " must be one of " + String.join(", ", PARTS));
                            }
                            list.add(part.strip());
                        }
                        parts = list;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (known: --services N,M,..., --endpoints K, --changes C, --bulk-mib M, --connections N,"
                            + " --parts programming,data-path)");
                }
            }
            return new Options(services, endpoints, changes, bulkMib, connections, parts);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
            return args[i];
        }

        private static int positive(String s, String option) {
            try {
                int v = Integer.parseInt(s.strip());
                if (v > 0) return v;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + s + " must be a positive whole number");
        }
    }

    public static void run(Options o, PrintStream out) throws Exception {
        if (!HostCommand.available("iptables-restore") || !HostCommand.available("nsenter") || !HostCommand.available("ip")) {
            out.println(Json.MAPPER.writeValueAsString(line("skipped").put("reason", "iptables-restore, nsenter or ip is missing")));
            return;
        }
        byte[] b = new byte[3];
        ThreadLocalRandom.current().nextBytes(b);
        String prefix = "berth-bench-" + HexFormat.of().formatHex(b) + "-";
        String netns = prefix + "proxy";
        HostCommand host = HostCommand.local();
        HostCommand.Result made = host.run(List.of("ip", "netns", "add", netns), null);
        if (!made.ok()) {
            out.println(Json.MAPPER.writeValueAsString(line("skipped").put("reason",
                    "cannot make a network namespace (needs root): " + made.stderr().strip())));
            return;
        }
        try {
            if (o.parts().contains("data-path")) dataPath(netns, prefix + "dp-", o, out);
            if (!o.parts().contains("programming")) return;
            HostCommand ns = new HostCommand("/var/run/netns/" + netns, Duration.ofMinutes(10));
            IptablesRules rules = new IptablesRules(prefix, "10.42.0.0/16", "10.43.0.0/16");
            ProxyModel.Settings settings = new ProxyModel.Settings("bench-node", "10.43.0.10", "10.42.0.1");

            double emptyMs = median(3, () -> programFresh(ns, rules, settings, 0, o.endpoints()).millis());
            double oneMs = median(3, () -> programFresh(ns, rules, settings, 1, o.endpoints()).millis());
            Run last = null;
            for (int count : o.services()) {
                last = programFresh(ns, rules, settings, count, o.endpoints());
                out.println(Json.MAPPER.writeValueAsString(line("program").put("services", count)
                        .put("endpoints_per_service", o.endpoints()).put("rules", last.rules())
                        .put("ms", round(last.millis())).put("compute_ms", round(last.computeMillis()))
                        .put("baseline_empty_ms", round(emptyMs)).put("baseline_one_ms", round(oneMs))
                        .put("ratio_to_empty", round(last.millis() / emptyMs)).put("ratio_to_one", round(last.millis() / oneMs))
                        .put("goal_ms_for_10000", 2000)));
            }
            long[] changes = changes(last, o.changes());
            Run one = programFresh(ns, rules, settings, 1, o.endpoints());
            long[] baseline = changes(one, Math.min(o.changes(), 5));
            ObjectNode change = line("endpoint_change").put("services", last.services().size()).put("changes", o.changes())
                    .put("p50_ms", round(percentile(changes, 50) / 1e6)).put("max_ms", round(changes[changes.length - 1] / 1e6))
                    .put("baseline_one_service_p50_ms", round(percentile(baseline, 50) / 1e6))
                    .put("ratio_to_one", round((double) percentile(changes, 50) / Math.max(1, percentile(baseline, 50))))
                    .put("goal_ms", 1000);
            out.println(Json.MAPPER.writeValueAsString(change));
        } finally {
            host.run(List.of("ip", "netns", "del", netns), null);
        }
    }

    /**
     * Runs {@link ProxyDataPath} in a child JVM inside the namespace (sockets belong to the
     * namespace of the thread that makes them, so the proxy and its clients must run there) and
     * passes on its lines.
     */
    private static void dataPath(String netns, String prefix, Options o, PrintStream out) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        Process p = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + netns, javaBin,
                "-cp", System.getProperty("java.class.path"), ProxyDataPath.class.getName(),
                prefix, Integer.toString(o.bulkMib()), Integer.toString(o.connections()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("{")) out.println(line);
            }
        }
        int exit = p.waitFor();
        if (exit != 0) {
            out.println(Json.MAPPER.writeValueAsString(line("data_path").put("error", "the data path run ended with exit code " + exit)));
        }
    }

    /** A cache of {@code count} Services, the proxy's first run on it with no rules of its own yet, and the result. */
    private record Run(IptablesDataplane dataplane, ProxyModel.Settings settings, List<Service> services,
                       List<EndpointSlice> slices, double millis, double computeMillis, int rules) {
    }

    private static Run programFresh(HostCommand ns, IptablesRules rules, ProxyModel.Settings settings, int count,
                                    int endpoints) {
        IptablesDataplane.removeAll(ns, rules.stem());
        List<Service> services = new ArrayList<>(count);
        List<EndpointSlice> slices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            services.add(service(i));
            slices.add(slice(i, endpoints, 0));
        }
        IptablesDataplane dataplane = new IptablesDataplane(ns, rules);
        long start = System.nanoTime();
        ProxyTable table = ProxyModel.compute(settings, services, slices, List.of());
        long computed = System.nanoTime();
        dataplane.program(table, false);
        long end = System.nanoTime();
        return new Run(dataplane, settings, services, slices, (end - start) / 1e6, (computed - start) / 1e6,
                dataplane.applied().size());
    }

    /** Replaces the endpoints of one Service after another, each time running the proxy once; the sorted nanoseconds. */
    private static long[] changes(Run run, int n) {
        List<EndpointSlice> slices = new ArrayList<>(run.slices());
        long[] took = new long[n];
        for (int c = 0; c < n; c++) {
            int i = c % slices.size();
            slices.set(i, slice(i, run.slices().get(i).getEndpoints().size(), c + 1));
            long start = System.nanoTime();
            run.dataplane().program(ProxyModel.compute(run.settings(), run.services(), slices, List.of()), false);
            took[c] = System.nanoTime() - start;
        }
        Arrays.sort(took);
        return took;
    }

    private static Service service(int i) {
        return new ServiceBuilder().withNewMetadata().withNamespace("bench").withName("svc-" + i).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip(43, i)).addNewPort().withName("http").withPort(80)
                .withProtocol("TCP").withTargetPort(new IntOrString(8080)).endPort().endSpec().build();
    }

    /** The slice of Service {@code i}; {@code generation} moves its endpoints to other addresses. */
    private static EndpointSlice slice(int i, int endpoints, int generation) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("bench").withName("svc-" + i + "-x")
                .addToLabels(ProxyModel.SERVICE_NAME_LABEL, "svc-" + i).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (int e = 0; e < endpoints; e++) {
            b.addToEndpoints(new EndpointBuilder().withAddresses(ip(42, (i * endpoints + e + generation * 7919) % 65000 + 2))
                    .withNewConditions().withReady(true).endConditions().build());
        }
        return b.build();
    }

    private static String ip(int second, int n) {
        return "10." + second + "." + (n / 250) + "." + (n % 250 + 2);
    }

    private interface Millis {
        double get();
    }

    private static double median(int runs, Millis m) {
        double[] v = new double[runs];
        for (int i = 0; i < runs; i++) v[i] = m.get();
        Arrays.sort(v);
        return v[runs / 2];
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static ObjectNode line(String metric) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("bench", "proxy");
        line.put("metric", metric);
        return line;
    }
}
