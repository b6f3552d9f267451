package dev.berth.core.controller;

import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

/** A real API server on a free port and a fabric8 client for it. */
public final class TestCluster implements AutoCloseable {
    private final TestApiServer server;
    private final KubernetesClient client;

    public TestCluster(Path dir) throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                .build();
    }

    /** The kubeconfig of the admin user, for kubectl. */
    public Path kubeconfig() {
        return server.kubeconfig();
    }

    public KubernetesClient client() {
        return client;
    }

    /** A namespace as the API server of Kubernetes defaults it: finalized by {@code kubernetes}. */
    public Namespace createNamespace(String name) {
        return client.namespaces().resource(new NamespaceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToFinalizers("kubernetes").endSpec()
                .withNewStatus().withPhase("Active").endStatus()
                .build()).create();
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
