package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyFixtures.Ep;
import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.HostPort;
import dev.berth.agent.proxy.ProxyTable.Protocol;
import dev.berth.agent.proxy.ProxyTable.ServicePort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.berth.agent.proxy.ProxyFixtures.pod;
import static dev.berth.agent.proxy.ProxyFixtures.service;
import static dev.berth.agent.proxy.ProxyFixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

class ProxyModelTest {
    private static final ProxyModel.Settings NODE = new ProxyModel.Settings("n1", "10.43.0.10", "10.42.1.1");

    private static ProxyTable compute(List<Service> services, List<EndpointSlice> slices, List<Pod> pods) {
        return ProxyModel.compute(NODE, services, slices, pods);
    }

    /** The table's ports other than the cluster DNS ones the model always adds. */
    private static List<ServicePort> apps(ProxyTable t) {
        return t.services().stream().filter(p -> !p.nodeLocalDns()).toList();
    }

    private static ServicePort only(ProxyTable t) {
        assertThat(apps(t)).hasSize(1);
        return apps(t).getFirst();
    }

    @Test
    void aClusterIpPortLeadsToItsReadyEndpointsOnly() {
        ProxyTable t = compute(List.of(service("default", "web", "10.43.0.5", "http:80->8080").build()),
                List.of(slice("default", "web", "web-abc", List.of("http:8080"),
                        Ep.ready("10.42.1.7"), Ep.notReady("10.42.1.8"), Ep.ready("10.42.2.3"))), List.of());
        ServicePort p = only(t);
        assertThat(p.key()).isEqualTo("default/web:http");
        assertThat(p.clusterIp()).isEqualTo("10.43.0.5");
        assertThat(p.port()).isEqualTo(80);
        assertThat(p.protocol()).isEqualTo(Protocol.TCP);
        assertThat(p.endpoints()).containsExactly(new Endpoint("10.42.1.7", 8080), new Endpoint("10.42.2.3", 8080));
        assertThat(p.nodePort()).isZero();
        assertThat(p.affinitySeconds()).isZero();
    }

    @Test
    void aMissingReadyConditionMeansReady() {
        ProxyTable t = compute(List.of(service("default", "web", "10.43.0.5", ":80").build()),
                List.of(slice("default", "web", "web-abc", List.of(":80"), new Ep("10.42.1.7", null, null, null, "n1"))),
                List.of());
        assertThat(only(t).endpoints()).containsExactly(new Endpoint("10.42.1.7", 80));
    }

    @Test
    void servingTerminatingEndpointsAreUsedOnlyWhenNoneIsReady() {
        Service svc = service("default", "web", "10.43.0.5", ":80").build();
        ProxyTable fallback = compute(List.of(svc), List.of(slice("default", "web", "s", List.of(":80"),
                Ep.terminating("10.42.1.7", true), Ep.terminating("10.42.1.8", false), Ep.notReady("10.42.1.9"))), List.of());
        assertThat(only(fallback).endpoints()).containsExactly(new Endpoint("10.42.1.7", 80));

        ProxyTable readyWins = compute(List.of(svc), List.of(slice("default", "web", "s", List.of(":80"),
                Ep.terminating("10.42.1.7", true), Ep.ready("10.42.1.20"))), List.of());
        assertThat(only(readyWins).endpoints()).containsExactly(new Endpoint("10.42.1.20", 80));

        ProxyTable none = compute(List.of(svc), List.of(slice("default", "web", "s", List.of(":80"),
                Ep.terminating("10.42.1.8", false), Ep.notReady("10.42.1.9"))), List.of());
        assertThat(only(none).endpoints()).isEmpty();
    }

    @Test
    void aNamedTargetPortIsResolvedThroughTheSlicePortsPerSlice() {
        // two slices, two pod templates: the port named "http" is 8080 in one and 9090 in the other
        Service svc = service("default", "web", "10.43.0.5", "http:80->http", "metrics:9100->metrics").build();
        ProxyTable t = compute(List.of(svc), List.of(
                slice("default", "web", "s1", List.of("http:8080", "metrics:9100"), Ep.ready("10.42.1.7")),
                slice("default", "web", "s2", List.of("http:9090"), Ep.ready("10.42.2.7"))), List.of());
        assertThat(apps(t)).extracting(ServicePort::key).containsExactly("default/web:http", "default/web:metrics");
        assertThat(apps(t).get(0).endpoints()).containsExactly(new Endpoint("10.42.1.7", 8080), new Endpoint("10.42.2.7", 9090));
        assertThat(apps(t).get(1).endpoints()).containsExactly(new Endpoint("10.42.1.7", 9100));
    }

    @Test
    void portsMatchByProtocolToo() {
        Service svc = service("default", "dns", "10.43.0.53", "udp:53/UDP", "tcp:53/TCP").build();
        ProxyTable t = compute(List.of(svc), List.of(slice("default", "dns", "s", List.of("udp:5353/UDP", "tcp:5354/TCP"),
                Ep.ready("10.42.1.7"))), List.of());
        assertThat(apps(t)).extracting(p -> p.protocol() + "->" + p.endpoints())
                .containsExactlyInAnyOrder("UDP->[10.42.1.7:5353]", "TCP->[10.42.1.7:5354]");
    }

