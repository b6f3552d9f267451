package dev.berth.app.topology.model;

/**
 * What a pod's skin shows: its phase, readiness, restarts, a failing probe, and its node.
 *
 * @param phase        status.phase (Pending, Running, Succeeded, Failed, Unknown)
 * @param ready        the Ready condition is True
 * @param restarts     sum of the containers' restartCount
 * @param failingProbe "readiness" or "liveness" when a container's probe fails, else null
 * @param waitingReason a container's waiting reason such as CrashLoopBackOff, else null
 * @param node         spec.nodeName, null while unscheduled
 * @param nodeReady    false when the pod's node is NotReady
 */
public record PodState(String phase, boolean ready, int restarts, String failingProbe, String waitingReason,
                       String node, boolean nodeReady) {

    public PodState withNodeReady(boolean r) {
        return new PodState(phase, ready, restarts, failingProbe, waitingReason, node, r);
    }
}
