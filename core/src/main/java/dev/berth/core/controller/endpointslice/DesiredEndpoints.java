package dev.berth.core.controller.endpointslice;

import dev.berth.core.controller.endpoints.PodEndpoints;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The endpoints a Service should have, grouped by the ports they resolve to (a pure function).
 * Terminating pods stay, with ready=false (unless publishNotReadyAddresses), serving as their
 * Ready condition says and terminating=true.
 */
public final class DesiredEndpoints {
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    static final Comparator<EndpointPort> PORT_ORDER = Comparator
            .comparing((EndpointPort p) -> p.getName() == null ? "" : p.getName())
            .thenComparing(EndpointPort::getPort).thenComparing(EndpointPort::getProtocol);
    static final Comparator<Endpoint> ENDPOINT_ORDER = Comparator
            .comparing((Endpoint e) -> e.getAddresses().getFirst())
            .thenComparing(e -> e.getTargetRef() == null || e.getTargetRef().getUid() == null ? "" : e.getTargetRef().getUid());

    private DesiredEndpoints() {
    }

    /** Ports (sorted) to the endpoints with those ports (sorted by address). */
    public static Map<List<EndpointPort>, List<Endpoint>> compute(Service service, List<Pod> pods,
                                                                  Function<String, Node> nodes) {
        boolean publishNotReady = PodEndpoints.publishNotReadyAddresses(service);
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        Map<List<EndpointPort>, List<Endpoint>> out = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (!PodEndpoints.selects(service, pod) || !PodEndpoints.shouldBeEndpoint(pod, true)) {
                continue;
            }
            String ip = PodEndpoints.podIp(pod);
            if (ip.contains(":")) {
                continue;   // IPv4 slices only
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort sp : servicePorts) {
                OptionalInt port = PodEndpoints.findPort(pod, sp);
                if (port.isPresent()) {
                    ports.add(new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName())
                            .withPort(port.getAsInt()).withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol())
                            .withAppProtocol(sp.getAppProtocol()).build());
                }
            }
            if (!servicePorts.isEmpty() && ports.isEmpty()) {
                continue;
            }
            ports.sort(PORT_ORDER);
            boolean podReady = PodEndpoints.isReady(pod);
            boolean terminating = PodEndpoints.isTerminating(pod);
            boolean ready = publishNotReady || (podReady && !terminating);
            boolean serving = publishNotReady || podReady;
            String nodeName = PodEndpoints.nodeName(pod);
            Node node = nodeName == null ? null : nodes.apply(nodeName);
            String zone = node == null || node.getMetadata().getLabels() == null ? null
                    : node.getMetadata().getLabels().get(ZONE_LABEL);
            Endpoint endpoint = new EndpointBuilder()
                    .withAddresses(ip)
                    .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions()
                    .withHostname(PodEndpoints.hostname(pod, service))
                    .withTargetRef(PodEndpoints.targetRef(pod))
                    .withNodeName(nodeName)
                    .withZone(zone)
                    .build();
            out.computeIfAbsent(List.copyOf(ports), k -> new ArrayList<>()).add(endpoint);
        }
        out.values().forEach(l -> l.sort(ENDPOINT_ORDER));
        return out;
    }

    /** What identifies one endpoint across slices: its pod, or its address when it has none. */
    static String identity(Endpoint e) {
        return e.getTargetRef() != null && e.getTargetRef().getUid() != null ? e.getTargetRef().getUid()
                : e.getAddresses().getFirst();
    }
}
