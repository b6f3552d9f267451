package dev.berth.core.scheduler.framework;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod with everything the plugins need computed once: its requests (Kubernetes' rule for init
 * containers, sidecars and overhead), host ports, priority and parsed affinity terms. Immutable
 * apart from the node it is placed on.
 */
public final class PodInfo {
    /** A host port the pod asks for; hostIP "0.0.0.0" means every address. */
    public record HostPort(String hostIP, String protocol, int port) {
        public boolean conflictsWith(HostPort o) {
            if (port != o.port || !protocol.equals(o.protocol)) {
                return false;
            }
            return hostIP.equals(o.hostIP) || hostIP.equals(ANY_IP) || o.hostIP.equals(ANY_IP);
        }
    }

    public static final String ANY_IP = "0.0.0.0";

    private final Pod pod;
    private final String key;
    private final long milliCpu;
    private final long memory;
    private final long ephemeralStorage;
    private final Map<String, Long> scalar;
    private final long nonZeroMilliCpu;
    private final long nonZeroMemory;
    private final int priority;
    private final List<HostPort> hostPorts;
    private final List<AffinityTerm> requiredAffinity;
    private final List<AffinityTerm> requiredAntiAffinity;
    private final List<AffinityTerm> preferredAffinity;
    private final List<AffinityTerm> preferredAntiAffinity;
    private volatile String nodeName;

