package dev.berth.agent.prober;

/**
 * Told when a probe's verdict changes (after failureThreshold failures or successThreshold
 * successes). A liveness or startup {@code false} means: restart the container.
 */
@FunctionalInterface
public interface ProbeListener {
    void changed(String podUid, String containerName, String containerId, ProbeKind kind, boolean success, String message);

    /**
     * As {@link #changed(String, String, String, ProbeKind, boolean, String)}, with the probe's own
     * {@code terminationGracePeriodSeconds} (liveness and startup probes only; {@code null} when the
     * probe sets none, in which case the pod's applies). A failed liveness or startup probe stops the
     * container with this grace period, as kubelet does. By default the grace period is dropped.
     */
    default void changed(String podUid, String containerName, String containerId, ProbeKind kind, boolean success,
                         String message, Long terminationGracePeriodSeconds) {
        changed(podUid, containerName, containerId, kind, success, message);
    }
}
