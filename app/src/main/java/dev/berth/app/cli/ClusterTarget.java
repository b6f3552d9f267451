package dev.berth.app.cli;

import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which cluster a command talks to: a kubeconfig (and context), or the control plane of a data dir. */
final class ClusterTarget {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig of the cluster (default: DATA_DIR/admin.kubeconfig of Berth's control plane).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context (default: its current context).")
    String context;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The control plane's data directory (default: $XDG_DATA_HOME/berth or ~/.local/share/berth).")
    Path dataDir;

    KubernetesClient client(CommandLine cmd) {
        Path file = kubeconfig != null ? kubeconfig
                : (dataDir != null ? dataDir : ServerOptions.defaultDataDir()).resolve("admin.kubeconfig");
        if (!Files.isReadable(file)) {
            throw new CommandLine.ParameterException(cmd, (kubeconfig != null ? "--kubeconfig" : "--data-dir")
                    + ": cannot read \"" + file + "\": start the control plane (./berth server) or name a kubeconfig");
        }
        try {
            Config config = Config.fromKubeconfig(context, file.toFile());
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cmd, "--kubeconfig: cannot use \"" + file + "\": " + e.getMessage());
        }
    }
}