    private PodInfo(Pod pod, NamespaceLabels namespaces) {
        this.pod = pod;
        this.key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        PodSpec spec = pod.getSpec();
        Map<String, Long> req = requests(spec, false);
        Map<String, Long> nonZero = requests(spec, true);
        this.milliCpu = req.getOrDefault(Resources.CPU, 0L);
        this.memory = req.getOrDefault(Resources.MEMORY, 0L);
        this.ephemeralStorage = req.getOrDefault(Resources.EPHEMERAL_STORAGE, 0L);
        Map<String, Long> sc = new HashMap<>();
        req.forEach((name, v) -> {
            if (Resources.isScalar(name) && v > 0) {
                sc.put(name, v);
            }
        });
        this.scalar = Map.copyOf(sc);
        this.nonZeroMilliCpu = nonZero.getOrDefault(Resources.CPU, 0L);
        this.nonZeroMemory = nonZero.getOrDefault(Resources.MEMORY, 0L);
        this.priority = spec.getPriority() == null ? 0 : spec.getPriority();
        List<HostPort> ports = new ArrayList<>();
        for (Container c : allContainers(spec)) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() != null && p.getHostPort() > 0) {
                    String ip = p.getHostIP() == null || p.getHostIP().isEmpty() ? ANY_IP : p.getHostIP();
                    String proto = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
                    ports.add(new HostPort(ip, proto, p.getHostPort()));
                }
            }
        }
        this.hostPorts = List.copyOf(ports);
        this.nodeName = spec.getNodeName() == null || spec.getNodeName().isEmpty() ? null : spec.getNodeName();
        Affinity aff = spec.getAffinity();
        String ns = pod.getMetadata().getNamespace();
        List<AffinityTerm> ra = List.of(), rr = List.of(), pa = List.of(), pr = List.of();
        if (aff != null && aff.getPodAffinity() != null) {
            ra = required(aff.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), ns, namespaces);
            pa = preferred(aff.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), ns, namespaces);
        }
        if (aff != null && aff.getPodAntiAffinity() != null) {
            rr = required(aff.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), ns, namespaces);
            pr = preferred(aff.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), ns, namespaces);
        }
        this.requiredAffinity = ra;
        this.requiredAntiAffinity = rr;
        this.preferredAffinity = pa;
        this.preferredAntiAffinity = pr;
    }

    public static PodInfo of(Pod pod) {
        return new PodInfo(pod, NamespaceLabels.NONE);
    }

    public static PodInfo of(Pod pod, NamespaceLabels namespaces) {
        return new PodInfo(pod, namespaces);
    }

    private static List<AffinityTerm> required(List<PodAffinityTerm> terms, String ns, NamespaceLabels namespaces) {
        if (terms == null || terms.isEmpty()) {
            return List.of();
        }
        List<AffinityTerm> out = new ArrayList<>(terms.size());
        for (PodAffinityTerm t : terms) {
            out.add(AffinityTerm.of(t, ns, 1, namespaces::labels, namespaces.names()));
        }
        return List.copyOf(out);
    }

    private static List<AffinityTerm> preferred(List<WeightedPodAffinityTerm> terms, String ns, NamespaceLabels namespaces) {
        if (terms == null || terms.isEmpty()) {
            return List.of();
        }
        List<AffinityTerm> out = new ArrayList<>(terms.size());
        for (WeightedPodAffinityTerm t : terms) {
            if (t.getPodAffinityTerm() != null) {
                int w = t.getWeight() == null ? 0 : t.getWeight();
                out.add(AffinityTerm.of(t.getPodAffinityTerm(), ns, w, namespaces::labels, namespaces.names()));
            }
        }
        return List.copyOf(out);
    }

    private static List<Container> allContainers(PodSpec spec) {
        List<Container> all = new ArrayList<>();
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        if (spec.getContainers() != null) {
            all.addAll(spec.getContainers());
        }
        return all;
    }

    /**
     * Kubernetes' effective pod requests: the sum of the app containers and of restartable init
     * containers (sidecars), or the largest single init container plus the sidecars started
     * before it, whichever is larger; plus the pod overhead. With {@code nonZero}, containers that
     * request no cpu or memory count the scheduler's defaults (100m, 200Mi), as scoring does.
     */
    static Map<String, Long> requests(PodSpec spec, boolean nonZero) {
        Map<String, Long> sum = new HashMap<>();
        if (spec.getContainers() != null) {
            for (Container c : spec.getContainers()) {
                add(sum, containerRequests(c, nonZero));
            }
        }
        Map<String, Long> sidecars = new HashMap<>();
        Map<String, Long> initMax = new HashMap<>();
        if (spec.getInitContainers() != null) {
            for (Container c : spec.getInitContainers()) {
                Map<String, Long> r = containerRequests(c, nonZero);
                if ("Always".equals(c.getRestartPolicy())) {
                    add(sum, r);
                    add(sidecars, r);
                    max(initMax, sidecars);
                } else {
                    Map<String, Long> withSidecars = new HashMap<>(sidecars);
                    add(withSidecars, r);
                    max(initMax, withSidecars);
                }
            }
        }
        max(sum, initMax);
        if (spec.getOverhead() != null) {
            Map<String, Long> overhead = new HashMap<>();
            spec.getOverhead().forEach((name, q) -> overhead.put(name, Resources.amount(spec.getOverhead(), name)));
            add(sum, overhead);
        }
        return sum;
    }

    private static Map<String, Long> containerRequests(Container c, boolean nonZero) {
        Map<String, Long> r = new HashMap<>();
        Map<String, Quantity> requests = c.getResources() == null ? null : c.getResources().getRequests();
        if (requests != null) {
            requests.forEach((name, q) -> r.put(name, Resources.amount(requests, name)));
        }
        if (nonZero) {
            if (!r.containsKey(Resources.CPU)) {
                r.put(Resources.CPU, Resources.DEFAULT_MILLI_CPU);
            }
            if (!r.containsKey(Resources.MEMORY)) {
                r.put(Resources.MEMORY, Resources.DEFAULT_MEMORY);
            }
        }
        return r;
    }

    private static void add(Map<String, Long> into, Map<String, Long> r) {
        r.forEach((k, v) -> into.merge(k, v, Long::sum));
    }

    private static void max(Map<String, Long> into, Map<String, Long> r) {
        r.forEach((k, v) -> into.merge(k, v, Math::max));
    }

    public Pod pod() {
        return pod;
    }

    /** namespace/name */
    public String key() {
        return key;
    }

    public String namespace() {
        return pod.getMetadata().getNamespace();
    }

    public String name() {
        return pod.getMetadata().getName();
    }

    public String uid() {
        return pod.getMetadata().getUid();
    }

    public Map<String, String> labels() {
        Map<String, String> l = pod.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    public long milliCpu() {
        return milliCpu;
    }

    public long memory() {
        return memory;
    }

    public long ephemeralStorage() {
        return ephemeralStorage;
    }

    /** Requests of extended resources and hugepages, by resource name. */
    public Map<String, Long> scalar() {
        return scalar;
    }

    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    public int priority() {
        return priority;
    }

    public List<HostPort> hostPorts() {
        return hostPorts;
    }

    public List<AffinityTerm> requiredAffinity() {
        return requiredAffinity;
    }

    public List<AffinityTerm> requiredAntiAffinity() {
        return requiredAntiAffinity;
    }

    public List<AffinityTerm> preferredAffinity() {
        return preferredAffinity;
    }

    public List<AffinityTerm> preferredAntiAffinity() {
        return preferredAntiAffinity;
    }

    public boolean hasAffinityTerms() {
        return !requiredAffinity.isEmpty() || !requiredAntiAffinity.isEmpty()
                || !preferredAffinity.isEmpty() || !preferredAntiAffinity.isEmpty();
    }

    /** The node the pod is placed on (bound or assumed), or null. */
    public String nodeName() {
        return nodeName;
    }

    public void placeOn(String node) {
        this.nodeName = node;
    }

    public boolean isTerminating() {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** Start time for preemption's ordering: status.startTime, else creation. */
    public String startTime() {
        if (pod.getStatus() != null && pod.getStatus().getStartTime() != null) {
            return pod.getStatus().getStartTime();
        }
        String c = pod.getMetadata().getCreationTimestamp();
        return c == null ? "" : c;
    }

    @Override
    public String toString() {
        return key;
    }
}
