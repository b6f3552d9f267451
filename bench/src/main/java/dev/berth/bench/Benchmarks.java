package dev.berth.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** The benchmarks {@code berth bench NAME} runs; each prints one JSON object per line. */
public final class Benchmarks {
    private Benchmarks() {}

    /** One benchmark: a description for --help and an entry point taking its own options. */
    public record Benchmark(String description, Runner runner) {}

    @FunctionalInterface
    public interface Runner {
        void run(String[] args, PrintStream out) throws Exception;
    }

    public static Map<String, Benchmark> all() {
        Map<String, Benchmark> m = new LinkedHashMap<>();
        m.put("store", new Benchmark("durable writes/s of the SQLite store beside the raw fsync rate; list and reopen times",
                (args, out) -> StoreBench.run(StoreBench.Options.parse(args), out)));
        m.put("api", new Benchmark("creates/s, get latency, list and watch delivery over HTTPS beside an echo server and fsync;"
                + " restart after kill -9", (args, out) -> ApiBench.run(ApiBench.Options.parse(args), out)));
        m.put("scheduler", new Benchmark("binds/s of the scheduler placing pending pods on N nodes, beside the same binds"
                + " written by a trivial loop through the API", (args, out) -> SchedulerBench.run(SchedulerBench.Options.parse(args), out)));
        m.put("podstart", new Benchmark("pod start latency on a real node (Docker) at a steady create rate; time until a"
                + " Deployment is available beside Docker Swarm and the Docker API floor",
                (args, out) -> PodStartBench.run(PodStartBench.Options.parse(args), out)));
        m.put("proxy", new Benchmark("service proxy rule programming (iptables, in a network namespace of its own) for 1,000"
                + " and 10,000 Services, and one endpoint change, beside an empty rule set and one Service; bulk MB/s and"
                + " connection round trips to a pod directly, through an iptables ClusterIP and through the userspace proxy",
                (args, out) -> ProxyBench.run(ProxyBench.Options.parse(args), out)));
        m.put("ingress", new Benchmark("requests/s, latency p50/p99 and download throughput through the ingress proxy,"
                + " beside the same requests sent straight to the endpoint", (args, out) -> IngressBench.run(IngressBench.Options.parse(args), out)));
        m.put("installer", new Benchmark(InstallerBench.describe(),
                (args, out) -> InstallerBench.run(InstallerBench.Options.parse(args), out)));
        return m;
    }
}
