package dev.berth.agent.podworker;

import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * Where pod workers put the status they compute. The agent's status manager keeps the latest per
 * pod and writes it to {@code pods/status} when it differs from what the API has, resending after
 * the control plane was unreachable.
 */
@FunctionalInterface
public interface PodStatusSink {
    void update(String podUid, String namespace, String name, PodStatus status);
}
