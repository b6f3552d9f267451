package dev.berth.core.sim;

import java.util.Map;

/** Reported resource usage, in millicores of CPU and bytes of memory. */
public record ResourceUsage(long cpuMillis, long memoryBytes) {
    public static final ResourceUsage ZERO = new ResourceUsage(0, 0);

    public ResourceUsage plus(ResourceUsage o) {
        return new ResourceUsage(cpuMillis + o.cpuMillis, memoryBytes + o.memoryBytes);
    }

    /** The usage of one node: the sum of its pods' usage, and each pod's (keyed {@code namespace/name}). */
    public record Node(String nodeName, ResourceUsage total, Map<String, ResourceUsage> pods) {
        public Node {
            pods = Map.copyOf(pods);
        }
    }
}
