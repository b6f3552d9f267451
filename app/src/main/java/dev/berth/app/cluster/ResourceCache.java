package dev.berth.app.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The objects of one kind, kept current by a fabric8 informer (list, then watch). Listeners hear
 * every change on the informer's thread; they must only hand it on (e.g. to an {@code FxBatcher}).
 * A listener added late first hears every cached object as an ADDED.
 */
public final class ResourceCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceCache.class);
    static final String OWNER_INDEX = "owner";

    public enum Type { ADDED, MODIFIED, DELETED }

    public record Change(Type type, GenericKubernetesResource object) {}

    private final ResourceKind kind;
    private final SharedIndexInformer<GenericKubernetesResource> informer;
    private final CopyOnWriteArrayList<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<String>> errorListeners = new CopyOnWriteArrayList<>();
    private volatile String error;

    ResourceCache(KubernetesClient client, ResourceKind kind) {
        this.kind = kind;
        var op = client.genericKubernetesResources(kind.context());
        var scoped = kind.namespaced() ? op.inAnyNamespace() : op;
        this.informer = scoped.withIndexers(Map.of(OWNER_INDEX, ResourceCache::ownerUids))
                .withLimit(1000L).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource obj) {
                fire(new Change(Type.ADDED, obj));
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                fire(new Change(Type.MODIFIED, newObj));
            }

            @Override
            public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                fire(new Change(Type.DELETED, obj));
            }
        });
        informer.start().whenComplete((v, e) -> {
            if (e != null) {
                fail(e);
            }
        });
        informer.stopped().whenComplete((v, e) -> {
            if (e != null) {
                fail(e);
            }
        });
    }

    private static List<String> ownerUids(GenericKubernetesResource o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return refs == null ? List.of() : refs.stream().map(OwnerReference::getUid).toList();
    }

    private void fail(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String message = "Cannot watch " + kind.title() + " (" + kind.apiVersion() + "): " + cause.getMessage();
        LOG.debug(message, cause);
        error = message;
        errorListeners.forEach(l -> l.accept(message));
    }

    private void fire(Change c) {
        for (Consumer<Change> l : listeners) {
            l.accept(c);
        }
    }

    public ResourceKind kind() {
        return kind;
    }

    /** Adds a listener and replays the cached objects to it as ADDED. */
    public synchronized void addListener(Consumer<Change> listener) {
        listeners.add(listener);
        for (GenericKubernetesResource o : informer.getStore().list()) {
            listener.accept(new Change(Type.ADDED, o));
        }
    }

    public void removeListener(Consumer<Change> listener) {
        listeners.remove(listener);
    }

    /** Told the error when the watch cannot start or stops for good; at once when it already has. */
    public void onError(Consumer<String> listener) {
        errorListeners.add(listener);
        String e = error;
        if (e != null) {
            listener.accept(e);
        }
    }

    public String error() {
        return error;
    }

    public boolean hasSynced() {
        return informer.hasSynced();
    }

    /** A snapshot of the cached objects (read-only: copy before changing). */
    public List<GenericKubernetesResource> list() {
        return informer.getStore().list();
    }

    public GenericKubernetesResource get(String namespace, String name) {
        return informer.getStore().getByKey(namespace == null || namespace.isEmpty() ? name : namespace + "/" + name);
    }

    /** The cached objects that name {@code uid} in their ownerReferences. */
    public List<GenericKubernetesResource> ownedBy(String uid) {
        return informer.getIndexer().byIndex(OWNER_INDEX, uid);
    }

    @Override
    public void close() {
        informer.close();
    }
}
