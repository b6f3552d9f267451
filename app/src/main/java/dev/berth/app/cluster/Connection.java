package dev.berth.app.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the app can connect: the embedded control plane, or a kubeconfig context.
 *
 * @param label      what the connection menu shows
 * @param embedded   true for the app's own control plane
 * @param kubeconfig the file to read
 * @param context    the context in it, or null for its current context
 */
public record Connection(String label, boolean embedded, Path kubeconfig, String context) {
    public Connection {
        Objects.requireNonNull(label, "label");
    }

    public static final String EMBEDDED_LABEL = "Berth on this machine";

    public static Connection embedded(Path adminKubeconfig) {
        return new Connection(EMBEDDED_LABEL, true, adminKubeconfig, null);
    }

    public static Connection of(KubeContexts.Context c) {
        return new Connection(c.name(), false, c.file(), c.name());
    }

    /** A client for this connection; fails when the kubeconfig cannot be read. */
    public KubernetesClient client() {
        if (!Files.isReadable(kubeconfig)) {
            throw new UncheckedIOException(new IOException("cannot read kubeconfig " + kubeconfig));
        }
        Config config = Config.fromKubeconfig(context, kubeconfig.toFile());
        config.setRequestTimeout(30_000);
        config.setConnectionTimeout(10_000);
        // watches across the whole cluster carry tens of thousands of objects
        config.setWatchReconnectInterval(1000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public String toString() {
        return label;
    }
}