    @Test
    void slicesOfOtherServicesNamespacesAndAddressTypesAreIgnored() {
        Service svc = service("default", "web", "10.43.0.5", ":80").build();
        EndpointSlice v6 = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder(
                slice("default", "web", "v6", List.of(":80"), Ep.ready("10.42.1.9"))).withAddressType("IPv6").build();
        ProxyTable t = compute(List.of(svc), List.of(
                slice("other", "web", "s1", List.of(":80"), Ep.ready("10.42.1.7")),
                slice("default", "api", "s2", List.of(":80"), Ep.ready("10.42.1.8")), v6), List.of());
        assertThat(only(t).endpoints()).isEmpty();
    }

    @Test
    void anEndpointInTwoSlicesCountsOnce() {
        Service svc = service("default", "web", "10.43.0.5", ":80").build();
        ProxyTable t = compute(List.of(svc), List.of(slice("default", "web", "a", List.of(":80"), Ep.ready("10.42.1.7")),
                slice("default", "web", "b", List.of(":80"), Ep.ready("10.42.1.7"))), List.of());
        assertThat(only(t).endpoints()).containsExactly(new Endpoint("10.42.1.7", 80));
    }

    @Test
    void headlessAndExternalNameServicesGetNoVirtualIp() {
        Service headless = service("default", "db", "None", ":5432").build();
        Service external = service("default", "ext", "", ":443").editSpec().withType("ExternalName")
                .withExternalName("example.org").withClusterIP(null).withClusterIPs().endSpec().build();
        ProxyTable t = compute(List.of(headless, external),
                List.of(slice("default", "db", "s", List.of(":5432"), Ep.ready("10.42.1.7"))), List.of());
        assertThat(apps(t)).isEmpty();
    }

    @Test
    void onlyTheIpv4ClusterIpOfADualStackServiceIsProgrammed() {
        Service svc = service("default", "web", "fd00::5", ":80").editSpec().withClusterIPs("fd00::5", "10.43.0.5")
                .endSpec().build();
        assertThat(only(compute(List.of(svc), List.of(), List.of())).clusterIp()).isEqualTo("10.43.0.5");
    }

    @Test
    void clientIpAffinityCarriesItsTimeoutOrKubernetesDefault() {
        Service plain = service("default", "a", "10.43.0.5", ":80").editSpec().withSessionAffinity("ClientIP").endSpec().build();
        Service timed = service("default", "b", "10.43.0.6", ":80").editSpec().withSessionAffinity("ClientIP")
                .withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(60).endClientIP()
                .endSessionAffinityConfig().endSpec().build();
        Service none = service("default", "c", "10.43.0.7", ":80").editSpec().withSessionAffinity("None").endSpec().build();
        ProxyTable t = compute(List.of(plain, timed, none), List.of(), List.of());
        assertThat(apps(t)).extracting(ServicePort::affinitySeconds).containsExactly(10800, 60, 0);
    }

    @Test
    void nodePortsAreKeptForNodePortAndLoadBalancerServicesOnly() {
        Service np = service("default", "np", "10.43.0.5", ":80").editSpec().withType("NodePort")
                .editFirstPort().withNodePort(30080).endPort().endSpec().build();
        Service lb = service("default", "lb", "10.43.0.6", ":80").editSpec().withType("LoadBalancer")
                .editFirstPort().withNodePort(30081).endPort().endSpec().build();
        Service cip = service("default", "cip", "10.43.0.7", ":80").editSpec()
                .editFirstPort().withNodePort(30082).endPort().endSpec().build();
        ProxyTable t = compute(List.of(np, lb, cip), List.of(), List.of());
        assertThat(apps(t)).extracting(p -> p.name() + "=" + p.nodePort()).containsExactly("cip=0", "lb=30081", "np=30080");
    }

    @Test
    void externalIpsAreKeptWhenIpv4() {
        Service svc = service("default", "web", "10.43.0.5", ":80").editSpec()
                .withExternalIPs("192.0.2.10", "2001:db8::1", "192.0.2.9").endSpec().build();
        assertThat(only(compute(List.of(svc), List.of(), List.of())).externalIps()).containsExactly("192.0.2.10", "192.0.2.9");
    }

    @Test
    void theClusterDnsAddressIsAnsweredByTheNodeLocalServerWhateverItsEndpoints() {
        Service dns = service("kube-system", "kube-dns", "10.43.0.10", "dns:53/UDP", "dns-tcp:53/TCP", "metrics:9153")
                .build();
        ProxyTable t = compute(List.of(dns), List.of(slice("kube-system", "kube-dns", "s",
                List.of("dns:5353/UDP", "dns-tcp:5353/TCP", "metrics:9153"), Ep.ready("10.42.2.2"))), List.of());
        assertThat(t.services()).extracting(p -> p.portName() + " " + p.protocol() + " " + p.nodeLocalDns() + " " + p.endpoints())
                .containsExactly("dns UDP true [10.42.1.1:53]", "dns-tcp TCP true [10.42.1.1:53]",
                        "metrics TCP false [10.42.2.2:9153]");
    }

