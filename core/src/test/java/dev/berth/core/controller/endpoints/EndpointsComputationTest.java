package dev.berth.core.controller.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.berth.core.controller.endpoints.Pods.pod;
import static dev.berth.core.controller.endpoints.Pods.service;
import static org.assertj.core.api.Assertions.assertThat;

class EndpointsComputationTest {
    private static List<String> ips(List<EndpointAddress> a) {
        return a == null ? List.of() : a.stream().map(EndpointAddress::getIp).toList();
    }

    private static List<String> ports(EndpointSubset s) {
        return s.getPorts().stream().map(p -> p.getName() + "=" + p.getPort()).toList();
    }

    @Test
    void readyPodsAreAddressesAndOthersNotReadyAddresses() {
        List<EndpointSubset> subsets = EndpointsComputation.compute(service("web", false), List.of(
                pod("a", "10.42.0.2", true, 8080), pod("b", "10.42.0.3", false, 8080))).subsets();
        assertThat(subsets).hasSize(1);
        assertThat(ips(subsets.getFirst().getAddresses())).containsExactly("10.42.0.2");
        assertThat(ips(subsets.getFirst().getNotReadyAddresses())).containsExactly("10.42.0.3");
        assertThat(ports(subsets.getFirst())).containsExactly("http=8080", "metrics=9100");
        EndpointAddress a = subsets.getFirst().getAddresses().getFirst();
        assertThat(a.getNodeName()).isEqualTo("node-1");
        assertThat(a.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(a.getTargetRef().getName()).isEqualTo("a");
        assertThat(a.getTargetRef().getNamespace()).isEqualTo("ns");
        assertThat(a.getTargetRef().getUid()).isEqualTo("a-uid");
    }

    @Test
    void podsWhoseNamedPortDiffersGoToDifferentSubsets() {
        List<EndpointSubset> subsets = EndpointsComputation.compute(service("web", false), List.of(
                pod("a", "10.42.0.2", true, 8080), pod("b", "10.42.0.3", true, 8081),
                pod("c", "10.42.0.4", true, 8080))).subsets();
        assertThat(subsets).hasSize(2);
        assertThat(ports(subsets.get(0))).containsExactly("http=8080", "metrics=9100");
        assertThat(ips(subsets.get(0).getAddresses())).containsExactly("10.42.0.2", "10.42.0.4");
        assertThat(ports(subsets.get(1))).containsExactly("http=8081", "metrics=9100");
        assertThat(ips(subsets.get(1).getAddresses())).containsExactly("10.42.0.3");
    }

    @Test
    void aPodWithoutTheNamedPortServesOnlyTheOtherPorts() {
        List<EndpointSubset> subsets = EndpointsComputation.compute(service("web", false), List.of(
                pod("a", "10.42.0.2", true, 0))).subsets();
        assertThat(subsets).hasSize(1);
        assertThat(subsets.getFirst().getPorts()).extracting(EndpointPort::getName).containsExactly("metrics");
    }

    @Test
    void publishNotReadyAddressesListsEveryPodAsReady() {
        List<EndpointSubset> subsets = EndpointsComputation.compute(service("web", true), List.of(
                pod("a", "10.42.0.2", true, 8080), pod("b", "10.42.0.3", false, 8080))).subsets();
        assertThat(ips(subsets.getFirst().getAddresses())).containsExactly("10.42.0.2", "10.42.0.3");
        assertThat(subsets.getFirst().getNotReadyAddresses()).isNullOrEmpty();
    }

    @Test
    void podsWithoutAnIpFinishedTerminatingOrUnselectedAreLeftOut() {
        Pod noIp = new PodBuilder(pod("a", null, true, 8080)).build();
        Pod finished = new PodBuilder(pod("b", "10.42.0.3", false, 8080)).editStatus().withPhase("Succeeded").endStatus().build();
        Pod terminating = new PodBuilder(pod("c", "10.42.0.4", true, 8080)).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        Pod other = new PodBuilder(pod("d", "10.42.0.5", true, 8080)).editMetadata().addToLabels("app", "db").endMetadata().build();
        assertThat(EndpointsComputation.compute(service("web", false), List.of(noIp, finished, terminating, other))
                .subsets()).isEmpty();
        // publishNotReadyAddresses keeps terminating pods
        assertThat(EndpointsComputation.compute(service("web", true), List.of(terminating)).subsets()).hasSize(1);
    }

    @Test
    void aPodNamingTheServiceAsSubdomainGetsItsHostname() {
        Pod named = new PodBuilder(pod("a", "10.42.0.2", true, 8080)).editSpec().withHostname("db-0")
                .withSubdomain("web").endSpec().build();
        Pod otherSubdomain = new PodBuilder(pod("b", "10.42.0.3", true, 8080)).editSpec().withHostname("db-1")
                .withSubdomain("elsewhere").endSpec().build();
        List<EndpointAddress> addresses = EndpointsComputation.compute(service("web", false),
                List.of(named, otherSubdomain)).subsets().getFirst().getAddresses();
        assertThat(addresses).extracting(EndpointAddress::getHostname).containsExactly("db-0", null);
    }

    @Test
    void aHeadlessServiceWithoutPortsListsAddressesWithoutPorts() {
        Service headless = new ServiceBuilder(service("web", false)).editSpec().withClusterIP("None").withPorts()
                .endSpec().build();
        List<EndpointSubset> subsets = EndpointsComputation.compute(headless, List.of(pod("a", "10.42.0.2", true, 0)))
                .subsets();
        assertThat(subsets).hasSize(1);
        assertThat(subsets.getFirst().getPorts()).isNullOrEmpty();
        assertThat(ips(subsets.getFirst().getAddresses())).containsExactly("10.42.0.2");
    }

    @Test
    void moreThanAThousandAddressesAreTruncatedReadyFirst() {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            pods.add(pod("p" + i, "10.42." + (i / 250) + "." + (i % 250 + 1), i != 0, 8080));
        }
        EndpointsComputation.Subsets computed = EndpointsComputation.compute(service("web", false), pods);
        assertThat(computed.truncated()).isTrue();
        assertThat(computed.subsets().getFirst().getAddresses()).hasSize(1000);
        assertThat(computed.subsets().getFirst().getNotReadyAddresses()).isNullOrEmpty();
        assertThat(EndpointsComputation.compute(service("web", false), pods.subList(0, 1000)).truncated()).isFalse();
    }
}
