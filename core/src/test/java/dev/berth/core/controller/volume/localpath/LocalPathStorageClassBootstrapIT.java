package dev.berth.core.controller.volume.localpath;

import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.store.memory.MemoryStore;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server creates the local-path class when it is absent, and leaves a changed one as it is. */
class LocalPathStorageClassBootstrapIT {
    @TempDir
    Path dir;

    private static KubernetesClient client(TestApiServer server) throws Exception {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
    }

    @Test
    void aClassTheUserChangedSurvivesARestartAndADeletedOneComesBack() throws Exception {
        MemoryStore store = new MemoryStore();
        try (TestApiServer first = new TestApiServer(store, dir);
             KubernetesClient client = client(first)) {
            client.storage().v1().storageClasses().withName("local-path").edit(sc -> new StorageClassBuilder(sc)
                    .editMetadata().addToAnnotations("storageclass.kubernetes.io/is-default-class", "false")
                    .addToLabels("owner", "lab-admin").endMetadata().build());
        }
        try (TestApiServer second = new TestApiServer(store, dir);
             KubernetesClient client = client(second)) {
            StorageClass sc = client.storage().v1().storageClasses().withName("local-path").get();
            assertThat(sc.getMetadata().getAnnotations()).containsEntry("storageclass.kubernetes.io/is-default-class", "false");
            assertThat(sc.getMetadata().getLabels()).containsEntry("owner", "lab-admin");
            // no default class now: a claim without a class keeps none
            client.persistentVolumeClaims().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName("plain").endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                    .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec()
                    .build()).create();
            assertThat(client.persistentVolumeClaims().inNamespace("default").withName("plain").get()
                    .getSpec().getStorageClassName()).isNull();
            client.storage().v1().storageClasses().withName("local-path").delete();
        }
        try (TestApiServer third = new TestApiServer(store, dir);
             KubernetesClient client = client(third)) {
            StorageClass sc = client.storage().v1().storageClasses().withName("local-path").get();
            assertThat(sc).isNotNull();
            assertThat(sc.getMetadata().getAnnotations()).containsEntry("storageclass.kubernetes.io/is-default-class", "true");
            assertThat(sc.getProvisioner()).isEqualTo("berth.dev/local-path");
        }
    }
}