    @Test
    void theClusterDnsAddressIsAnsweredBeforeTheKubeDnsServiceIsSeen() {
        ProxyTable t = compute(List.of(), List.of(), List.of());
        assertThat(t.services()).extracting(p -> p.clusterIp() + ":" + p.port() + "/" + p.protocol() + " " + p.endpoints())
                .containsExactly("10.43.0.10:53/UDP [10.42.1.1:53]", "10.43.0.10:53/TCP [10.42.1.1:53]");
        assertThat(t.services()).allMatch(ServicePort::nodeLocalDns);
    }

    @Test
    void aKubeDnsServiceAtAnotherAddressIsAnOrdinaryService() {
        Service dns = service("kube-system", "kube-dns", "10.43.0.99", "dns:53/UDP").build();
        ProxyTable t = compute(List.of(dns), List.of(slice("kube-system", "kube-dns", "s", List.of("dns:53/UDP"),
                Ep.ready("10.42.2.2"))), List.of());
        assertThat(t.services()).filteredOn(p -> p.clusterIp().equals("10.43.0.99"))
                .singleElement().satisfies(p -> {
                    assertThat(p.nodeLocalDns()).isFalse();
                    assertThat(p.endpoints()).containsExactly(new Endpoint("10.42.2.2", 53));
                });
        assertThat(t.services()).filteredOn(p -> p.clusterIp().equals("10.43.0.10")).hasSize(2);
    }

    @Test
    void hostPortsOfRunningPodsOnThisNodeArePublished() {
        Pod web = pod("default", "web", "n1", "10.42.1.7").editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withContainerPort(8080).withHostPort(80).build(),
                        new ContainerPortBuilder().withContainerPort(53).withHostPort(5353).withProtocol("UDP")
                                .withHostIP("192.0.2.1").build(),
                        new ContainerPortBuilder().withContainerPort(9000).build())
                .endContainer().endSpec().build();
        Pod elsewhere = pod("default", "other", "n2", "10.42.2.7").editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withContainerPort(8080).withHostPort(81).build()).endContainer().endSpec().build();
        Pod done = pod("default", "done", "n1", "10.42.1.8").editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withContainerPort(8080).withHostPort(82).build()).endContainer().endSpec()
                .editStatus().withPhase("Succeeded").endStatus().build();
        Pod hostNet = pod("default", "hostnet", "n1", "192.0.2.1").editSpec().withHostNetwork(true).editFirstContainer()
                .withPorts(new ContainerPortBuilder().withContainerPort(83).withHostPort(83).build()).endContainer().endSpec().build();
        Pod noIp = pod("default", "starting", "n1", null).editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withContainerPort(8080).withHostPort(84).build()).endContainer().endSpec().build();
        ProxyTable t = compute(List.of(), List.of(), List.of(web, elsewhere, done, hostNet, noIp));
        assertThat(t.hostPorts()).containsExactly(
                new HostPort("default/web", "", 80, Protocol.TCP, "10.42.1.7", 8080),
                new HostPort("default/web", "192.0.2.1", 5353, Protocol.UDP, "10.42.1.7", 53));
    }

    @Test
    void aHostPortTakenTwiceGoesToTheFirstPodByName() {
        Pod a = pod("default", "a", "n1", "10.42.1.7").editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withContainerPort(8080).withHostPort(80).build()).endContainer().endSpec().build();
        Pod b = pod("default", "b", "n1", "10.42.1.8").editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withContainerPort(8080).withHostPort(80).build()).endContainer().endSpec().build();
        assertThat(compute(List.of(), List.of(), List.of(b, a)).hostPorts()).extracting(HostPort::pod).containsExactly("default/a");
    }

    @Test
    void theTableIsTheSameWhateverTheOrderOfTheCaches() {
        Service a = service("default", "a", "10.43.0.5", ":80").build();
        Service b = service("default", "b", "10.43.0.6", ":80").build();
        EndpointSlice sa = slice("default", "a", "s", List.of(":80"), Ep.ready("10.42.1.9"), Ep.ready("10.42.1.10"));
        EndpointSlice sb = slice("default", "b", "s", List.of(":80"), Ep.ready("10.42.1.2"));
        assertThat(compute(List.of(a, b), List.of(sa, sb), List.of())).isEqualTo(compute(List.of(b, a), List.of(sb, sa), List.of()));
        // numeric address order, not text order
        assertThat(apps(compute(List.of(a), List.of(sa), List.of())).getFirst().endpoints())
                .extracting(Endpoint::ip).containsExactly("10.42.1.9", "10.42.1.10");
    }
}
