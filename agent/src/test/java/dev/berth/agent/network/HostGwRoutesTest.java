package dev.berth.agent.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HostGwRoutesTest {
    private static final String ADDRS = """
            1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
            2: eth0    inet 192.168.1.10/24 brd 192.168.1.255 scope global eth0\\       valid_lft forever preferred_lft forever
            5: berth0123456789    inet 10.42.0.1/24 brd 10.42.0.255 scope global berth0123456789\\       valid_lft forever preferred_lft forever
            """;

    static Node node(String name, String podCidr, String ip) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).endSpec();
        if (ip != null) b.withNewStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress()
                .addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus();
        return b.build();
    }

    @Test
    void parsesConnectedSubnetsLeavingLoopbackOut() {
        assertThat(HostGwRoutes.parseAddresses(ADDRS)).extracting(HostGwRoutes.Subnet::device, HostGwRoutes.Subnet::bits)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("eth0", 24),
                        org.assertj.core.groups.Tuple.tuple("berth0123456789", 24));
    }

    @Test
    void routesEveryOtherNodesPodCidrThroughItsAddressOnADirectlyConnectedSubnet() {
        List<Node> nodes = List.of(
                node("self", "10.42.0.0/24", "192.168.1.10"),
                node("b", "10.42.1.0/24", "192.168.1.11"),
                node("c", "10.42.2.0/24", "172.16.5.3"),
                node("d", null, "192.168.1.12"),
                node("e", "10.42.3.0/24", null),
                node("f", "10.42.0.0/24", "192.168.1.13"),
                node("g", "10.42.4.0/24", "127.0.0.1"));
        HostGwRoutes.Plan plan = HostGwRoutes.plan("self", "10.42.0.0/24", nodes, HostGwRoutes.parseAddresses(ADDRS));
        assertThat(plan.routes()).containsExactly(Map.entry("10.42.1.0/24", "192.168.1.11"));
        assertThat(plan.unreachable()).extracting(HostGwRoutes.Unreachable::node).containsExactly("c", "e", "f", "g");
        assertThat(plan.unreachable().getFirst().reason())
                .isEqualTo("its address 172.16.5.3 is not on a subnet this node is directly connected to");
    }

    @Test
    void parsesTheAgentsOwnRoutes() {
        assertThat(HostGwRoutes.parseRoutes("""
                10.42.1.0/24 via 192.168.1.11 dev eth0
                10.42.7.0/24 via 192.168.1.17 dev eth0 metric 5
                """)).containsExactly(Map.entry("10.42.1.0/24", "192.168.1.11"), Map.entry("10.42.7.0/24", "192.168.1.17"));
    }

    @Test
    void batchAddsMissingRoutesReplacesMovedOnesAndDeletesStaleOnesOnly() {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("10.42.1.0/24", "192.168.1.11");
        wanted.put("10.42.2.0/24", "192.168.1.20");
        wanted.put("10.42.3.0/24", "192.168.1.13");
        Map<String, String> installed = new LinkedHashMap<>();
        installed.put("10.42.1.0/24", "192.168.1.11");
        installed.put("10.42.2.0/24", "192.168.1.12");
        installed.put("10.42.9.0/24", "192.168.1.19");
        assertThat(HostGwRoutes.batch(wanted, installed)).containsExactly(
                "route del 10.42.9.0/24 proto 98",
                "route replace 10.42.2.0/24 via 192.168.1.20 proto 98",
                "route replace 10.42.3.0/24 via 192.168.1.13 proto 98");
        assertThat(HostGwRoutes.batch(wanted, wanted)).isEmpty();
    }
}
