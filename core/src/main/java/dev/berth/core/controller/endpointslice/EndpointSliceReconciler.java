package dev.berth.core.controller.endpointslice;

import dev.berth.core.controller.endpoints.PodEndpoints;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Brings the EndpointSlices of one Service (key {@code namespace/name}) in line with the pods it
 * selects: endpoints stay in the slice they are in where possible, new ones fill slices with room
 * before new slices are created, slices whose ports no longer occur are deleted, and a Service
 * without endpoints keeps one empty placeholder slice. Slices are owned by the Service, so the
 * garbage collector removes them with it. Only changed slices are written.
 */
public final class EndpointSliceReconciler implements Reconciler<String> {
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    public static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    public static final int DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

    private final KubernetesClient client;
    private final Informers informers;
    private final EventRecorder events;
    private final int maxPerSlice;
    private final SliceTracker tracker;
    /** Writes of the reconcile in progress on this thread: slice name to resourceVersion, and deletions. */
    private final ThreadLocal<Map<String, String>> writtenVersions = ThreadLocal.withInitial(LinkedHashMap::new);
    private final ThreadLocal<Set<String>> deletedNames = ThreadLocal.withInitial(HashSet::new);

    public EndpointSliceReconciler(KubernetesClient client, Informers informers, EventRecorder events, int maxPerSlice) {
        this(client, informers, events, maxPerSlice, java.time.Clock.systemUTC());
    }

    public EndpointSliceReconciler(KubernetesClient client, Informers informers, EventRecorder events, int maxPerSlice,
                                   java.time.Clock clock) {
        if (maxPerSlice < 1 || maxPerSlice > 1000) {
            throw new IllegalArgumentException("maxEndpointsPerSlice: invalid value " + maxPerSlice
                    + ": must be between 1 and 1000");
        }
        this.client = client;
        this.informers = informers;
        this.events = events;
        this.maxPerSlice = maxPerSlice;
        this.tracker = new SliceTracker(clock);
    }

    /** The slices of a Service this controller manages, from the cache. */
    static List<EndpointSlice> managedSlices(Informers informers, String namespace, String service) {
        return informers.inNamespace(EndpointSlice.class, namespace).stream()
                .filter(s -> s.getMetadata().getLabels() != null
                        && service.equals(s.getMetadata().getLabels().get(SERVICE_NAME_LABEL))
                        && CONTROLLER_NAME.equals(s.getMetadata().getLabels().get(MANAGED_BY_LABEL)))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .toList();
    }

