package dev.berth.app.cli;

import dev.berth.app.transfer.ClusterExport;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes the cluster's state as a folder of YAML: one file per object, keys sorted, without",
                "the fields the server manages (uid, resourceVersion, status, ...) and without what controllers make",
                "again (pods of a ReplicaSet, events, leases, ...). DIR must be new, empty, or an earlier export.",
                "  berth export lab-state",
                "  berth export --kubeconfig ~/.kube/config --context kind-lab kind-state"})
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The folder to write.")
    Path dir;

    @Mixin
    ClusterTarget target;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        try (KubernetesClient client = target.client(spec.commandLine())) {
            ClusterExport.Result r;
            try {
                r = new ClusterExport(client).export(dir, line -> out.println("  " + line));
            } catch (java.io.IOException e) {
                err.println("berth export: " + e.getMessage());
                return 1;
            }
            for (String s : r.skippedKinds()) {
                err.println("skipped " + s);
            }
            out.println("Exported " + r.objects() + " objects to " + dir);
            return 0;
        }
    }
}
