package dev.berth.core.scheduler;

import dev.berth.core.scheduler.framework.ClusterSnapshot;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The scheduler's own view of the cluster: a {@link NodeInfo} per node with the sums of its pods'
 * requests, fed by the pod and node informers and by the scheduler's own assumed pods (placed the
 * moment a node is chosen, before the bind reaches the API), so that the next cycle sees them at
 * once. Placed pods are indexed by label (key=value) for affinity and spread counting, and pods
 * carrying affinity terms are listed apart.
 *
 * <p>Every method takes the lock; a scheduling cycle holds it across filter and score through
 * {@link #lock()} so that informer updates wait for the cycle rather than change it halfway.
 */
public final class SchedulerCache implements ClusterSnapshot {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
    private final List<NodeInfo> nodeList = new ArrayList<>();
    /** Placed pods (assigned or assumed) by namespace/name. */
    private final Map<String, PodInfo> pods = new HashMap<>();
    private final Set<String> assumed = new HashSet<>();
    /** Pods on nodes the cache has not seen yet, by node name. */
    private final Map<String, List<PodInfo>> waitingForNode = new HashMap<>();
    private final Map<String, Set<PodInfo>> byLabel = new HashMap<>();
    private final Set<PodInfo> withAffinity = new LinkedHashSet<>();
    /** Pending pods that preemption nominated to a node, by node name. */
    private final Map<String, Map<String, PodInfo>> nominated = new HashMap<>();
    private final Map<String, String> nominatedNodeOf = new HashMap<>();
    private final dev.berth.core.scheduler.framework.NamespaceLabels namespaces;

    public SchedulerCache(dev.berth.core.scheduler.framework.NamespaceLabels namespaces) {
        this.namespaces = namespaces;
    }

    public SchedulerCache() {
        this(dev.berth.core.scheduler.framework.NamespaceLabels.NONE);
    }

    public void lock() {
        lock.lock();
    }

    public void unlock() {
        lock.unlock();
    }

    // ---- nodes -----------------------------------------------------------------------------

    public void addOrUpdateNode(Node node) {
        lock.lock();
        try {
            String name = node.getMetadata().getName();
            NodeInfo info = nodes.get(name);
            if (info != null) {
                info.setNode(node);
                return;
            }
            info = new NodeInfo(node);
            nodes.put(name, info);
            nodeList.add(info);
            List<PodInfo> waiting = waitingForNode.remove(name);
            if (waiting != null) {
                waiting.forEach(info::addPod);
            }
        } finally {
            lock.unlock();
        }
    }

    public void removeNode(String name) {
        lock.lock();
        try {
            NodeInfo info = nodes.remove(name);
            if (info != null) {
                nodeList.remove(info);
                if (!info.pods().isEmpty()) {
                    waitingForNode.put(name, new ArrayList<>(info.pods()));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- pods ------------------------------------------------------------------------------

    /** A pod bound to a node, as the informer reports it; confirms an assumed pod. Terminal pods are removed. */
    public void addOrUpdatePod(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            removePod(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
            return;
        }
        PodInfo info = PodInfo.of(pod, namespaces);
        lock.lock();
        try {
            PodInfo old = pods.get(info.key());
            if (old != null) {
                unplace(old);
            }
            assumed.remove(info.key());
            place(info, info.nodeName());
        } finally {
            lock.unlock();
        }
    }

    public void removePod(String key) {
        lock.lock();
        try {
            assumed.remove(key);
            PodInfo old = pods.get(key);
            if (old != null) {
                unplace(old);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Places a pod on the chosen node before its bind is written. */
    public void assume(PodInfo pod, String nodeName) {
        lock.lock();
        try {
            PodInfo old = pods.get(pod.key());
            if (old != null) {
                unplace(old);
            }
            pod.placeOn(nodeName);
            place(pod, nodeName);
            assumed.add(pod.key());
        } finally {
            lock.unlock();
        }
    }

    /** Takes back an assumed pod whose bind failed; a pod the informer confirmed stays. */
    public void forget(PodInfo pod) {
        lock.lock();
        try {
            if (assumed.remove(pod.key())) {
                PodInfo current = pods.get(pod.key());
                if (current != null) {
                    unplace(current);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isAssumed(String key) {
        lock.lock();
        try {
            return assumed.contains(key);
        } finally {
            lock.unlock();
        }
    }

    private void place(PodInfo pod, String nodeName) {
        pods.put(pod.key(), pod);
        NodeInfo node = nodes.get(nodeName);
        if (node != null) {
            node.addPod(pod);
        } else {
            waitingForNode.computeIfAbsent(nodeName, n -> new ArrayList<>()).add(pod);
        }
        for (Map.Entry<String, String> l : pod.labels().entrySet()) {
            byLabel.computeIfAbsent(l.getKey() + "=" + l.getValue(), k -> new LinkedHashSet<>()).add(pod);
        }
        if (pod.hasAffinityTerms()) {
            withAffinity.add(pod);
        }
    }

    private void unplace(PodInfo pod) {
        pods.remove(pod.key());
        NodeInfo node = nodes.get(pod.nodeName());
        if (node != null) {
            node.removePod(pod);
        } else {
            List<PodInfo> waiting = waitingForNode.get(pod.nodeName());
            if (waiting != null) {
                waiting.remove(pod);
                if (waiting.isEmpty()) {
                    waitingForNode.remove(pod.nodeName());
                }
            }
        }
        for (Map.Entry<String, String> l : pod.labels().entrySet()) {
            String k = l.getKey() + "=" + l.getValue();
            Set<PodInfo> set = byLabel.get(k);
            if (set != null) {
                set.remove(pod);
                if (set.isEmpty()) {
                    byLabel.remove(k);
                }
            }
        }
        withAffinity.remove(pod);
    }

    // ---- nominated pods --------------------------------------------------------------------

    /** Records (or with a null node, clears) the node preemption nominated a pending pod to. */
    public void nominate(PodInfo pod, String nodeName) {
        lock.lock();
        try {
            String old = nominatedNodeOf.remove(pod.key());
            if (old != null) {
                Map<String, PodInfo> m = nominated.get(old);
                if (m != null) {
                    m.remove(pod.key());
                    if (m.isEmpty()) {
                        nominated.remove(old);
                    }
                }
            }
            if (nodeName != null && !nodeName.isEmpty()) {
                nominatedNodeOf.put(pod.key(), nodeName);
                nominated.computeIfAbsent(nodeName, n -> new LinkedHashMap<>()).put(pod.key(), pod);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Pods nominated to the node, other than {@code except}. */
    public List<PodInfo> nominatedPods(String nodeName, String except) {
        Map<String, PodInfo> m = nominated.get(nodeName);
        if (m == null || m.isEmpty() || (m.size() == 1 && m.containsKey(except))) {
            return List.of();
        }
        List<PodInfo> out = new ArrayList<>(m.size());
        for (PodInfo p : m.values()) {
            if (!p.key().equals(except)) {
                out.add(p);
            }
        }
        return out;
    }

    // ---- ClusterSnapshot (read under the lock) ---------------------------------------------

    @Override
    public List<NodeInfo> nodes() {
        return nodeList;
    }

    @Override
    public NodeInfo node(String name) {
        return name == null ? null : nodes.get(name);
    }

    @Override
    public Iterable<PodInfo> podsWithLabel(String key, String value) {
        Set<PodInfo> set = byLabel.get(key + "=" + value);
        return set == null ? List.of() : set;
    }

    @Override
    public Iterable<PodInfo> allPods() {
        return pods.values();
    }

    @Override
    public java.util.Collection<PodInfo> podsWithAffinity() {
        return Collections.unmodifiableCollection(withAffinity);
    }

    /** The number of placed pods (for tests and metrics). */
    public int podCount() {
        lock.lock();
        try {
            return pods.size();
        } finally {
            lock.unlock();
        }
    }

    /** The number of nodes known (for tests and metrics). */
    public int nodeCount() {
        lock.lock();
        try {
            return nodes.size();
        } finally {
            lock.unlock();
        }
    }

    public NodeInfo nodeInfo(String name) {
        lock.lock();
        try {
            return nodes.get(name);
        } finally {
            lock.unlock();
        }
    }
}
