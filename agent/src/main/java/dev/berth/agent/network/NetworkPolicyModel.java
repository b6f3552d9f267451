package dev.berth.agent.network;

import dev.berth.core.api.labels.LabelSelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The pure model of NetworkPolicy (networking.k8s.io/v1) on one node: policies, pods and
 * namespaces in, for each pod of this node what it may receive and send. It follows Kubernetes:
 * <ul>
 *   <li>A pod is isolated for ingress (egress) when a policy of its namespace selects it by
 *       {@code podSelector} and lists {@code Ingress} ({@code Egress}) in {@code policyTypes}; an
 *       absent policyTypes means Ingress, plus Egress when the policy has egress rules. An
 *       isolated pod is allowed only what the union of the rules of the policies selecting it
 *       allow; a pod no policy isolates is allowed everything in that direction.</li>
 *   <li>A rule without peers allows every peer; without ports, every port. A peer is an
 *       {@code ipBlock} (a CIDR less its {@code except} CIDRs), or pods: {@code podSelector} alone
 *       picks pods of the policy's namespace, {@code namespaceSelector} alone every pod of the
 *       matching namespaces, both together the matching pods of the matching namespaces.</li>
 *   <li>A port is a number (with {@code endPort}: a range), a name (resolved on the pod receiving
 *       the traffic: the selected pod for ingress, each destination pod for egress; a name no such
 *       pod has matches nothing), or absent (every port of the protocol). The protocol defaults to
 *       TCP.</li>
 *   <li>Only running pods with an IPv4 address that are not on the host network count, as
 *       selected pods and as peers.</li>
 * </ul>
 */
public final class NetworkPolicyModel {
    private static final Logger log = LoggerFactory.getLogger(NetworkPolicyModel.class);

    private NetworkPolicyModel() {
    }

    /** Who may talk to the pod, or to whom the pod may talk: a CIDR less its exceptions; null in an {@link Allow} means anyone. */
    public record Peer(String cidr, List<String> except) {
        public Peer {
            Objects.requireNonNull(cidr, "cidr");
            except = List.copyOf(except);
        }
    }

    /**
     * A port or port range of a protocol; {@code port} 0 means every port of it, {@code endPort} 0
     * means the single port.
     */
    public record Port(String protocol, int port, int endPort) {
        public Port {
            Objects.requireNonNull(protocol, "protocol");
        }
    }

    /** One thing allowed: from (ingress) or to (egress) {@code peer}, on {@code port}; null is "any". */
    public record Allow(Peer peer, Port port) {
    }

    /**
     * What one pod of this node may receive and send.
     *
     * @param pod             {@code namespace/name}
     * @param ip              the pod's IPv4 address
     * @param ingressIsolated whether a policy isolates it for ingress
     * @param ingress         what it may receive when isolated
     * @param egressIsolated  whether a policy isolates it for egress
     * @param egress          what it may send when isolated
     */
    public record PodPolicy(String pod, String ip, boolean ingressIsolated, List<Allow> ingress, boolean egressIsolated,
                            List<Allow> egress) {
        public PodPolicy {
            ingress = List.copyOf(ingress);
            egress = List.copyOf(egress);
        }
    }

