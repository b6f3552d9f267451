package dev.berth.agent.proxy;

import java.util.List;
import java.util.Objects;

/**
 * What the node's Services lead to, as computed by {@link ProxyModel}: one entry per Service port
 * that has a virtual IP, and one per hostPort of a pod on this node. Values only; equal tables
 * program equal rules.
 *
 * @param services  Service ports, sorted by namespace, name, port name and protocol
 * @param hostPorts hostPorts of this node's pods, sorted by host port and protocol
 */
public record ProxyTable(List<ServicePort> services, List<HostPort> hostPorts) {
    public static final ProxyTable EMPTY = new ProxyTable(List.of(), List.of());

    public ProxyTable {
        services = List.copyOf(services);
        hostPorts = List.copyOf(hostPorts);
    }

    /** A transport protocol, as iptables names it. */
    public enum Protocol {
        TCP, UDP, SCTP;

        /** The name iptables uses ({@code tcp}, {@code udp}, {@code sctp}). */
        public String iptables() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Kubernetes' protocol name; null or empty is TCP, as the API defaults it. */
        public static Protocol of(String kubernetes) {
            if (kubernetes == null || kubernetes.isEmpty()) return TCP;
            for (Protocol p : values()) {
                if (p.name().equals(kubernetes)) return p;
            }
            throw new IllegalArgumentException("protocol \"" + kubernetes + "\" must be one of TCP, UDP, SCTP");
        }
    }

    /** One address traffic is sent to. */
    public record Endpoint(String ip, int port) implements Comparable<Endpoint> {
        public Endpoint {
            Objects.requireNonNull(ip, "ip");
        }

        @Override
        public int compareTo(Endpoint o) {
            int c = Long.compare(ProxyModel.ipv4Value(ip), ProxyModel.ipv4Value(o.ip));
            return c != 0 ? c : Integer.compare(port, o.port);
        }

        @Override
        public String toString() {
            return ip + ":" + port;
        }
    }

    /**
     * One port of a Service with a virtual IP.
     *
     * @param namespace              the Service's namespace
     * @param name                   the Service's name
     * @param portName               the port's name ("" when the Service has one unnamed port)
     * @param protocol               the port's protocol
     * @param clusterIp              the IPv4 cluster IP
     * @param port                   the port on the cluster IP
     * @param nodePort               the NodePort, or 0
     * @param externalIps            spec.externalIPs (IPv4), answered like the cluster IP
     * @param affinitySeconds        ClientIP session affinity timeout, or 0 for none
     * @param endpoints              where connections go: ready endpoints, else serving terminating ones;
     *                               empty means connections are rejected
     * @param nodeLocalDns           true for the cluster DNS ports, answered by this node's DNS server
     */
    public record ServicePort(String namespace, String name, String portName, Protocol protocol, String clusterIp,
                              int port, int nodePort, List<String> externalIps, int affinitySeconds,
                              List<Endpoint> endpoints, boolean nodeLocalDns) {
        public ServicePort {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(portName, "portName");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(clusterIp, "clusterIp");
            externalIps = List.copyOf(externalIps);
            endpoints = List.copyOf(endpoints);
        }

        /** {@code namespace/name:port}, as kube-proxy names a service port in its rule comments. */
        public String key() {
            return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
        }
    }

    /**
     * A hostPort of a pod on this node: traffic to the node's addresses (or {@code hostIp}) at
     * {@code hostPort} goes to the pod.
     *
     * @param pod           {@code namespace/name} of the pod
     * @param hostIp        the address the port is bound to, or "" for every address of the node
     * @param hostPort      the port on the node
     * @param protocol      the protocol
     * @param podIp         the pod's IP
     * @param containerPort the container's port
     */
    public record HostPort(String pod, String hostIp, int hostPort, Protocol protocol, String podIp, int containerPort) {
        public HostPort {
            Objects.requireNonNull(pod, "pod");
            Objects.requireNonNull(hostIp, "hostIp");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(podIp, "podIp");
        }
    }
}
