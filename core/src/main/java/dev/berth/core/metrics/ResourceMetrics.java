package dev.berth.core.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest resource metrics of every node and its pods, in memory. A scrape of a node replaces
 * everything known about it, so pods that left the node disappear with the next scrape.
 */
public final class ResourceMetrics {
    /** One node's usage, measured at {@code timestamp} over {@code window}. */
    public record NodeSample(String node, Instant timestamp, Duration window, Usage usage) {
    }

    /** One container's usage. */
    public record ContainerSample(String name, Usage usage) {
    }

    /** One pod's usage, per container. */
    public record PodSample(String namespace, String name, String node, Instant timestamp, Duration window,
                            List<ContainerSample> containers) {
        public PodSample {
            containers = List.copyOf(containers);
        }

        public Usage total() {
            Usage u = Usage.ZERO;
            for (ContainerSample c : containers) {
                u = u.plus(c.usage());
            }
            return u;
        }
    }

    private record NodeEntry(NodeSample node, List<PodSample> pods) {
    }

    private final Map<String, NodeEntry> byNode = new ConcurrentHashMap<>();
    private final Map<String, PodSample> byPod = new ConcurrentHashMap<>();

    /** Replaces what is known of {@code node} with a new scrape. */
    public void update(NodeSample node, List<PodSample> pods) {
        NodeEntry previous = byNode.put(node.node(), new NodeEntry(node, List.copyOf(pods)));
        if (previous != null) {
            for (PodSample p : previous.pods()) {
                byPod.remove(key(p.namespace(), p.name()), p);
            }
        }
        for (PodSample p : pods) {
            byPod.put(key(p.namespace(), p.name()), p);
        }
    }

    /** Forgets a node that is gone, and its pods. */
    public void remove(String node) {
        NodeEntry previous = byNode.remove(node);
        if (previous != null) {
            for (PodSample p : previous.pods()) {
                byPod.remove(key(p.namespace(), p.name()), p);
            }
        }
    }

    public NodeSample node(String name) {
        NodeEntry e = byNode.get(name);
        return e == null ? null : e.node();
    }

    public List<NodeSample> nodes() {
        List<NodeSample> out = new ArrayList<>();
        for (NodeEntry e : byNode.values()) {
            out.add(e.node());
        }
        return out;
    }

    public PodSample pod(String namespace, String name) {
        return byPod.get(key(namespace, name));
    }

    /** The pods of {@code namespace}, or of every namespace when it is null. */
    public List<PodSample> pods(String namespace) {
        Collection<PodSample> all = byPod.values();
        List<PodSample> out = new ArrayList<>();
        for (PodSample p : all) {
            if (namespace == null || namespace.equals(p.namespace())) {
                out.add(p);
            }
        }
        return out;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
