package dev.berth.agent.prober;

import io.fabric8.kubernetes.api.model.Container;

import java.time.Instant;

/**
 * One running container to probe.
 *
 * @param podUid       the pod's uid
 * @param podKey       {@code namespace/name}, for events and logs
 * @param container    the container's spec (its liveness, readiness and startup probes)
 * @param containerId  the runtime id, for exec probes
 * @param podIp        where httpGet, tcpSocket and grpc probes connect when no host is given
 * @param startedAt    when the container started (initialDelaySeconds counts from here)
 */
public record ProbeTarget(String podUid, String podKey, Container container, String containerId, String podIp,
                          Instant startedAt) {
}
