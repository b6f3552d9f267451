package dev.berth.agent.prober;

/**
 * Told when a probe's verdict changes (after failureThreshold failures or successThreshold
 * successes). A liveness or startup {@code false} means: restart the container.
 */
@FunctionalInterface
public interface ProbeListener {
    void changed(String podUid, String containerName, String containerId, ProbeKind kind, boolean success, String message);
}
