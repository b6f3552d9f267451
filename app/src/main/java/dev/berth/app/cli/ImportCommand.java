package dev.berth.app.cli;

import dev.berth.app.transfer.ClusterImport;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Applies a folder of YAML (as berth export writes it, or any manifests) with server-side apply",
                "(field manager berth-import), in dependency order: namespaces, CRDs, configuration, services,",
                "workloads, the rest. Files that fail are listed with the reason; the others still go in.",
                "  berth import lab-state"})
public final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The folder to read.")
    Path dir;

    @Mixin
    ClusterTarget target;

    @Option(names = {"-q", "--quiet"}, description = "Print only the summary and the failures.")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        try (KubernetesClient client = target.client(spec.commandLine())) {
            ClusterImport.Result r;
            try {
                r = new ClusterImport(client).apply(dir, line -> {
                    if (!quiet) {
                        out.println("  " + line);
                    }
                });
            } catch (java.io.IOException e) {
                err.println("berth import: " + e.getMessage());
                return 1;
            }
            for (String f : r.failures()) {
                err.println("failed " + f);
            }
            out.println("Imported " + r.applied() + " objects from " + dir + (r.failures().isEmpty() ? "" : "; " + r.failures().size() + " failed"));
            return r.failures().isEmpty() ? 0 : 1;
        }
    }
}
