package dev.berth.agent.podworker;

import io.fabric8.kubernetes.api.model.Quantity;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What pod workers need to know of the node they run on.
 *
 * @param nodeName        this node's name (spec.nodeName of its pods)
 * @param nodeIp          the node's address: status.hostIP, and podIP with hostNetwork
 * @param podNetwork      the runtime's bridge network the sandboxes join (full name)
 * @param clusterDnsIp    nameserver of ClusterFirst pods; empty: pods fall back to dnsPolicy Default
 * @param clusterDomain   e.g. {@code cluster.local}
 * @param dataDir         where per-container files live (termination logs): {@code dataDir/pods/<uid>/...}
 * @param allocatable     the node's allocatable resources (cpu, memory, ephemeral-storage): limits
 *                        default to them in resourceFieldRef
 * @param resyncInterval  every pod is synced this often (kubelet: 10 s)
 * @param relistInterval  the runtime is listed this often to notice containers that exited (kubelet's PLEG: 1 s)
 */
public record PodWorkerSettings(String nodeName, String nodeIp, String podNetwork, String clusterDnsIp,
                                String clusterDomain, Path dataDir, Map<String, Quantity> allocatable,
                                Duration resyncInterval, Duration relistInterval) {
    public PodWorkerSettings {
        require("nodeName", nodeName);
        require("nodeIp", nodeIp);
        require("clusterDomain", clusterDomain);
        if (podNetwork == null) {
            podNetwork = "";
        }
        if (clusterDnsIp == null) {
            clusterDnsIp = "";
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir must be set");
        }
        allocatable = Map.copyOf(allocatable);
        if (resyncInterval == null || resyncInterval.isNegative() || resyncInterval.isZero()) {
            throw new IllegalArgumentException("resyncInterval " + resyncInterval + " must be positive");
        }
        if (relistInterval == null || relistInterval.isNegative() || relistInterval.isZero()) {
            throw new IllegalArgumentException("relistInterval " + relistInterval + " must be positive");
        }
    }

    /** Kubelet's intervals: resync every 10 s, relist every second. */
    public PodWorkerSettings(String nodeName, String nodeIp, String podNetwork, String clusterDnsIp,
                             String clusterDomain, Path dataDir, Map<String, Quantity> allocatable) {
        this(nodeName, nodeIp, podNetwork, clusterDnsIp, clusterDomain, dataDir, allocatable, Duration.ofSeconds(10),
                Duration.ofSeconds(1));
    }

    public PodWorkerSettings withIntervals(Duration resync, Duration relist) {
        return new PodWorkerSettings(nodeName, nodeIp, podNetwork, clusterDnsIp, clusterDomain, dataDir, allocatable,
                resync, relist);
    }

    private static void require(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
    }
}
