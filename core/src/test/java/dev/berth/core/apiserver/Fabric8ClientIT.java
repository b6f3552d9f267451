package dev.berth.core.apiserver;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The fabric8 client does CRUD and runs an informer (WebSocket watch) against the API server. */
class Fabric8ClientIT {
    @TempDir
    static Path dir;
    static TestApiServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
        Config config = Config.fromKubeconfig(java.nio.file.Files.readString(server.kubeconfig()));
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void createsReadsUpdatesAndDeletesAConfigMap() {
        ConfigMap cm = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("crud").withLabels(Map.of("app", "x")).endMetadata()
                .withData(Map.of("k", "v")).build()).create();
        assertThat(cm.getMetadata().getUid()).isNotEmpty();
        assertThat(cm.getMetadata().getResourceVersion()).isNotEmpty();

        ConfigMap read = client.configMaps().inNamespace("default").withName("crud").get();
        assertThat(read.getData()).containsEntry("k", "v");

        read.getData().put("k", "v2");
        ConfigMap updated = client.configMaps().inNamespace("default").resource(read).update();
        assertThat(Long.parseLong(updated.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(read.getMetadata().getResourceVersion()));

        assertThat(client.configMaps().inNamespace("default").withLabel("app", "x").list().getItems())
                .extracting(c -> c.getMetadata().getName()).containsExactly("crud");

        client.configMaps().inNamespace("default").withName("crud").delete();
        assertThat(client.configMaps().inNamespace("default").withName("crud").get()).isNull();
    }

    @Test
    void staleUpdateIsAConflict() {
        ConfigMap cm = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("stale").endMetadata().withData(Map.of("a", "1")).build()).create();
        ConfigMap copy = new ConfigMapBuilder(cm).build();
        cm.getData().put("a", "2");
        client.configMaps().inNamespace("default").resource(cm).update();
        copy.getData().put("a", "3");
        assertThatThrownBy(() -> client.configMaps().inNamespace("default").resource(copy).update())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    }

    @Test
    void informerSeesAddsUpdatesAndDeletes() {
        List<String> seen = new CopyOnWriteArrayList<>();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace("default").withLabel("watch", "me")
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(ConfigMap obj) {
                        seen.add("add " + obj.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
                        seen.add("update " + newObj.getMetadata().getName() + " " + newObj.getData().get("x"));
                    }

                    @Override
                    public void onDelete(ConfigMap obj, boolean unknown) {
                        seen.add("delete " + obj.getMetadata().getName());
                    }
                });
        try {
            var cms = client.configMaps().inNamespace("default");
            cms.resource(new ConfigMapBuilder().withNewMetadata().withName("w1").withLabels(Map.of("watch", "me"))
                    .endMetadata().withData(Map.of("x", "1")).build()).create();
            cms.withName("w1").edit(c -> new ConfigMapBuilder(c).addToData("x", "2").build());
            cms.withName("w1").delete();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(seen).containsSubsequence("add w1", "update w1 2", "delete w1"));
        } finally {
            informer.close();
        }
    }
}
