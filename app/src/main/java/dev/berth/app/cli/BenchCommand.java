package dev.berth.app.cli;

import dev.berth.bench.Benchmarks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Runs a benchmark and prints its figures, one JSON object per line.",
                "Each figure comes with its baseline measured in the same run.",
                "Benchmarks: store, api, topology, ... (see docs/benchmarks.md); options after NAME go to the benchmark (--help)."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The benchmark to run.")
    String name;

    @Unmatched
    List<String> options = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, Benchmarks.Benchmark> all = new java.util.LinkedHashMap<>(Benchmarks.all());
        // benchmarks of the desktop app need JavaFX, which the bench module does not have
        all.put("topology", new Benchmarks.Benchmark("the topology view with 2,000 workloads and 20,000 pods: first layout,"
                + " one pod update, frame times while panning and zooming, beside 20 workloads",
                (args, out) -> dev.berth.app.topology.bench.TopologyBench.run(dev.berth.app.topology.bench.TopologyBench.Options.parse(args), out)));
        Benchmarks.Benchmark b = all.get(name);
        if (b == null) {
            System.err.println("berth bench: unknown benchmark \"" + name + "\"; known: " + String.join(", ", all.keySet()));
            return 2;
        }
        b.runner().run(options.toArray(String[]::new), System.out);
        return 0;
    }
}