    /** The policies of the pods on {@code nodeName} that some policy isolates, sorted by pod. */
    public static List<PodPolicy> compute(String nodeName, List<NetworkPolicy> policies, List<Pod> pods,
                                          List<Namespace> namespaces) {
        List<Pod> live = pods.stream().filter(NetworkPolicyModel::counts).toList();
        Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
        for (Namespace ns : namespaces) {
            if (ns.getMetadata() == null) continue;
            namespaceLabels.put(ns.getMetadata().getName(), labels(ns.getMetadata().getLabels()));
        }
        Map<String, Pod> byIp = new HashMap<>();
        for (Pod p : live) byIp.put(p.getStatus().getPodIP(), p);

        List<PodPolicy> out = new ArrayList<>();
        List<Pod> local = live.stream().filter(p -> nodeName.equals(p.getSpec().getNodeName()))
                .sorted(Comparator.comparing(NetworkPolicyModel::key)).toList();
        for (Pod pod : local) {
            boolean ingressIsolated = false;
            boolean egressIsolated = false;
            Set<Allow> ingress = new LinkedHashSet<>();
            Set<Allow> egress = new LinkedHashSet<>();
            for (NetworkPolicy np : policies) {
                if (np.getMetadata() == null || np.getSpec() == null) continue;
                if (!pod.getMetadata().getNamespace().equals(np.getMetadata().getNamespace())) continue;
                NetworkPolicySpec spec = np.getSpec();
                LabelSelector selector;
                try {
                    selector = LabelSelector.from(spec.getPodSelector() == null
                            ? new io.fabric8.kubernetes.api.model.LabelSelector() : spec.getPodSelector());
                } catch (RuntimeException e) {
                    log.warn("networkpolicy {}: spec.podSelector: {}; the policy is skipped", key(np), e.getMessage());
                    continue;
                }
                if (!selector.matches(labels(pod.getMetadata().getLabels()))) continue;
                List<String> types = policyTypes(spec);
                String ns = np.getMetadata().getNamespace();
                if (types.contains("Ingress")) {
                    ingressIsolated = true;
                    for (NetworkPolicyIngressRule rule : nonNull(spec.getIngress())) {
                        allow(ingress, ns, rule.getFrom(), rule.getPorts(), pod, live, namespaceLabels, byIp, true, np);
                    }
                }
                if (types.contains("Egress")) {
                    egressIsolated = true;
                    for (NetworkPolicyEgressRule rule : nonNull(spec.getEgress())) {
                        allow(egress, ns, rule.getTo(), rule.getPorts(), pod, live, namespaceLabels, byIp, false, np);
                    }
                }
            }
            if (ingressIsolated || egressIsolated) {
                out.add(new PodPolicy(key(pod), pod.getStatus().getPodIP(), ingressIsolated, List.copyOf(ingress),
                        egressIsolated, List.copyOf(egress)));
            }
        }
        return out;
    }

    /** {@code spec.policyTypes}, or Kubernetes' default when it is absent. */
    static List<String> policyTypes(NetworkPolicySpec spec) {
        if (spec.getPolicyTypes() != null && !spec.getPolicyTypes().isEmpty()) return spec.getPolicyTypes();
        return spec.getEgress() != null && !spec.getEgress().isEmpty() ? List.of("Ingress", "Egress") : List.of("Ingress");
    }

    private static void allow(Set<Allow> into, String policyNamespace, List<NetworkPolicyPeer> peers,
                              List<NetworkPolicyPort> ports, Pod target, List<Pod> live,
                              Map<String, Map<String, String>> namespaceLabels, Map<String, Pod> byIp, boolean ingress,
                              NetworkPolicy np) {
        // peers: null in the list means anyone
        List<Peer> resolvedPeers = new ArrayList<>();
        if (peers == null || peers.isEmpty()) {
            resolvedPeers.add(null);
        } else {
            for (NetworkPolicyPeer peer : peers) {
                try {
                    resolvedPeers.addAll(peers(peer, policyNamespace, live, namespaceLabels));
                } catch (RuntimeException e) {
                    log.warn("networkpolicy {}: a peer's selector: {}; the peer is skipped", key(np), e.getMessage());
                }
            }
        }
        List<NetworkPolicyPort> portList = ports == null || ports.isEmpty() ? java.util.Collections.singletonList(null) : ports;
        for (NetworkPolicyPort p : portList) {
            if (p == null) {
                for (Peer peer : resolvedPeers) into.add(new Allow(peer, null));
                continue;
            }
            String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
            IntOrString port = p.getPort();
            if (port == null) {
                for (Peer peer : resolvedPeers) into.add(new Allow(peer, new Port(protocol, 0, 0)));
            } else if (port.getStrVal() == null && port.getIntVal() != null) {
                int end = p.getEndPort() != null && p.getEndPort() > port.getIntVal() ? p.getEndPort() : 0;
                for (Peer peer : resolvedPeers) into.add(new Allow(peer, new Port(protocol, port.getIntVal(), end)));
            } else if (ingress) {
                // a named port is the selected pod's own
                Integer number = namedPort(target, port.getStrVal(), protocol);
                if (number == null) continue;
                for (Peer peer : resolvedPeers) into.add(new Allow(peer, new Port(protocol, number, 0)));
            } else {
                // egress: the name is resolved on each destination pod
                for (Peer peer : resolvedPeers) {
                    List<Pod> destinations;
                    if (peer == null) {
                        destinations = live;
                    } else if (peer.except().isEmpty() && peer.cidr().endsWith("/32") && byIp.containsKey(ip(peer))) {
                        destinations = List.of(byIp.get(ip(peer)));
                    } else {
                        continue;
                    }
                    for (Pod d : destinations) {
                        Integer number = namedPort(d, port.getStrVal(), protocol);
                        if (number != null) {
                            into.add(new Allow(new Peer(d.getStatus().getPodIP() + "/32", List.of()),
                                    new Port(protocol, number, 0)));
                        }
                    }
                }
            }
        }
    }

