package dev.berth.core.controller.gc;

import dev.berth.core.controller.runtime.ApiResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One informer per watched resource, each indexed by uid and by the uids of its owners. Together
 * the indexes are the owner → dependents graph: it is derived from the caches and never edited by hand.
 */
final class ResourceMonitors implements AutoCloseable {
    static final String BY_UID = "uid";
    static final String BY_OWNER_UID = "ownerUid";

    /** Callbacks of every informer, with the resource they came from. */
    interface Listener {
        void added(ApiResource resource, GenericKubernetesResource obj);

        void updated(ApiResource resource, GenericKubernetesResource old, GenericKubernetesResource obj);

        void deleted(ApiResource resource, GenericKubernetesResource obj);
    }

    /** An object seen in a cache, and where it lives. */
    record Node(ObjectRef ref, GenericKubernetesResource object) {}

    private final KubernetesClient client;
    private final Listener listener;
    private final Map<ApiResource, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
    /** group + "/" + kind → resource, to resolve ownerReferences whatever version they name. */
    private final Map<String, ApiResource> byGroupKind = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ResourceMonitors(KubernetesClient client, Listener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Learns every resource for ownerReference lookups, and starts an informer for each watchable one not yet watched. */
    synchronized void ensure(Collection<ApiResource> known, Collection<ApiResource> watched) {
        if (closed) {
            return;
        }
        for (ApiResource r : known) {
            byGroupKind.put(r.group() + "/" + r.kind(), r);
        }
        for (ApiResource r : watched) {
            if (informers.containsKey(r)) {
                continue;
            }
            var op = client.genericKubernetesResources(r.context());
            SharedIndexInformer<GenericKubernetesResource> informer = r.namespaced()
                    ? op.inAnyNamespace().runnableInformer(0) : op.runnableInformer(0);
            dev.berth.core.controller.runtime.Informers.keepRetrying(informer, r.toString());
            informer.addIndexers(Map.of(
                    BY_UID, (Function<GenericKubernetesResource, List<String>>) o -> List.of(o.getMetadata().getUid()),
                    BY_OWNER_UID, ResourceMonitors::ownerUids));
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(GenericKubernetesResource obj) {
                    listener.added(r, obj);
                }

                @Override
                public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                    listener.updated(r, oldObj, newObj);
                }

                @Override
                public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                    listener.deleted(r, obj);
                }
            });
            informers.put(r, informer);
            informer.start();
        }
    }

    private static List<String> ownerUids(GenericKubernetesResource o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return List.of();
        }
        return refs.stream().map(OwnerReference::getUid).filter(u -> u != null && !u.isEmpty()).distinct().toList();
    }

    boolean hasSynced() {
        return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    Collection<ApiResource> watched() {
        return List.copyOf(informers.keySet());
    }

    /** The resource an ownerReference's apiVersion and kind name, or null when the server does not serve it. */
    ApiResource resolve(String apiVersion, String kind) {
        String group = apiVersion == null || !apiVersion.contains("/") ? "" : apiVersion.substring(0, apiVersion.indexOf('/'));
        return byGroupKind.get(group + "/" + kind);
    }

    boolean isWatched(ApiResource r) {
        return informers.containsKey(r);
    }

    /** The cached object, or null. */
    GenericKubernetesResource get(ApiResource r, String namespace, String name) {
        SharedIndexInformer<GenericKubernetesResource> informer = informers.get(r);
        if (informer == null) {
            return null;
        }
        String key = r.namespaced() && namespace != null && !namespace.isEmpty() ? namespace + "/" + name : name;
        return informer.getStore().getByKey(key);
    }

    /** Every cached object with this uid (one, unless a resource is served under two names). */
    List<Node> byUid(String uid) {
        return lookup(BY_UID, uid);
    }

    /** Every cached object that names {@code ownerUid} in its ownerReferences. */
    List<Node> dependents(String ownerUid) {
        return lookup(BY_OWNER_UID, ownerUid);
    }

    private List<Node> lookup(String index, String value) {
        List<Node> out = new ArrayList<>();
        informers.forEach((r, informer) -> {
            for (GenericKubernetesResource o : informer.getIndexer().byIndex(index, value)) {
                out.add(new Node(refOf(r, o), o));
            }
        });
        return out;
    }

    static ObjectRef refOf(ApiResource r, HasMetadata o) {
        return new ObjectRef(r, r.namespaced() ? o.getMetadata().getNamespace() : "", o.getMetadata().getName(),
                o.getMetadata().getUid());
    }

    @Override
    public synchronized void close() {
        closed = true;
        informers.values().forEach(SharedIndexInformer::stop);
        informers.clear();
    }
}
