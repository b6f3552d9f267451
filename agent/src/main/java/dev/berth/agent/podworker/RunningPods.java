package dev.berth.agent.podworker;

import java.util.Map;
import java.util.Optional;

/** The pods running on this node as the agent knows them: for logs, exec, attach, port-forward and stats. */
public interface RunningPods {
    Optional<RunningPod> find(String namespace, String name);

    /**
     * @param uid          the pod's uid
     * @param namespace    its namespace
     * @param name         its name
     * @param sandboxId    the infra container's runtime id (empty when none runs)
     * @param podIp        the pod's IP (empty with host network or before the sandbox runs)
     * @param containerIds runtime id of the current (or last) container by container name, init containers included
     */
    record RunningPod(String uid, String namespace, String name, String sandboxId, String podIp,
                      Map<String, String> containerIds) {
        public RunningPod {
            containerIds = Map.copyOf(containerIds);
        }
    }
}
