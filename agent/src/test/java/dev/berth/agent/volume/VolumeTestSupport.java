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

/**
 * An in-process API server and a client for volume tests: one per test JVM, started on first use
 * (a server start is most of these tests' time), each test class in namespaces of its own.
 */
final class VolumeTestSupport implements AutoCloseable {
    private static VolumeTestSupport shared;

    final TestApiServer server;
    final KubernetesClient client;

    private VolumeTestSupport(Path dir) throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                .build();
    }

    /** The shared server, with these namespaces created. */
    static synchronized VolumeTestSupport shared(String... namespaces) throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("berth-volume-tests");
            VolumeTestSupport s = new VolumeTestSupport(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                s.close();
                try {
                    Tree.delete(dir);
                } catch (IOException e) {
                    // a temp dir left behind
                }
            }));
            shared = s;
        }
        for (String ns : namespaces) {
            if (shared.client.namespaces().withName(ns).get() == null) {
                shared.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                        .build()).create();
            }
        }
        return shared;
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
