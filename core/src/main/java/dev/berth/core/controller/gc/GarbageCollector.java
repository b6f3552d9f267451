package dev.berth.core.controller.gc;

import dev.berth.core.controller.runtime.ApiDiscovery;
import dev.berth.core.controller.runtime.ApiResource;
import dev.berth.core.controller.runtime.Controller;
import dev.berth.core.controller.runtime.WorkQueue;
import dev.berth.core.controller.runtime.Component;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The garbage collector: watches every listable, watchable and deletable resource found through
 * discovery (again every {@link #REDISCOVERY_INTERVAL}, for resources added later), and once the
 * caches are filled runs {@link GarbageCollectorReconciler} over the objects that events point at.
 * Event handlers only look up the graph in memory and enqueue.
 */
public final class GarbageCollector implements Component {
    public static final Duration REDISCOVERY_INTERVAL = Duration.ofSeconds(30);
    public static final int DEFAULT_WORKERS = 4;
    /** Resources Kubernetes' collector leaves out as well: many, short-lived, never owners. */
    private static final Set<String> IGNORED = Set.of("events.", "events.events.k8s.io");

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final KubernetesClient client;
    private final WorkQueue<ObjectRef> queue;
    private final ResourceMonitors monitors;
    private final Controller<ObjectRef> controller;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("garbage-collector-discovery").daemon(true).factory());
    private volatile boolean workersStarted;

    public GarbageCollector(KubernetesClient client, Clock clock, int workers) {
        this.client = client;
        this.queue = new WorkQueue<>(clock);
        this.monitors = new ResourceMonitors(client, new Enqueuer());
        this.controller = new Controller<>("garbage-collector", queue,
                new GarbageCollectorReconciler(monitors, new ObjectWriter(client), queue), workers);
    }

    @Override
    public String name() {
        return "garbage-collector";
    }

    /** Discovers and watches resources now; the workers start once every cache is filled. */
    @Override
    public void start() {
        discoverQuietly();
        scheduler.scheduleWithFixedDelay(this::startWorkersWhenSynced, 50, 50, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::discoverQuietly, REDISCOVERY_INTERVAL.toMillis(),
                REDISCOVERY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once the caches were filled and the workers run. */
    @Override
    public boolean isReady() {
        return workersStarted;
    }

    private void discover() {
        ApiDiscovery.Discovered d = ApiDiscovery.preferredResources(client);
        if (!d.failedGroupVersions().isEmpty()) {
            log.warn("garbage collector: discovery failed for {}", d.failedGroupVersions());
        }
        List<ApiResource> watched = d.resources().stream()
                .filter(r -> r.supports("list", "watch", "delete"))
                .filter(r -> !IGNORED.contains(r.qualifiedName()))
                .toList();
        monitors.ensure(d.resources(), watched);
    }

    private void discoverQuietly() {
        try {
            discover();
        } catch (RuntimeException e) {
            log.warn("garbage collector: discovery failed: {}", e.toString());
        }
    }

    private void startWorkersWhenSynced() {
        if (workersStarted || monitors.watched().isEmpty() || !monitors.hasSynced()) {
            return;
        }
        synchronized (this) {
            if (!workersStarted && !queue.isShuttingDown()) {
                controller.start();
                workersStarted = true;
                log.info("garbage collector: caches of {} resources filled; collecting", monitors.watched().size());
            }
        }
    }

    @Override
    public synchronized void close() {
        scheduler.shutdownNow();
        controller.stop(Duration.ofSeconds(5));
        monitors.close();
    }

    /** Turns cache events into keys: the object itself, its dependents, and owners waiting on it. */
    private final class Enqueuer implements ResourceMonitors.Listener {
        @Override
        public void added(ApiResource resource, GenericKubernetesResource obj) {
            enqueueIfInteresting(resource, obj);
        }

        @Override
        public void updated(ApiResource resource, GenericKubernetesResource old, GenericKubernetesResource obj) {
            // like Kubernetes' graph builder, only changes to references or to the deletion state
            // matter: status writes and the like are not worth a reconcile
            boolean referencesChanged = !Objects.equals(old.getMetadata().getOwnerReferences(),
                    obj.getMetadata().getOwnerReferences());
            boolean deletionChanged = !Objects.equals(old.getMetadata().getDeletionTimestamp(),
                    obj.getMetadata().getDeletionTimestamp())
                    || !Objects.equals(old.getMetadata().getFinalizers(), obj.getMetadata().getFinalizers());
            if (!referencesChanged && !deletionChanged) {
                return;
            }
            enqueueIfInteresting(resource, obj);
            if (obj.getMetadata().getDeletionTimestamp() != null) {
                enqueueDependents(obj);
            }
            enqueueDeletingOwners(old, obj);
        }

        @Override
        public void deleted(ApiResource resource, GenericKubernetesResource obj) {
            enqueueDependents(obj);
            enqueueDeletingOwners(obj, null);
        }

        private void enqueueIfInteresting(ApiResource resource, HasMetadata obj) {
            var meta = obj.getMetadata();
            boolean hasOwners = meta.getOwnerReferences() != null && !meta.getOwnerReferences().isEmpty();
            if (hasOwners || meta.getDeletionTimestamp() != null) {
                queue.add(ResourceMonitors.refOf(resource, obj));
            }
        }

        private void enqueueDependents(HasMetadata owner) {
            for (ResourceMonitors.Node d : monitors.dependents(owner.getMetadata().getUid())) {
                queue.add(d.ref());
            }
        }

        /** An owner in foreground deletion waits for this object: a change to it may let the owner go. */
        private void enqueueDeletingOwners(HasMetadata a, HasMetadata b) {
            Set<String> uids = new HashSet<>();
            for (HasMetadata o : new HasMetadata[] {a, b}) {
                if (o != null && o.getMetadata().getOwnerReferences() != null) {
                    o.getMetadata().getOwnerReferences().stream().map(OwnerReference::getUid).forEach(uids::add);
                }
            }
            for (String uid : uids) {
                for (ResourceMonitors.Node owner : monitors.byUid(uid)) {
                    if (owner.object().getMetadata().getDeletionTimestamp() != null) {
                        queue.add(owner.ref());
                    }
                }
            }
        }
    }
}
