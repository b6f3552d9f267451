package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.HostPort;
import dev.berth.agent.proxy.ProxyTable.Protocol;
import dev.berth.agent.proxy.ProxyTable.ServicePort;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pure model of the service proxy: Services, EndpointSlices and this node's Pods in, the
 * {@link ProxyTable} out. It follows kube-proxy:
 * <ul>
 *   <li>Services of type ExternalName and headless Services (clusterIP None) get no rules; only
 *       IPv4 cluster IPs are programmed.</li>
 *   <li>Endpoints come from the IPv4 EndpointSlices labelled {@code kubernetes.io/service-name};
 *       an endpoint's port is the slice port with the Service port's name and protocol, which is
 *       how a targetPort given by name reaches the proxy already resolved. Only the first address
 *       of an endpoint counts.</li>
 *   <li>Traffic goes to ready endpoints (a missing {@code conditions.ready} means ready); when
 *       there are none, to endpoints that are serving and terminating; with none of those either,
 *       connections are rejected.</li>
 *   <li>sessionAffinity ClientIP keeps a client on one endpoint for
 *       {@code sessionAffinityConfig.clientIP.timeoutSeconds} (default 10800).</li>
 *   <li>The cluster DNS Service {@code kube-system/kube-dns} at the node's cluster DNS address has
 *       its port 53 (UDP and TCP) answered by the node-local DNS server, whatever its endpoints,
 *       and the cluster DNS address answers on port 53 even before that Service is seen.</li>
 *   <li>Pods on this node that are not finished and have an IP publish their
 *       {@code ports[].hostPort} (not for hostNetwork pods, whose ports are the node's own).</li>
 * </ul>
 */
public final class ProxyModel {
    /** The label linking an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** kube-proxy's default ClientIP affinity timeout (3 hours). */
    public static final int DEFAULT_AFFINITY_SECONDS = 10800;
    static final String DNS_NAMESPACE = "kube-system";
    static final String DNS_SERVICE = "kube-dns";
    static final int DNS_PORT = 53;

    private static final Logger log = LoggerFactory.getLogger(ProxyModel.class);

    /**
     * What the model needs to know about the node.
     *
     * @param nodeName   this node's name (hostPorts are those of the pods bound here)
     * @param clusterDns the cluster DNS address pods use
     * @param dnsTarget  where this node's DNS server listens (the pod network gateway), port 53
     */
    public record Settings(String nodeName, String clusterDns, String dnsTarget) {
        public Settings {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(clusterDns, "clusterDns");
            Objects.requireNonNull(dnsTarget, "dnsTarget");
        }
    }

    private ProxyModel() {
    }

    /** The proxy table for {@code services}, {@code slices} and {@code pods} (pods of other nodes are ignored). */
    public static ProxyTable compute(Settings settings, List<Service> services, List<EndpointSlice> slices, List<Pod> pods) {
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice slice : slices) {
            if (slice.getMetadata() == null || !"IPv4".equals(slice.getAddressType())) continue;
            Map<String, String> labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service == null || service.isEmpty()) continue;
            slicesByService.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service, k -> new ArrayList<>())
                    .add(slice);
        }
        List<ServicePort> ports = new ArrayList<>();
        boolean dnsServiceSeen = false;
        for (Service service : services) {
            List<ServicePort> of = servicePorts(settings, service,
                    slicesByService.getOrDefault(key(service), List.of()));
            ports.addAll(of);
            dnsServiceSeen |= of.stream().anyMatch(ServicePort::nodeLocalDns);
        }
        if (!dnsServiceSeen) {
            // pods are told to ask the cluster DNS address from their first start: answer it before kube-dns is seen
            List<Endpoint> local = List.of(new Endpoint(settings.dnsTarget(), DNS_PORT));
            ports.add(new ServicePort(DNS_NAMESPACE, DNS_SERVICE, "dns", Protocol.UDP, settings.clusterDns(), DNS_PORT, 0,
                    List.of(), 0, local, true));
            ports.add(new ServicePort(DNS_NAMESPACE, DNS_SERVICE, "dns-tcp", Protocol.TCP, settings.clusterDns(), DNS_PORT,
                    0, List.of(), 0, local, true));
        }
        ports.sort(Comparator.comparing(ServicePort::namespace).thenComparing(ServicePort::name)
                .thenComparing(ServicePort::portName).thenComparing(ServicePort::protocol)
                .thenComparing(ServicePort::port));
        return new ProxyTable(ports, hostPorts(settings, pods));
    }

    /** The ports of one Service with their endpoints; none for ExternalName and headless Services. */
    static List<ServicePort> servicePorts(Settings settings, Service service, List<EndpointSlice> slices) {
        ServiceSpec spec = service.getSpec();
        if (spec == null || service.getMetadata() == null || spec.getPorts() == null) return List.of();
        if ("ExternalName".equals(spec.getType())) return List.of();
        String clusterIp = ipv4ClusterIp(spec);
        if (clusterIp == null) return List.of();
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        boolean dnsService = DNS_NAMESPACE.equals(namespace) && DNS_SERVICE.equals(name)
                && clusterIp.equals(settings.clusterDns());
        int affinity = 0;
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            affinity = DEFAULT_AFFINITY_SECONDS;
            if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                    && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
                int t = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
                if (t >= 1 && t <= 86400) {
                    affinity = t;
                } else {
                    log.warn("service {}/{}: spec.sessionAffinityConfig.clientIP.timeoutSeconds {} must be between 1 and"
                            + " 86400; using {}", namespace, name, t, DEFAULT_AFFINITY_SECONDS);
                }
            }
        }
        boolean nodePorts = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType());
        List<String> externalIps = spec.getExternalIPs() == null ? List.of()
                : spec.getExternalIPs().stream().filter(ProxyModel::isIpv4).distinct().sorted().toList();
        List<ServicePort> out = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.ServicePort p : spec.getPorts()) {
            if (p.getPort() == null || p.getPort() < 1 || p.getPort() > 65535) continue;
            Protocol protocol;
            try {
                protocol = Protocol.of(p.getProtocol());
            } catch (IllegalArgumentException e) {
                log.warn("service {}/{}: spec.ports[{}].{}; the port is skipped", namespace, name,
                        p.getName() == null ? "" : p.getName(), e.getMessage());
                continue;
            }
            String portName = p.getName() == null ? "" : p.getName();
            int nodePort = nodePorts && p.getNodePort() != null && p.getNodePort() > 0 ? p.getNodePort() : 0;
            boolean localDns = dnsService && p.getPort() == DNS_PORT && protocol != Protocol.SCTP;
            List<Endpoint> endpoints = localDns ? List.of(new Endpoint(settings.dnsTarget(), DNS_PORT))
                    : endpoints(slices, portName, protocol);
            out.add(new ServicePort(namespace, name, portName, protocol, clusterIp, p.getPort(), nodePort, externalIps,
                    affinity, endpoints, localDns));
        }
        return out;
    }

    /**
     * The endpoints traffic to one Service port goes to: the ready ones, else the serving and
     * terminating ones (kube-proxy's fallback while a rollout replaces every pod), sorted, each
     * address and port once.
     */
    static List<Endpoint> endpoints(List<EndpointSlice> slices, String portName, Protocol protocol) {
        Set<Endpoint> ready = new TreeSet<>();
        Set<Endpoint> servingTerminating = new TreeSet<>();
        for (EndpointSlice slice : slices) {
            Integer port = null;
            if (slice.getPorts() != null) {
                for (EndpointPort p : slice.getPorts()) {
                    String n = p.getName() == null ? "" : p.getName();
                    Protocol pp;
                    try {
                        pp = Protocol.of(p.getProtocol());
                    } catch (IllegalArgumentException e) {
                        continue;
                    }
                    if (n.equals(portName) && pp == protocol && p.getPort() != null) {
                        port = p.getPort();
                        break;
                    }
                }
            }
            if (port == null || port < 1 || port > 65535 || slice.getEndpoints() == null) continue;
            for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
                if (e.getAddresses() == null || e.getAddresses().isEmpty() || !isIpv4(e.getAddresses().getFirst())) continue;
                EndpointConditions c = e.getConditions();
                boolean isReady = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? isReady : c.getServing();
                boolean terminating = c != null && c.getTerminating() != null && c.getTerminating();
                Endpoint endpoint = new Endpoint(e.getAddresses().getFirst(), port);
                if (isReady) {
                    ready.add(endpoint);
                } else if (serving && terminating) {
                    servingTerminating.add(endpoint);
                }
            }
        }
        return List.copyOf(ready.isEmpty() ? servingTerminating : ready);
    }

    /** The hostPorts of running pods bound to this node, one per host address, port and protocol. */
    static List<HostPort> hostPorts(Settings settings, List<Pod> pods) {
        Map<String, HostPort> byPort = new LinkedHashMap<>();
        List<Pod> sorted = pods.stream()
                .filter(p -> p.getSpec() != null && settings.nodeName().equals(p.getSpec().getNodeName()))
                .sorted(Comparator.comparing(ProxyModel::key)).toList();
        for (Pod pod : sorted) {
            if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) || pod.getStatus() == null) continue;
            String phase = pod.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) continue;
            String podIp = pod.getStatus().getPodIP();
            if (podIp == null || !isIpv4(podIp)) continue;
            List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
            for (Container c : containers) {
                if (c.getPorts() == null) continue;
                for (ContainerPort p : c.getPorts()) {
                    if (p.getHostPort() == null || p.getHostPort() < 1 || p.getHostPort() > 65535
                            || p.getContainerPort() == null || p.getContainerPort() < 1) continue;
                    Protocol protocol;
                    try {
                        protocol = Protocol.of(p.getProtocol());
                    } catch (IllegalArgumentException e) {
                        continue;
                    }
                    String hostIp = p.getHostIP() == null || p.getHostIP().isEmpty() || "0.0.0.0".equals(p.getHostIP())
                            ? "" : p.getHostIP();
                    if (!hostIp.isEmpty() && !isIpv4(hostIp)) continue;
                    String slot = hostIp + "|" + p.getHostPort() + "|" + protocol;
                    HostPort hp = new HostPort(key(pod), hostIp, p.getHostPort(), protocol, podIp, p.getContainerPort());
                    HostPort earlier = byPort.putIfAbsent(slot, hp);
                    if (earlier != null && !earlier.pod().equals(hp.pod())) {
                        log.warn("pod {}: hostPort {}/{} is already taken by pod {}; not published", hp.pod(),
                                p.getHostPort(), protocol, earlier.pod());
                    }
                }
            }
        }
        List<HostPort> out = new ArrayList<>(byPort.values());
        out.sort(Comparator.comparingInt(HostPort::hostPort).thenComparing(HostPort::protocol)
                .thenComparing(HostPort::hostIp));
        return out;
    }

    private static String ipv4ClusterIp(ServiceSpec spec) {
        List<String> candidates = new ArrayList<>();
        if (spec.getClusterIPs() != null) candidates.addAll(spec.getClusterIPs());
        if (spec.getClusterIP() != null) candidates.add(spec.getClusterIP());
        for (String ip : candidates) {
            if ("None".equals(ip)) return null;
            if (isIpv4(ip)) return ip;
        }
        return null;
    }

    private static String key(io.fabric8.kubernetes.api.model.HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** Whether {@code s} is a dotted-quad IPv4 address. */
    static boolean isIpv4(String s) {
        return ipv4Value(s) >= 0;
    }

    /** The value of a dotted-quad IPv4 address, or -1 when {@code s} is not one. */
    static long ipv4Value(String s) {
        if (s == null) return -1;
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return -1;
        long v = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) return -1;
            int b = Integer.parseInt(part);
            if (b > 255) return -1;
            v = v << 8 | b;
        }
        return v;
    }
}
