package dev.berth.core.apiserver;

import dev.berth.core.store.memory.MemoryStore;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The API server starts with Service kube-system/kube-dns at the cluster DNS address, and keeps that address for it. */
class ClusterDnsServiceIT {
    @TempDir
    Path dir;

    @Test
    void kubeDnsIsThereAtStartAndItsAddressIsNeverGivenToAnotherService() throws Exception {
        MemoryStore store = new MemoryStore();
        try (TestApiServer api = new TestApiServer(store, dir);
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build()) {
            Kubectl kubectl = new Kubectl(api.kubeconfig(), Files.createDirectories(dir.resolve("home")));
            Kubectl.Result get = kubectl.run("get", "svc", "-n", "kube-system").ok();
            assertThat(get.out()).containsPattern("kube-dns\\s+ClusterIP\\s+10\\.43\\.0\\.10\\s+<none>\\s+53/UDP,53/TCP");

            Service dns = client.services().inNamespace("kube-system").withName("kube-dns").get();
            assertThat(dns.getMetadata().getLabels()).containsEntry("k8s-app", "kube-dns");
            assertThat(dns.getSpec().getClusterIPs()).containsExactly("10.43.0.10");
            assertThat(dns.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getProtocol, ServicePort::getPort)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("dns", "UDP", 53),
                            org.assertj.core.groups.Tuple.tuple("dns-tcp", "TCP", 53));

            assertThatThrownBy(() -> client.services().inNamespace("default").resource(new ServiceBuilder()
                    .withNewMetadata().withName("squatter").endMetadata().withNewSpec().withClusterIP("10.43.0.10")
                    .addNewPort().withPort(53).endPort().endSpec().build()).create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("reserved for the cluster DNS Service kube-system/kube-dns");

            // deleted, the address stays reserved: a Service created meanwhile cannot take it, and a restart brings kube-dns back
            client.services().inNamespace("kube-system").withName("kube-dns").delete();
            assertThatThrownBy(() -> client.services().inNamespace("default").resource(new ServiceBuilder()
                    .withNewMetadata().withName("squatter").endMetadata().withNewSpec().withClusterIP("10.43.0.10")
                    .addNewPort().withPort(53).endPort().endSpec().build()).create())
                    .isInstanceOf(KubernetesClientException.class).hasMessageContaining("reserved");
        }
        try (TestApiServer restarted = new TestApiServer(store, Files.createDirectories(dir.resolve("again")));
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(restarted.kubeconfig()))).build()) {
            assertThat(client.services().inNamespace("kube-system").withName("kube-dns").get().getSpec().getClusterIP())
                    .isEqualTo("10.43.0.10");
        }
    }
}