    @Override
    public Result reconcile(String key) {
        String namespace = Keys.namespace(key);
        Service service = informers.get(Service.class, key);
        if (service == null || service.getMetadata().getDeletionTimestamp() != null
                || !PodEndpoints.hasSelector(service)) {
            tracker.forget(key);
            return Result.done();   // gone (the garbage collector takes the owned slices) or user-managed
        }
        List<EndpointSlice> existing = managedSlices(informers, namespace, service.getMetadata().getName());
        if (!tracker.cacheCaughtUp(key, existing)) {
            return Result.requeueAfter(Duration.ofMillis(200));   // our last writes are not in the cache yet
        }
        writtenVersions.get().clear();
        deletedNames.get().clear();
        List<Pod> pods = informers.inNamespace(Pod.class, namespace);
        Map<List<EndpointPort>, List<Endpoint>> desired = DesiredEndpoints.compute(service, pods,
                name -> informers.get(Node.class, name));
        Map<String, String> labels = labels(service);
        try {
            if (desired.isEmpty()) {
                placeholder(service, existing, labels);
            } else {
                distribute(service, existing, desired, labels);
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return Result.requeue();   // the cache was behind
            }
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                var ns = informers.get(io.fabric8.kubernetes.api.model.Namespace.class, namespace);
                if (ns == null || ns.getMetadata().getDeletionTimestamp() != null) {
                    return Result.done();
                }
            }
            events.warning(service, "FailedToUpdateEndpointSlices",
                    "Error updating Endpoint Slices for Service %s: %s", key, e.getMessage());
            throw e;
        } finally {
            tracker.wrote(key, writtenVersions.get(), deletedNames.get());
        }
        return Result.done();
    }

    private void placeholder(Service service, List<EndpointSlice> existing, Map<String, String> labels) {
        EndpointSlice keep = existing.stream().filter(s -> nonNull(s.getEndpoints()).isEmpty()).findFirst()
                .orElse(existing.isEmpty() ? null : existing.getFirst());
        for (EndpointSlice s : existing) {
            if (s != keep) {
                delete(s);
            }
        }
        if (keep == null) {
            create(service, List.of(), List.of(), labels);
        } else {
            write(keep, List.of(), List.of(), labels);
        }
    }

    private void distribute(Service service, List<EndpointSlice> existing,
                            Map<List<EndpointPort>, List<Endpoint>> desired, Map<String, String> labels) {
        Map<List<EndpointPort>, List<EndpointSlice>> byPorts = new LinkedHashMap<>();
        for (EndpointSlice s : existing) {
            List<EndpointPort> ports = new ArrayList<>(nonNull(s.getPorts()));
            ports.sort(DesiredEndpoints.PORT_ORDER);
            List<EndpointPort> k = List.copyOf(ports);
            if (desired.containsKey(k) && "IPv4".equals(s.getAddressType())) {
                byPorts.computeIfAbsent(k, x -> new ArrayList<>()).add(s);
            } else {
                delete(s);
            }
        }
        for (var group : desired.entrySet()) {
            List<EndpointPort> ports = group.getKey();
            Map<String, Endpoint> wanted = new LinkedHashMap<>();
            group.getValue().forEach(e -> wanted.put(DesiredEndpoints.identity(e), e));
            Set<String> placed = new HashSet<>();
            List<EndpointSlice> slices = byPorts.getOrDefault(ports, List.of());
            List<List<Endpoint>> contents = new ArrayList<>();
            for (EndpointSlice s : slices) {
                List<Endpoint> keep = new ArrayList<>();
                for (Endpoint e : nonNull(s.getEndpoints())) {
                    String id = DesiredEndpoints.identity(e);
                    if (wanted.containsKey(id) && keep.size() < maxPerSlice && placed.add(id)) {
                        keep.add(wanted.get(id));
                    }
                }
                contents.add(keep);
            }
            List<Endpoint> remaining = wanted.entrySet().stream().filter(e -> !placed.contains(e.getKey()))
                    .map(Map.Entry::getValue).toList();
            int next = 0;
            for (List<Endpoint> c : contents) {
                while (c.size() < maxPerSlice && next < remaining.size()) {
                    c.add(remaining.get(next++));
                }
            }
            for (int i = 0; i < slices.size(); i++) {
                List<Endpoint> c = contents.get(i);
                if (c.isEmpty()) {
                    delete(slices.get(i));
                } else {
                    c.sort(DesiredEndpoints.ENDPOINT_ORDER);
                    write(slices.get(i), ports, c, labels);
                }
            }
            while (next < remaining.size()) {
                List<Endpoint> chunk = new ArrayList<>(remaining.subList(next, Math.min(remaining.size(), next + maxPerSlice)));
                next += chunk.size();
                create(service, ports, chunk, labels);
            }
        }
    }

    private void write(EndpointSlice current, List<EndpointPort> ports, List<Endpoint> endpoints,
                       Map<String, String> labels) {
        if (Objects.equals(nonNull(current.getEndpoints()), endpoints) && Objects.equals(sorted(current.getPorts()), ports)
                && Objects.equals(current.getMetadata().getLabels(), labels)) {
            return;
        }
        EndpointSlice updated = client.resource(new EndpointSliceBuilder(current)
                .editMetadata().withLabels(labels).endMetadata()
                .withPorts(ports).withEndpoints(endpoints).build()).update();
        writtenVersions.get().put(updated.getMetadata().getName(), updated.getMetadata().getResourceVersion());
    }

    private void create(Service service, List<EndpointPort> ports, List<Endpoint> endpoints, Map<String, String> labels) {
        String name = service.getMetadata().getName();
        String prefix = (name.length() > 57 ? name.substring(0, 57) : name) + "-";
        EndpointSlice created = client.resource(new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(service.getMetadata().getNamespace()).withGenerateName(prefix)
                .withLabels(labels).withOwnerReferences(owner(service)).endMetadata()
                .withAddressType("IPv4")
                .withPorts(ports)
                .withEndpoints(endpoints)
                .build()).create();
        writtenVersions.get().put(created.getMetadata().getName(), created.getMetadata().getResourceVersion());
    }

    private void delete(EndpointSlice s) {
        try {
            client.resource(s).withGracePeriod(0).delete();
            deletedNames.get().add(s.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
        }
    }

    private static OwnerReference owner(Service service) {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service")
                .withName(service.getMetadata().getName()).withUid(service.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static Map<String, String> labels(Service service) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (service.getMetadata().getLabels() != null) {
            labels.putAll(service.getMetadata().getLabels());
        }
        labels.put(SERVICE_NAME_LABEL, service.getMetadata().getName());
        labels.put(MANAGED_BY_LABEL, CONTROLLER_NAME);
        if ("None".equals(service.getSpec().getClusterIP())) {
            labels.put(HEADLESS_LABEL, "");
        } else {
            labels.remove(HEADLESS_LABEL);
        }
        return labels;
    }

    private static List<EndpointPort> sorted(List<EndpointPort> ports) {
        List<EndpointPort> l = new ArrayList<>(nonNull(ports));
        l.sort(DesiredEndpoints.PORT_ORDER);
        return l;
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }
}
