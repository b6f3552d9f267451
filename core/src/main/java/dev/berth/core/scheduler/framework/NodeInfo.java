package dev.berth.core.scheduler.framework;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node with the sums of what its pods request: the scheduler cache keeps one per node and
 * changes it as pods are assumed, bound and removed, so that a cycle reads totals instead of
 * scanning pods. Not thread-safe: the cache guards it.
 */
public final class NodeInfo {
    private Node node;
    private long allocatableMilliCpu;
    private long allocatableMemory;
    private long allocatableEphemeralStorage;
    private long allocatablePods;
    private Map<String, Long> allocatableScalar = Map.of();

    private long requestedMilliCpu;
    private long requestedMemory;
    private long requestedEphemeralStorage;
    private final Map<String, Long> requestedScalar = new HashMap<>();
    private long nonZeroMilliCpu;
    private long nonZeroMemory;
    private final List<PodInfo> pods = new ArrayList<>();
    private final List<PodInfo> podsWithAffinity = new ArrayList<>();
    private final List<PodInfo> podsWithRequiredAntiAffinity = new ArrayList<>();
    private final List<PodInfo.HostPort> usedPorts = new ArrayList<>();

    public NodeInfo(Node node) {
        setNode(node);
    }

    private NodeInfo() {
    }

    public void setNode(Node node) {
        this.node = node;
        Map<String, Quantity> alloc = node.getStatus() == null ? null : node.getStatus().getAllocatable();
        if ((alloc == null || alloc.isEmpty()) && node.getStatus() != null) {
            alloc = node.getStatus().getCapacity();
        }
        allocatableMilliCpu = Resources.amount(alloc, Resources.CPU);
        allocatableMemory = Resources.amount(alloc, Resources.MEMORY);
        allocatableEphemeralStorage = Resources.amount(alloc, Resources.EPHEMERAL_STORAGE);
        allocatablePods = Resources.amount(alloc, Resources.PODS);
        Map<String, Long> sc = new HashMap<>();
        if (alloc != null) {
            for (String name : alloc.keySet()) {
                if (Resources.isScalar(name)) {
                    sc.put(name, Resources.amount(alloc, name));
                }
            }
        }
        allocatableScalar = Map.copyOf(sc);
    }

    public Node node() {
        return node;
    }

    public String name() {
        return node.getMetadata().getName();
    }

    public Map<String, String> labels() {
        Map<String, String> l = node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    public void addPod(PodInfo p) {
        pods.add(p);
        if (p.hasAffinityTerms()) {
            podsWithAffinity.add(p);
        }
        if (!p.requiredAntiAffinity().isEmpty()) {
            podsWithRequiredAntiAffinity.add(p);
        }
        usedPorts.addAll(p.hostPorts());
        account(p, 1);
    }

    /** Removes the pod with the key of {@code p}; false if it was not here. */
    public boolean removePod(PodInfo p) {
        for (int i = 0; i < pods.size(); i++) {
            PodInfo q = pods.get(i);
            if (q.key().equals(p.key())) {
                pods.remove(i);
                podsWithAffinity.remove(q);
                podsWithRequiredAntiAffinity.remove(q);
                for (PodInfo.HostPort hp : q.hostPorts()) {
                    usedPorts.remove(hp);
                }
                account(q, -1);
                return true;
            }
        }
        return false;
    }

    private void account(PodInfo p, int sign) {
        requestedMilliCpu += sign * p.milliCpu();
        requestedMemory += sign * p.memory();
        requestedEphemeralStorage += sign * p.ephemeralStorage();
        nonZeroMilliCpu += sign * p.nonZeroMilliCpu();
        nonZeroMemory += sign * p.nonZeroMemory();
        p.scalar().forEach((k, v) -> requestedScalar.merge(k, sign * v, Long::sum));
    }

    /** A copy whose pod list and sums can change without touching this one (preemption's dry run). */
    public NodeInfo copy() {
        NodeInfo c = new NodeInfo();
        c.node = node;
        c.allocatableMilliCpu = allocatableMilliCpu;
        c.allocatableMemory = allocatableMemory;
        c.allocatableEphemeralStorage = allocatableEphemeralStorage;
        c.allocatablePods = allocatablePods;
        c.allocatableScalar = allocatableScalar;
        c.requestedMilliCpu = requestedMilliCpu;
        c.requestedMemory = requestedMemory;
        c.requestedEphemeralStorage = requestedEphemeralStorage;
        c.requestedScalar.putAll(requestedScalar);
        c.nonZeroMilliCpu = nonZeroMilliCpu;
        c.nonZeroMemory = nonZeroMemory;
        c.pods.addAll(pods);
        c.podsWithAffinity.addAll(podsWithAffinity);
        c.podsWithRequiredAntiAffinity.addAll(podsWithRequiredAntiAffinity);
        c.usedPorts.addAll(usedPorts);
        return c;
    }

    public List<PodInfo> pods() {
        return pods;
    }

    public List<PodInfo> podsWithAffinity() {
        return podsWithAffinity;
    }

    public List<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinity;
    }

    public List<PodInfo.HostPort> usedPorts() {
        return usedPorts;
    }

    public long allocatableMilliCpu() {
        return allocatableMilliCpu;
    }

    public long allocatableMemory() {
        return allocatableMemory;
    }

    public long allocatableEphemeralStorage() {
        return allocatableEphemeralStorage;
    }

    public long allocatablePods() {
        return allocatablePods;
    }

    public long allocatableScalar(String name) {
        return allocatableScalar.getOrDefault(name, 0L);
    }

    public long requestedMilliCpu() {
        return requestedMilliCpu;
    }

    public long requestedMemory() {
        return requestedMemory;
    }

    public long requestedEphemeralStorage() {
        return requestedEphemeralStorage;
    }

    public long requestedScalar(String name) {
        return requestedScalar.getOrDefault(name, 0L);
    }

    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    @Override
    public String toString() {
        return name();
    }
}
