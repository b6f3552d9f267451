package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceEndpointsTest {
    private final Map<String, Service> services = new java.util.HashMap<>();
    private final List<EndpointSlice> slices = new ArrayList<>();
    private final ServiceEndpoints endpoints = new ServiceEndpoints((ns, name) -> services.get(ns + "/" + name),
            ns -> slices.stream().filter(s -> s.getMetadata().getNamespace().equals(ns)).toList());

    private static IngressRoutes.Backend backend(String service, Integer number, String name) {
        return new IngressRoutes.Backend("default/web", "default", service, number, name, null);
    }

    private void service(String name, int port, String portName) {
        services.put("default/" + name, new ServiceBuilder().withNewMetadata().withNamespace("default").withName(name)
                .endMetadata().withNewSpec().addNewPort().withName(portName).withPort(port).withProtocol("TCP")
                .endPort().endSpec().build());
    }

    private void slice(String name, String service, String portName, int port, Object... addressAndReady) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(name)
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName(portName).withPort(port).withProtocol("TCP").endPort();
        for (int i = 0; i < addressAndReady.length; i += 2) {
            b.addToEndpoints(new EndpointBuilder().withAddresses((String) addressAndReady[i])
                    .withNewConditions().withReady((Boolean) addressAndReady[i + 1]).endConditions().build());
        }
        slices.add(b.build());
    }

    @Test
    void roundRobinsOverTheReadyEndpointsOfTheServicePortsTargetPort() {
        service("web", 80, "http");
        slice("web-a", "web", "http", 8080, "10.42.0.5", true, "10.42.0.6", false);
        slice("web-b", "web", "http", 8080, "10.42.1.7", null);
        slice("other", "other", "http", 9999, "10.42.0.9", true);

        List<InetSocketAddress> picked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picked.add(((ServiceEndpoints.Target) endpoints.next(backend("web", 80, null))).address());
        }

        assertThat(picked).containsExactly(new InetSocketAddress("10.42.0.5", 8080), new InetSocketAddress("10.42.1.7", 8080),
                new InetSocketAddress("10.42.0.5", 8080), new InetSocketAddress("10.42.1.7", 8080));
    }

    @Test
    void findsTheServicePortByName() {
        service("web", 80, "http");
        slice("web-a", "web", "http", 8080, "10.42.0.5", true);

        assertThat(endpoints.next(backend("web", null, "http")))
                .isEqualTo(new ServiceEndpoints.Target(new InetSocketAddress("10.42.0.5", 8080), "service default/web port http"));
    }

    @Test
    void saysWhyThereIsNoEndpoint() {
        service("web", 80, "http");
        slice("web-a", "web", "http", 8080, "10.42.0.5", false);

        assertThat(message(endpoints.next(backend("web", 80, null)))).isEqualTo("no ready endpoints for service default/web port 80");
        assertThat(message(endpoints.next(backend("nope", 80, null)))).isEqualTo("service default/nope does not exist");
        assertThat(message(endpoints.next(backend("web", 81, null)))).isEqualTo("service default/web has no port numbered 81");
        assertThat(message(endpoints.next(backend("web", null, "grpc")))).isEqualTo("service default/web has no port named \"grpc\"");
        assertThat(message(endpoints.next(new IngressRoutes.Backend("default/web", "default", null, null, null,
                "resource backends (StorageBucket) are not supported")))).contains("StorageBucket");
    }

    @Test
    void ignoresSlicesOfAnotherPortName() {
        service("web", 80, "http");
        slice("web-metrics", "web", "metrics", 9090, "10.42.0.5", true);

        assertThat(endpoints.next(backend("web", 80, null))).isInstanceOf(ServiceEndpoints.Unavailable.class);
    }

    private static String message(ServiceEndpoints.Resolution r) {
        return ((ServiceEndpoints.Unavailable) r).message();
    }
}