    private static String ip(Peer peer) {
        return peer.cidr().substring(0, peer.cidr().indexOf('/'));
    }

    private static List<Peer> peers(NetworkPolicyPeer peer, String policyNamespace, List<Pod> live,
                                    Map<String, Map<String, String>> namespaceLabels) {
        IPBlock block = peer.getIpBlock();
        if (block != null) {
            if (block.getCidr() == null || block.getCidr().contains(":")) return List.of();
            List<String> except = block.getExcept() == null ? List.of()
                    : block.getExcept().stream().filter(e -> !e.contains(":")).toList();
            return List.of(new Peer(block.getCidr(), except));
        }
        if (peer.getPodSelector() == null && peer.getNamespaceSelector() == null) return List.of();
        LabelSelector pods = peer.getPodSelector() == null ? LabelSelector.everything() : LabelSelector.from(peer.getPodSelector());
        LabelSelector namespaces = peer.getNamespaceSelector() == null ? null : LabelSelector.from(peer.getNamespaceSelector());
        List<Peer> out = new ArrayList<>();
        for (Pod p : live) {
            String ns = p.getMetadata().getNamespace();
            boolean inNamespace = namespaces == null ? ns.equals(policyNamespace)
                    : namespaces.matches(namespaceLabels.getOrDefault(ns, Map.of("kubernetes.io/metadata.name", ns)));
            if (inNamespace && pods.matches(labels(p.getMetadata().getLabels()))) {
                out.add(new Peer(p.getStatus().getPodIP() + "/32", List.of()));
            }
        }
        out.sort(Comparator.comparing(Peer::cidr));
        return out;
    }

    /** The number of the pod's container port named {@code name} with {@code protocol}, or null. */
    static Integer namedPort(Pod pod, String name, String protocol) {
        for (Container c : nonNull(pod.getSpec().getContainers())) {
            for (ContainerPort cp : nonNull(c.getPorts())) {
                String p = cp.getProtocol() == null || cp.getProtocol().isEmpty() ? "TCP" : cp.getProtocol();
                if (name.equals(cp.getName()) && protocol.equals(p) && cp.getContainerPort() != null) return cp.getContainerPort();
            }
        }
        return null;
    }

    private static boolean counts(Pod p) {
        if (p.getMetadata() == null || p.getSpec() == null || p.getStatus() == null) return false;
        if (Boolean.TRUE.equals(p.getSpec().getHostNetwork())) return false;
        String phase = p.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) return false;
        String ip = p.getStatus().getPodIP();
        return ip != null && ip.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    private static Map<String, String> labels(Map<String, String> labels) {
        return labels == null ? Map.of() : labels;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String key(io.fabric8.kubernetes.api.model.HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }
}
