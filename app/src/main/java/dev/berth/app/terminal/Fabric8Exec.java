package dev.berth.app.terminal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** An exec with a tty and stdin through the API server's {@code pods/exec} subresource, as {@code kubectl exec -it}. */
public final class Fabric8Exec implements ExecStream {
    private final ExecWatch watch;
    private final CompletableFuture<Integer> exitCode;

    private Fabric8Exec(ExecWatch watch) {
        this.watch = watch;
        this.exitCode = watch.exitCode().handle((code, error) -> code == null ? -1 : code);
    }

    /**
     * Starts {@code command} in {@code container} of the pod ({@code container} null: the pod's only
     * container, as the server picks it). Blocks until the server accepted the exec: call it off the FX thread.
     */
    public static Fabric8Exec open(KubernetesClient client, String namespace, String pod, String container, List<String> command) {
        if (command == null || command.isEmpty() || command.getFirst().isEmpty()) {
            throw new IllegalArgumentException("command: Required value: a command to run in the container, such as /bin/sh");
        }
        Objects.requireNonNull(client, "client");
        PodResource named = client.pods().inNamespace(namespace).withName(pod);
        ContainerResource inContainer = container == null || container.isBlank() ? named : named.inContainer(container);
        ExecWatch watch = inContainer.redirectingInput().redirectingOutput().withTTY().exec(command.toArray(String[]::new));
        return new Fabric8Exec(watch);
    }

    @Override
    public InputStream output() {
        return watch.getOutput();
    }

    @Override
    public OutputStream input() {
        return watch.getInput();
    }

    @Override
    public void resize(int columns, int rows) {
        watch.resize(columns, rows);
    }

    @Override
    public CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    @Override
    public void close() {
        watch.close();
    }
}
