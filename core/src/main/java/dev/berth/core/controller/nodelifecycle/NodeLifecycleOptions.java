package dev.berth.core.controller.nodelifecycle;

import java.time.Duration;
import java.util.Objects;

/**
 * @param nodeMonitorGracePeriod how long a node may go without renewing its Lease or posting its
 *                               status before its conditions become Unknown (Kubernetes' 
 *                               {@code --node-monitor-grace-period}, 40 s there; 15 s here so that a
 *                               lab sees a failed node quickly)
 * @param workers                reconcile workers for nodes and, as many again, for pod evictions
 */
public record NodeLifecycleOptions(Duration nodeMonitorGracePeriod, int workers) {
    public static final Duration LAB_GRACE_PERIOD = Duration.ofSeconds(15);
    public static final Duration KUBERNETES_GRACE_PERIOD = Duration.ofSeconds(40);
    public static final int DEFAULT_WORKERS = 2;

    public NodeLifecycleOptions {
        Objects.requireNonNull(nodeMonitorGracePeriod, "nodeMonitorGracePeriod");
        if (nodeMonitorGracePeriod.isNegative() || nodeMonitorGracePeriod.isZero()) {
            throw new IllegalArgumentException("nodeMonitorGracePeriod " + nodeMonitorGracePeriod + " must be positive");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers + " must be at least 1");
        }
    }

    public static NodeLifecycleOptions defaults() {
        return new NodeLifecycleOptions(LAB_GRACE_PERIOD, DEFAULT_WORKERS);
    }
}
