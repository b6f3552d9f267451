package dev.berth.core.apiserver;

import dev.berth.core.store.memory.MemoryStore;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server creates IngressClass berth and the ingress controller's ServiceAccount, and leaves changed ones alone. */
class IngressClassBootstrapIT {
    @TempDir
    Path dir;

    private static KubernetesClient client(TestApiServer server) throws Exception {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
    }

    @Test
    void createsTheBerthIngressClassAsDefaultAndKeepsTheUsersChanges() throws Exception {
        MemoryStore store = new MemoryStore();
        try (TestApiServer first = new TestApiServer(store, dir);
             KubernetesClient client = client(first)) {
            IngressClass ic = client.network().v1().ingressClasses().withName("berth").get();
            assertThat(ic.getSpec().getController()).isEqualTo("berth.dev/ingress");
            assertThat(ic.getMetadata().getAnnotations()).containsEntry("ingressclass.kubernetes.io/is-default-class", "true");
            assertThat(client.serviceAccounts().inNamespace("kube-system").withName("berth-ingress").get()).isNotNull();
            client.network().v1().ingressClasses().withName("berth").edit(c -> new IngressClassBuilder(c)
                    .editMetadata().addToAnnotations("ingressclass.kubernetes.io/is-default-class", "false").endMetadata()
                    .build());
        }
        try (TestApiServer second = new TestApiServer(store, dir);
             KubernetesClient client = client(second)) {
            assertThat(client.network().v1().ingressClasses().withName("berth").get().getMetadata().getAnnotations())
                    .containsEntry("ingressclass.kubernetes.io/is-default-class", "false");
            client.network().v1().ingressClasses().withName("berth").delete();
        }
        try (TestApiServer third = new TestApiServer(store, dir);
             KubernetesClient client = client(third)) {
            assertThat(client.network().v1().ingressClasses().withName("berth").get().getMetadata().getAnnotations())
                    .containsEntry("ingressclass.kubernetes.io/is-default-class", "true");
        }
    }
}
