package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Turns an Ingress backend into the address of one ready endpoint: the Service port by number or
 * name, then the EndpointSlices of the Service (label {@value #SERVICE_NAME_LABEL}) for the port of
 * the same name, ready endpoints only ({@code conditions.ready} unset counts as ready, as the API
 * says), round robin across them. The proxy connects straight to {@code podIP:targetPort}.
 */
public final class ServiceEndpoints {
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** The outcome of a lookup: an address, or why there is none. */
    public sealed interface Resolution permits Target, Unavailable {
    }

    /** One endpoint to connect to, and the Service port it stands for. */
    public record Target(InetSocketAddress address, String service) implements Resolution {
    }

    /** No endpoint: the message says why (answered as 503 Service Unavailable). */
    public record Unavailable(String message) implements Resolution {
    }

    private final BiFunction<String, String, Service> services;
    private final Function<String, List<EndpointSlice>> slicesInNamespace;
    private final Map<String, AtomicInteger> cursors = new ConcurrentHashMap<>();

    /**
     * @param services          the Service of a namespace and name, or null
     * @param slicesInNamespace every EndpointSlice of a namespace
     */
    public ServiceEndpoints(BiFunction<String, String, Service> services,
                            Function<String, List<EndpointSlice>> slicesInNamespace) {
        this.services = Objects.requireNonNull(services, "services");
        this.slicesInNamespace = Objects.requireNonNull(slicesInNamespace, "slicesInNamespace");
    }

    /** The next ready endpoint of {@code backend}, round robin. */
    public Resolution next(IngressRoutes.Backend backend) {
        if (backend.unsupported() != null) return new Unavailable(backend.unsupported());
        String ns = backend.namespace();
        String what = "service " + ns + "/" + backend.service() + " port " + backend.port();
        Service svc = services.apply(ns, backend.service());
        if (svc == null) return new Unavailable("service " + ns + "/" + backend.service() + " does not exist");
        ServicePort port = servicePort(svc, backend);
        if (port == null) {
            return new Unavailable("service " + ns + "/" + backend.service() + " has no port "
                    + (backend.portNumber() != null ? "numbered " + backend.portNumber() : "named \"" + backend.portName() + "\""));
        }
        if (port.getProtocol() != null && !"TCP".equals(port.getProtocol())) {
            return new Unavailable(what + " is " + port.getProtocol() + ", not TCP");
        }
        List<InetSocketAddress> ready = readyEndpoints(ns, backend.service(), port.getName());
        if (ready.isEmpty()) return new Unavailable("no ready endpoints for " + what);
        int i = Math.floorMod(cursors.computeIfAbsent(ns + "/" + backend.service() + ":" + backend.port(),
                k -> new AtomicInteger()).getAndIncrement(), ready.size());
        return new Target(ready.get(i), what);
    }

    private static ServicePort servicePort(Service svc, IngressRoutes.Backend backend) {
        if (svc.getSpec() == null || svc.getSpec().getPorts() == null) return null;
        for (ServicePort p : svc.getSpec().getPorts()) {
            if (backend.portNumber() != null && backend.portNumber().equals(p.getPort())) return p;
            if (backend.portName() != null && backend.portName().equals(p.getName())) return p;
        }
        return null;
    }

    /** Ready addresses of the Service's port, in a stable order (slices by name, endpoints as listed). */
    List<InetSocketAddress> readyEndpoints(String namespace, String service, String portName) {
        String wantedPort = portName == null ? "" : portName;
        List<EndpointSlice> slices = new ArrayList<>();
        for (EndpointSlice s : slicesInNamespace.apply(namespace)) {
            Map<String, String> labels = s.getMetadata().getLabels();
            if (labels != null && service.equals(labels.get(SERVICE_NAME_LABEL))) slices.add(s);
        }
        slices.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (EndpointSlice s : slices) {
            if (s.getAddressType() != null && !"IPv4".equals(s.getAddressType()) && !"IPv6".equals(s.getAddressType())) {
                continue;   // FQDN slices name hosts, not addresses
            }
            Integer number = null;
            for (EndpointPort p : s.getPorts() == null ? List.<EndpointPort>of() : s.getPorts()) {
                String name = p.getName() == null ? "" : p.getName();
                boolean tcp = p.getProtocol() == null || "TCP".equals(p.getProtocol());
                if (name.equals(wantedPort) && tcp && p.getPort() != null) number = p.getPort();
            }
            if (number == null || s.getEndpoints() == null) continue;
            for (Endpoint e : s.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                        || e.getConditions().getReady();
                if (!ready || e.getAddresses() == null || e.getAddresses().isEmpty()) continue;
                try {
                    out.add(new InetSocketAddress(InetAddress.ofLiteral(e.getAddresses().getFirst()), number));
                } catch (IllegalArgumentException bad) {
                    // not an IP literal: the API validates addresses, so skip what cannot be dialled
                }
            }
        }
        return List.copyOf(out);
    }
}
