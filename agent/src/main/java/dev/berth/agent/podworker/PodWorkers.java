package dev.berth.agent.podworker;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.Set;

/**
 * One serial worker per pod on this node. {@link #sync} hands the latest pod object to its worker
 * (created on first sight), which makes the runtime match it: sandbox, volumes, init containers in
 * order, containers, restarts with back-off, probes, hooks, and computes the pod status. A pod with
 * a deletionTimestamp, or one passed to {@link #terminate}, is stopped gracefully and its
 * containers removed; {@link #terminated} then fires so the agent can finish the deletion
 * (delete with grace period 0 once the containers are gone, as kubelet does).
 */
public interface PodWorkers extends AutoCloseable {
    void sync(Pod pod);

    /** The pod is gone from the API (or no longer bound here): stop it with its grace period. */
    void terminate(Pod lastKnown);

    /** Uids of the pods that have a worker. */
    Set<String> podUids();

    /** Called once a pod's containers are all stopped and removed. */
    void onTerminated(java.util.function.Consumer<Pod> listener);

    @Override
    void close();
}
