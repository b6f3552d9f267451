package dev.berth.core.apiserver;

import dev.berth.core.api.ApiException;
import dev.berth.core.store.memory.MemoryStore;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterDnsAddressTest {
    private static Service service(String namespace, String name, String clusterIp) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp).addNewPort().withPort(80).endPort()
                .endSpec().build();
    }

    @Test
    void theTenthAddressOfTheRangeIsTheClusterDnsAddress() {
        assertThat(new ServiceAllocator(new MemoryStore(), "10.43.0.0/16", 30000, 32767).clusterDnsAddress()).contains("10.43.0.10");
        assertThat(new ServiceAllocator(new MemoryStore(), "10.96.0.0/12", 30000, 32767).clusterDnsAddress()).contains("10.96.0.10");
        assertThat(new ServiceAllocator(new MemoryStore(), "10.43.0.0/29", 30000, 32767).clusterDnsAddress()).isEmpty();
    }

    @Test
    void servicesFillingTheWholeRangeNeverGetTheClusterDnsAddress() {
        // a /28: addresses 2..14 are allocatable; 10 is the DNS address, so 12 Services fit and a 13th does not
        ServiceAllocator allocator = new ServiceAllocator(new MemoryStore(), "10.43.0.0/28", 30000, 32767);
        List<String> given = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Service s = service("default", "s" + i, null);
            allocator.beforeCreate(null, s, false);
            given.add(s.getSpec().getClusterIP());
        }
        assertThat(given).doesNotContain("10.43.0.10").doesNotHaveDuplicates().hasSize(12);
        assertThatThrownBy(() -> allocator.beforeCreate(null, service("default", "one-too-many", null), false))
                .isInstanceOf(ApiException.class).hasMessageContaining("range is full");

        Service dns = service("kube-system", "kube-dns", "10.43.0.10");
        allocator.beforeCreate(null, dns, false);
        assertThat(dns.getSpec().getClusterIPs()).containsExactly("10.43.0.10");
    }

    @Test
    void anotherServiceAskingForTheClusterDnsAddressIsRefusedNamingTheRule() {
        ServiceAllocator allocator = new ServiceAllocator(new MemoryStore(), "10.43.0.0/16", 30000, 32767);
        assertThatThrownBy(() -> allocator.beforeCreate(null, service("default", "squatter", "10.43.0.10"), false))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("spec.clusterIPs")
                .hasMessageContaining("10.43.0.10")
                .hasMessageContaining("reserved for the cluster DNS Service kube-system/kube-dns");
        assertThatThrownBy(() -> allocator.beforeCreate(null, service("default", "squatter", "10.43.0.10"), true))
                .as("a dry run is refused too").isInstanceOf(ApiException.class);
    }
}
