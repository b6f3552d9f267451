package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IngressStatusReconcilerTest {
    private static Ingress withAddresses(String... ips) {
        IngressBuilder b = new IngressBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().endSpec();
        if (ips.length > 0) {
            b.withNewStatus().withNewLoadBalancer().withIngress(java.util.Arrays.stream(ips)
                    .map(ip -> new io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder().withIp(ip).build())
                    .toList()).endLoadBalancer().endStatus();
        }
        return b.build();
    }

    private static List<String> ips(List<IngressLoadBalancerIngress> entries) {
        return entries.stream().map(IngressLoadBalancerIngress::getIp).toList();
    }

    @Test
    void addsItsAddressNextToThoseOfOtherNodesInOrder() {
        assertThat(ips(IngressStatusReconciler.desired(withAddresses(), "192.168.1.20", true))).containsExactly("192.168.1.20");
        assertThat(ips(IngressStatusReconciler.desired(withAddresses("192.168.1.30", "192.168.1.10"), "192.168.1.20", true)))
                .containsExactly("192.168.1.10", "192.168.1.20", "192.168.1.30");
    }

    @Test
    void removesOnlyItsOwnAddress() {
        assertThat(ips(IngressStatusReconciler.desired(withAddresses("192.168.1.10", "192.168.1.20"), "192.168.1.20", false)))
                .containsExactly("192.168.1.10");
        assertThat(IngressStatusReconciler.desired(withAddresses("192.168.1.10", "192.168.1.20"), "192.168.1.20", false)
                .isEmpty()).isFalse();
    }

    @Test
    void writesNothingWhenTheStatusIsAlreadyRight() {
        assertThat(IngressStatusReconciler.desired(withAddresses("192.168.1.20"), "192.168.1.20", true)).isNull();
        assertThat(IngressStatusReconciler.desired(withAddresses("192.168.1.10"), "192.168.1.20", false)).isNull();
        assertThat(IngressStatusReconciler.lists(withAddresses("192.168.1.10"), "192.168.1.10")).isTrue();
    }
}
