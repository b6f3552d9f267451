package dev.berth.agent.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.List;

/**
 * What the cluster DNS reads about the cluster: read-only objects from the agent's caches. Every
 * lookup is by key or by index, so a query costs the same with ten Services or ten thousand.
 */
public interface ClusterView {
    /** Whether the caches have listed their resources once; before that the view is empty, not the cluster. */
    boolean synced();

    /** The Service {@code namespace/name}, or null. */
    Service service(String namespace, String name);

    /** Whether any Service lives in {@code namespace}. */
    boolean hasServices(String namespace);

    /** The EndpointSlices of Service {@code namespace/name} (label {@code kubernetes.io/service-name}). */
    List<EndpointSlice> endpointSlices(String namespace, String service);

    /** Services whose {@code spec.clusterIPs} hold {@code ip}. */
    List<Service> servicesWithClusterIp(String ip);

    /** EndpointSlices with an endpoint at {@code ip}. */
    List<EndpointSlice> endpointSlicesWithAddress(String ip);

    /** Pods (not on the host network, not finished) whose {@code status.podIPs} hold {@code ip}. */
    List<Pod> podsWithIp(String ip);

    /** Whether any Pod lives in {@code namespace}. */
    boolean hasPods(String namespace);
}
