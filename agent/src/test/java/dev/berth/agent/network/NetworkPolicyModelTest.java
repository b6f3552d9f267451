package dev.berth.agent.network;

import dev.berth.agent.network.NetworkPolicyModel.Allow;
import dev.berth.agent.network.NetworkPolicyModel.Peer;
import dev.berth.agent.network.NetworkPolicyModel.PodPolicy;
import dev.berth.agent.network.NetworkPolicyModel.Port;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkPolicyModelTest {
    private static final String NODE = "n1";
    private final List<Namespace> namespaces = List.of(ns("default", Map.of()), ns("prod", Map.of("team", "a")),
            ns("dev", Map.of("team", "b")));
    private final Pod web = pod("default", "web", NODE, "10.42.0.10", Map.of("app", "web"));
    private final Pod client = pod("default", "client", "n2", "10.42.1.20", Map.of("role", "client"));
    private final Pod prodClient = pod("prod", "client", "n2", "10.42.1.21", Map.of("role", "client"));
    private final Pod devDb = pod("dev", "db", "n2", "10.42.1.22", Map.of("app", "db"));
    private final List<Pod> pods = List.of(web, client, prodClient, devDb);

    private static Namespace ns(String name, Map<String, String> labels) {
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .addToLabels("kubernetes.io/metadata.name", name).endMetadata().build();
    }

    private static Pod pod(String ns, String name, String node, String ip, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .addNewPort().withName("dns").withContainerPort(5353).withProtocol("UDP").endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
    }

    private static NetworkPolicyBuilder policy(String ns, String name, Map<String, String> podSelector) {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(podSelector).endPodSelector().endSpec();
    }

    private List<PodPolicy> compute(NetworkPolicy... policies) {
        return NetworkPolicyModel.compute(NODE, List.of(policies), pods, namespaces);
    }

    private static Peer ip(String ip) {
        return new Peer(ip + "/32", List.of());
    }

    @Test
    void podsNoPolicySelectsAreNotIsolated() {
        assertThat(compute()).isEmpty();
        assertThat(compute(policy("default", "other", Map.of("app", "other")).build())).isEmpty();
        assertThat(compute(policy("prod", "all", Map.of()).build())).as("a policy of another namespace").isEmpty();
    }

    @Test
    void aPolicyWithoutRulesDeniesAllIngressAndPolicyTypesDefaultAsKubernetesDoes() {
        List<PodPolicy> out = compute(policy("default", "deny", Map.of()).build());
        assertThat(out).containsExactly(new PodPolicy("default/web", "10.42.0.10", true, List.of(), false, List.of()));

        NetworkPolicy egressRules = policy("default", "eg", Map.of("app", "web")).editSpec().addNewEgress()
                .addNewPort().withPort(new IntOrString(53)).withProtocol("UDP").endPort().endEgress().endSpec().build();
        PodPolicy p = compute(egressRules).getFirst();
        assertThat(p.ingressIsolated()).as("egress rules present: Ingress and Egress").isTrue();
        assertThat(p.egressIsolated()).isTrue();
        assertThat(p.egress()).containsExactly(new Allow(null, new Port("UDP", 53, 0)));

        NetworkPolicy egressOnly = policy("default", "eo", Map.of()).editSpec().withPolicyTypes("Egress").endSpec().build();
        assertThat(compute(egressOnly).getFirst()).isEqualTo(
                new PodPolicy("default/web", "10.42.0.10", false, List.of(), true, List.of()));
    }

    private NetworkPolicy ingressFrom(NetworkPolicyPeer peer) {
        return policy("default", "from", Map.of("app", "web")).editSpec().addNewIngress().withFrom(peer).endIngress()
                .endSpec().build();
    }

    @Test
    void peersByPodSelectorNamespaceSelectorAndBoth() {
        NetworkPolicyPeer byPod = new NetworkPolicyPeerBuilder().withNewPodSelector()
                .addToMatchLabels("role", "client").endPodSelector().build();
        assertThat(compute(ingressFrom(byPod)).getFirst().ingress()).as("pods of the policy's namespace only")
                .containsExactly(new Allow(ip("10.42.1.20"), null));

        NetworkPolicyPeer byNamespace = new NetworkPolicyPeerBuilder().withNewNamespaceSelector()
                .addToMatchLabels("team", "a").endNamespaceSelector().build();
        assertThat(compute(ingressFrom(byNamespace)).getFirst().ingress())
                .containsExactly(new Allow(ip("10.42.1.21"), null));

        NetworkPolicyPeer both = new NetworkPolicyPeerBuilder().withNewNamespaceSelector().endNamespaceSelector()
                .withNewPodSelector().addToMatchLabels("role", "client").endPodSelector().build();
        assertThat(compute(ingressFrom(both)).getFirst().ingress()).as("client pods of every namespace")
                .containsExactly(new Allow(ip("10.42.1.20"), null), new Allow(ip("10.42.1.21"), null));

        NetworkPolicyPeer nobody = new NetworkPolicyPeerBuilder().withNewPodSelector()
                .addToMatchLabels("role", "nobody").endPodSelector().build();
        assertThat(compute(ingressFrom(nobody)).getFirst().ingress()).as("a peer selecting no pod allows nothing").isEmpty();
    }

    @Test
    void ipBlocksPortsRangesAndNamedPorts() {
        NetworkPolicy np = policy("default", "p", Map.of("app", "web")).editSpec()
                .addNewIngress()
                .addNewFrom().withNewIpBlock().withCidr("192.168.0.0/16").withExcept("192.168.5.0/24").endIpBlock().endFrom()
                .addNewPort().withPort(new IntOrString("http")).endPort()
                .addNewPort().withPort(new IntOrString(9000)).withEndPort(9010).withProtocol("TCP").endPort()
                .addNewPort().withProtocol("UDP").endPort()
                .addNewPort().withPort(new IntOrString("no-such-port")).endPort()
                .endIngress()
                .addNewEgress()
                .addNewTo().withNewNamespaceSelector().addToMatchLabels("team", "b").endNamespaceSelector().endTo()
                .addNewPort().withPort(new IntOrString("dns")).withProtocol("UDP").endPort()
                .endEgress()
                .addNewEgress().addNewPort().withPort(new IntOrString("http")).endPort().endEgress()
                .endSpec().build();
        PodPolicy p = compute(np).getFirst();
        Peer block = new Peer("192.168.0.0/16", List.of("192.168.5.0/24"));
        assertThat(p.ingress()).containsExactly(
                new Allow(block, new Port("TCP", 8080, 0)),
                new Allow(block, new Port("TCP", 9000, 9010)),
                new Allow(block, new Port("UDP", 0, 0)));
        assertThat(p.egress()).as("named ports resolved on each destination pod").containsExactly(
                new Allow(ip("10.42.1.22"), new Port("UDP", 5353, 0)),
                new Allow(ip("10.42.0.10"), new Port("TCP", 8080, 0)),
                new Allow(ip("10.42.1.20"), new Port("TCP", 8080, 0)),
                new Allow(ip("10.42.1.21"), new Port("TCP", 8080, 0)),
                new Allow(ip("10.42.1.22"), new Port("TCP", 8080, 0)));
    }

    @Test
    void theUnionOfEveryPolicySelectingThePodIsAllowed() {
        NetworkPolicy a = policy("default", "a", Map.of("app", "web")).editSpec().addNewIngress()
                .addNewFrom().withNewPodSelector().addToMatchLabels("role", "client").endPodSelector().endFrom()
                .endIngress().endSpec().build();
        NetworkPolicy b = policy("default", "b", Map.of()).editSpec().addNewIngress()
                .addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", "b").endNamespaceSelector().endFrom()
                .endIngress().endSpec().build();
        assertThat(compute(a, b).getFirst().ingress()).containsExactlyInAnyOrder(
                new Allow(ip("10.42.1.20"), null), new Allow(ip("10.42.1.22"), null));
    }

    @Test
    void finishedAndHostNetworkPodsAndPodsWithoutAnAddressDoNotCount() {
        Pod done = new PodBuilder(client).editStatus().withPhase("Succeeded").endStatus().build();
        Pod noIp = new PodBuilder(web).editStatus().withPodIP(null).endStatus().build();
        NetworkPolicy np = ingressFrom(new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build());
        assertThat(NetworkPolicyModel.compute(NODE, List.of(np), List.of(web, done), namespaces).getFirst().ingress())
                .containsExactly(new Allow(ip("10.42.0.10"), null));
        assertThat(NetworkPolicyModel.compute(NODE, List.of(np), List.of(noIp, client), namespaces)).isEmpty();
    }
}
