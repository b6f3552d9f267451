package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One shared informer per resource type inside a process: every controller asking for pods gets
 * the same list+watch cache (indexed by namespace; relisting on 410 is the informer's own).
 * Informers are created on first request; indexers must be added before {@link #start()}.
 * Informers requested after the start are started at once.
 *
 * <p>Objects from an informer's store are shared and read-only: copy them through the fabric8
 * builders before changing them.
 */
public final class Informers implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Informers.class);
    /** The namespace index every informer carries (fabric8's own). */
    public static final String NAMESPACE_INDEX = Cache.NAMESPACE_INDEX;

    private final KubernetesClient client;
    private final Map<Class<?>, SharedIndexInformer<?>> informers = new LinkedHashMap<>();
    private final List<CompletableFuture<Void>> syncs = new ArrayList<>();
    private final CompletableFuture<Void> startedFuture = new CompletableFuture<>();
    private boolean started;
    private volatile boolean closed;

    public Informers(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    public KubernetesClient client() {
        return client;
    }

    /**
     * Makes {@code informer} keep listing and watching after any failure (with the client's
     * backoff) instead of stopping for good when a list fails, as it does by default while the API
     * server is busy or restarting. Call before starting it.
     */
    public static <T> SharedIndexInformer<T> keepRetrying(SharedIndexInformer<T> informer, String what) {
        informer.exceptionHandler((isStarted, t) -> {
            LOG.debug("list/watch of {} failed, retrying: {}", what, t.toString());
            return true;
        });
        return informer;
    }

    /**
     * Runs {@code action} on every add, update and delete that {@code informer} delivers, for
     * reconcilers that recompute their whole state on any change. Returns what removes the
     * handler again.
     */
    public static <T> Runnable onAnyChange(SharedIndexInformer<T> informer, Runnable action) {
        Objects.requireNonNull(action, "action");
        ResourceEventHandler<T> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                action.run();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                action.run();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                action.run();
            }
        };
        informer.addEventHandler(handler);
        return () -> informer.removeEventHandler(handler);
    }

    /** The shared informer of {@code type}, created on first request. */
    @SuppressWarnings("unchecked")
    public synchronized <T extends HasMetadata> SharedIndexInformer<T> of(Class<T> type) {
        if (closed) {
            throw new IllegalStateException("informers are closed");
        }
        SharedIndexInformer<T> informer = (SharedIndexInformer<T>) informers.get(type);
        if (informer == null) {
            informer = client.resources(type).inAnyNamespace().runnableInformer(0);
            // keep listing until the API server answers: by default an informer whose first list
            // fails (the server busy or restarting) stops for good, and its controller with it
            informer.exceptionHandler((isStarted, t) -> {
                if (!closed) {
                    LOG.debug("list/watch of {} failed, retrying: {}", type.getSimpleName(), t.toString());
                }
                return !closed;
            });
            informers.put(type, informer);
            if (started) {
                syncs.add(informer.start().toCompletableFuture());
            }
        }
        return informer;
    }

    /**
     * Adds an index to the shared informer of {@code type} unless one of that name exists. Must run
     * before {@link #start()}: a started informer refuses new indexers.
     */
    public synchronized <T extends HasMetadata> SharedIndexInformer<T> indexed(Class<T> type, String indexName,
                                                                               Function<T, List<String>> indexFunc) {
        SharedIndexInformer<T> informer = of(type);
        if (!informer.getIndexer().getIndexers().containsKey(indexName)) {
            informer.addIndexers(Map.of(indexName, indexFunc));
        }
        return informer;
    }

    /** Starts every informer requested so far; later ones start as they are requested. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        for (SharedIndexInformer<?> informer : informers.values()) {
            syncs.add(informer.start().toCompletableFuture());
        }
        startedFuture.complete(null);
    }

    /**
     * Completes once {@link #start()} has run and every informer started by then has listed its
     * resource; asked before the start, it waits for the start.
     */
    public CompletableFuture<Void> synced() {
        return startedFuture.thenCompose(v -> {
            synchronized (this) {
                return CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new));
            }
        });
    }

    /** True once every started informer has listed its resource. */
    public synchronized boolean hasSynced() {
        return started && informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** The object with key {@code namespace/name} (or {@code name} for cluster-scoped types), or null. */
    public <T extends HasMetadata> T get(Class<T> type, String key) {
        return of(type).getStore().getByKey(key);
    }

    /** Every cached object of {@code type} in {@code namespace}. */
    public <T extends HasMetadata> List<T> inNamespace(Class<T> type, String namespace) {
        return of(type).getIndexer().byIndex(NAMESPACE_INDEX, namespace);
    }

    /** Every cached object of {@code type}. */
    public <T extends HasMetadata> List<T> list(Class<T> type) {
        return of(type).getStore().list();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SharedIndexInformer<?> informer : informers.values()) {
            informer.stop();
        }
    }
}
