package dev.berth.core.controller.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The subsets of a Service's Endpoints, computed from the pods it selects (a pure function).
 * Addresses with the same resolved ports share a subset, so pods whose named target port resolves
 * to different numbers end up in different subsets; ready pods (or every pod, with
 * publishNotReadyAddresses) go to {@code addresses}, others to {@code notReadyAddresses}. At most
 * {@link #MAX_CAPACITY} addresses are kept, ready ones first.
 */
public final class EndpointsComputation {
    /** As Kubernetes: beyond this many addresses an Endpoints is truncated and marked over capacity. */
    public static final int MAX_CAPACITY = 1000;

    private EndpointsComputation() {
    }

    /** The subsets, and whether addresses had to be dropped to stay within {@link #MAX_CAPACITY}. */
    public record Subsets(List<EndpointSubset> subsets, boolean truncated) {
    }

    public static Subsets compute(Service service, List<Pod> pods) {
        boolean tolerateUnready = PodEndpoints.publishNotReadyAddresses(service);
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        // ports (in service order) -> ready and not-ready addresses
        Map<List<EndpointPort>, List<EndpointAddress>> ready = new LinkedHashMap<>();
        Map<List<EndpointPort>, List<EndpointAddress>> notReady = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (!PodEndpoints.selects(service, pod) || !PodEndpoints.shouldBeEndpoint(pod, tolerateUnready)) {
                continue;
            }
            EndpointAddress address = new EndpointAddressBuilder()
                    .withIp(PodEndpoints.podIp(pod))
                    .withHostname(PodEndpoints.hostname(pod, service))
                    .withNodeName(PodEndpoints.nodeName(pod))
                    .withTargetRef(PodEndpoints.targetRef(pod))
                    .build();
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort sp : servicePorts) {
                OptionalInt port = PodEndpoints.findPort(pod, sp);
                if (port.isEmpty()) {
                    continue;   // this pod has no port of that name: it serves the others only
                }
                ports.add(new EndpointPortBuilder().withName(sp.getName()).withPort(port.getAsInt())
                        .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol())
                        .withAppProtocol(sp.getAppProtocol()).build());
            }
            if (!servicePorts.isEmpty() && ports.isEmpty()) {
                continue;
            }
            ports.sort(PORT_ORDER);
            boolean isReady = tolerateUnready || PodEndpoints.isReady(pod);
            (isReady ? ready : notReady).computeIfAbsent(List.copyOf(ports), k -> new ArrayList<>()).add(address);
        }
        int budget = MAX_CAPACITY;
        boolean truncated = false;
        Map<List<EndpointPort>, List<EndpointAddress>> keptReady = new LinkedHashMap<>();
        Map<List<EndpointPort>, List<EndpointAddress>> keptNotReady = new LinkedHashMap<>();
        for (var pass : List.of(Map.entry(ready, keptReady), Map.entry(notReady, keptNotReady))) {
            for (var e : pass.getKey().entrySet()) {
                List<EndpointAddress> addresses = new ArrayList<>(e.getValue());
                addresses.sort(ADDRESS_ORDER);
                if (addresses.size() > budget) {
                    addresses = addresses.subList(0, budget);
                    truncated = true;
                }
                budget -= addresses.size();
                if (!addresses.isEmpty()) {
                    pass.getValue().put(e.getKey(), addresses);
                }
            }
        }
        List<List<EndpointPort>> keys = new ArrayList<>(keptReady.keySet());
        keptNotReady.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        keys.sort(Comparator.comparing(EndpointsComputation::describe));
        List<EndpointSubset> subsets = new ArrayList<>();
        for (List<EndpointPort> ports : keys) {
            EndpointSubsetBuilder b = new EndpointSubsetBuilder();
            if (keptReady.containsKey(ports)) {
                b.withAddresses(keptReady.get(ports));
            }
            if (keptNotReady.containsKey(ports)) {
                b.withNotReadyAddresses(keptNotReady.get(ports));
            }
            if (!ports.isEmpty()) {
                b.withPorts(ports);
            }
            subsets.add(b.build());
        }
        return new Subsets(subsets, truncated);
    }

    private static final Comparator<EndpointPort> PORT_ORDER = Comparator
            .comparing((EndpointPort p) -> p.getName() == null ? "" : p.getName())
            .thenComparing(EndpointPort::getPort).thenComparing(EndpointPort::getProtocol);

    private static final Comparator<EndpointAddress> ADDRESS_ORDER = Comparator
            .comparing(EndpointAddress::getIp)
            .thenComparing(a -> a.getTargetRef() == null || a.getTargetRef().getUid() == null ? "" : a.getTargetRef().getUid());

    private static String describe(List<EndpointPort> ports) {
        StringBuilder s = new StringBuilder();
        for (EndpointPort p : ports) {
            s.append(p.getName()).append(':').append(p.getPort()).append('/').append(p.getProtocol()).append(',');
        }
        return s.toString();
    }
}
