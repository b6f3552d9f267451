package dev.berth.agent.volume;

import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** An in-process API server and a client for volume tests. */
final class VolumeTestSupport implements AutoCloseable {
    final TestApiServer server;
    final KubernetesClient client;

    VolumeTestSupport(Path dir, String... namespaces) throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                .build();
        for (String ns : namespaces) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
    }

    static Pod pod(String namespace, String name, Volume... volumes) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withUid(UUID.randomUUID().toString())
                .endMetadata()
                .withNewSpec()
                .addNewContainer().withName("app").withImage("berth-test/busybox:1").endContainer()
                .withVolumes(volumes)
                .endSpec()
                .build();
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
