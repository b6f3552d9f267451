package dev.berth.agent.prober;

/**
 * Probes of the running containers on this node. Each probed container gets its own schedule on
 * the injected clock; verdicts go to the {@link ProbeListener} given at construction, and failed
 * probes are recorded as {@code Unhealthy} events on the pod.
 */
public interface Probes extends AutoCloseable {
    /** Starts (or restarts, for a new container id) probing a container. */
    void add(ProbeTarget target);

    /** Stops probing the container. */
    void remove(String podUid, String containerName);

    /** Stops probing every container of the pod. */
    void removePod(String podUid);

    /** Whether the container counts as ready: true without a readiness probe once started. */
    boolean ready(String podUid, String containerName);

    /** Whether the startup probe succeeded (true without one). */
    boolean started(String podUid, String containerName);

    @Override
    void close();
}
