package dev.berth.agent.dns;

import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.cache.Indexer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A {@link ClusterView} over informer caches (fabric8 {@link Indexer}s), with indexes of its own
 * added to them: Services by cluster IP, EndpointSlices by Service and by address, Pods by IP.
 * fabric8 builds an index added to a running informer from the objects already cached.
 */
public final class IndexedClusterView implements ClusterView {
    static final String SERVICE_BY_CLUSTER_IP = "berth.dns/cluster-ip";
    static final String SLICE_BY_SERVICE = "berth.dns/service";
    static final String SLICE_BY_ADDRESS = "berth.dns/address";
    static final String POD_BY_IP = "berth.dns/pod-ip";
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final Indexer<Service> services;
    private final Indexer<EndpointSlice> slices;
    private final Indexer<Pod> pods;
    private final BooleanSupplier synced;

    public IndexedClusterView(Indexer<Service> services, Indexer<EndpointSlice> slices, Indexer<Pod> pods,
                              BooleanSupplier synced) {
        this.services = services;
        this.slices = slices;
        this.pods = pods;
        this.synced = synced;
        addIndex(services, SERVICE_BY_CLUSTER_IP, IndexedClusterView::clusterIps);
        addIndex(slices, SLICE_BY_SERVICE, IndexedClusterView::serviceKey);
        addIndex(slices, SLICE_BY_ADDRESS, IndexedClusterView::addresses);
        addIndex(pods, POD_BY_IP, IndexedClusterView::podIps);
    }

    /** The view over the agent's shared informers of Services, EndpointSlices and Pods. */
    public static IndexedClusterView of(Informers informers) {
        var s = informers.of(Service.class);
        var e = informers.of(EndpointSlice.class);
        var p = informers.of(Pod.class);
        return new IndexedClusterView(s.getIndexer(), e.getIndexer(), p.getIndexer(),
                () -> s.hasSynced() && e.hasSynced() && p.hasSynced());
    }

    private static <T> void addIndex(Indexer<T> indexer, String name, Function<T, List<String>> f) {
        synchronized (indexer) {
            if (!indexer.getIndexers().containsKey(name)) {
                indexer.addIndexers(Map.of(name, f));
            }
        }
    }

    static List<String> clusterIps(Service s) {
        if (s.getSpec() == null) return List.of();
        Set<String> ips = new LinkedHashSet<>();
        if (s.getSpec().getClusterIP() != null) ips.add(s.getSpec().getClusterIP());
        if (s.getSpec().getClusterIPs() != null) ips.addAll(s.getSpec().getClusterIPs());
        ips.remove("");
        ips.remove("None");
        return List.copyOf(ips);
    }

    static List<String> serviceKey(EndpointSlice slice) {
        var labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return service == null ? List.of() : List.of(slice.getMetadata().getNamespace() + "/" + service);
    }

    static List<String> addresses(EndpointSlice slice) {
        if (slice.getEndpoints() == null) return List.of();
        Set<String> out = new LinkedHashSet<>();
        for (Endpoint e : slice.getEndpoints()) {
            if (e.getAddresses() != null) out.addAll(e.getAddresses());
        }
        return List.copyOf(out);
    }

    static List<String> podIps(Pod pod) {
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) return List.of();
        if (pod.getStatus() == null) return List.of();
        String phase = pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) return List.of();
        Set<String> out = new LinkedHashSet<>();
        if (pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty()) out.add(pod.getStatus().getPodIP());
        if (pod.getStatus().getPodIPs() != null) {
            for (PodIP ip : pod.getStatus().getPodIPs()) {
                if (ip.getIp() != null && !ip.getIp().isEmpty()) out.add(ip.getIp());
            }
        }
        return List.copyOf(out);
    }

    @Override
    public boolean synced() {
        return synced.getAsBoolean();
    }

    @Override
    public Service service(String namespace, String name) {
        return services.getByKey(namespace + "/" + name);
    }

    @Override
    public boolean hasServices(String namespace) {
        return !services.byIndex(Informers.NAMESPACE_INDEX, namespace).isEmpty();
    }

    @Override
    public List<EndpointSlice> endpointSlices(String namespace, String service) {
        return new ArrayList<>(slices.byIndex(SLICE_BY_SERVICE, namespace + "/" + service));
    }

    @Override
    public List<Service> servicesWithClusterIp(String ip) {
        return new ArrayList<>(services.byIndex(SERVICE_BY_CLUSTER_IP, ip));
    }

    @Override
    public List<EndpointSlice> endpointSlicesWithAddress(String ip) {
        return new ArrayList<>(slices.byIndex(SLICE_BY_ADDRESS, ip));
    }

    @Override
    public List<Pod> podsWithIp(String ip) {
        return new ArrayList<>(pods.byIndex(POD_BY_IP, ip));
    }

    @Override
    public boolean hasPods(String namespace) {
        return !pods.byIndex(Informers.NAMESPACE_INDEX, namespace).isEmpty();
    }
}
