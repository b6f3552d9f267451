package dev.berth.agent.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;

import java.util.List;

/** Informer stores (fabric8's own cache) with Services, EndpointSlices and Pods, and builders for them. */
final class Cluster {
    final CacheImpl<Service> services = new CacheImpl<>();
    final CacheImpl<EndpointSlice> slices = new CacheImpl<>();
    final CacheImpl<Pod> pods = new CacheImpl<>();
    volatile boolean synced = true;
    final IndexedClusterView view = new IndexedClusterView(services, slices, pods, () -> synced);

    Cluster add(Service s) {
        services.put(s);
        return this;
    }

    Cluster add(EndpointSlice s) {
        slices.put(s);
        return this;
    }

    Cluster add(Pod p) {
        pods.put(p);
        return this;
    }

    static ServicePort port(String name, int port, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
    }

    static Service clusterIp(String namespace, String name, String ip, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip).withClusterIPs(ip).withPorts(ports).endSpec().build();
    }

    static Service headless(String namespace, String name, boolean publishNotReady, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("None").withClusterIPs("None")
                .withPublishNotReadyAddresses(publishNotReady).withPorts(ports).endSpec().build();
    }

    static Service externalName(String namespace, String name, String target) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName(target).endSpec().build();
    }

    static EndpointPort slicePort(String name, int port, String protocol) {
        return new EndpointPortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
    }

    static Endpoint endpoint(String ip, Boolean ready, String hostname) {
        return new EndpointBuilder().withAddresses(ip).withHostname(hostname).withNewConditions().withReady(ready)
                .endConditions().build();
    }

    static EndpointSlice slice(String namespace, String service, String name, List<EndpointPort> ports, Endpoint... endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .addToLabels(IndexedClusterView.SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType("IPv4").withPorts(ports).withEndpoints(endpoints).build();
    }

    static Pod pod(String namespace, String name, String ip) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().endSpec().withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip).endPodIP()
                .endStatus().build();
    }
}
