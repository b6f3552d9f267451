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
                "Benchmarks: store, api (see docs/benchmarks.md); options after NAME go to the benchmark (--help)."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The benchmark to run.")
    String name;

    @Unmatched
    List<String> options = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, Benchmarks.Benchmark> all = Benchmarks.all();
        Benchmarks.Benchmark b = all.get(name);
        if (b == null) {
            System.err.println("berth bench: unknown benchmark \"" + name + "\"; known: " + String.join(", ", all.keySet()));
            return 2;
        }
        b.runner().run(options.toArray(String[]::new), System.out);
        return 0;
    }
}
