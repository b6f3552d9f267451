package dev.berth.core.controller.namespace;

import dev.berth.core.controller.runtime.Controller;
import dev.berth.core.controller.runtime.WorkQueue;
import dev.berth.core.controller.runtime.Component;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Clock;
import java.time.Duration;

/**
 * The namespace lifecycle controller: a namespace informer whose handlers enqueue the names of
 * namespaces being deleted, and workers running {@link NamespaceReconciler}.
 */
public final class NamespaceDeletion implements Component {
    public static final int DEFAULT_WORKERS = 2;
    /** Kubernetes' namespace controller backs off from 5 ms to 60 s while content remains. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final SharedIndexInformer<Namespace> informer;
    private final WorkQueue<String> queue;
    private final Controller<String> controller;
    private volatile boolean started;

    public NamespaceDeletion(KubernetesClient client, Clock clock, int workers) {
        this.queue = new WorkQueue<>(clock, WorkQueue.DEFAULT_BASE_DELAY, MAX_BACKOFF);
        this.informer = dev.berth.core.controller.runtime.Informers.keepRetrying(client.namespaces().runnableInformer(0), "namespaces");
        this.informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                enqueueIfDeleting(ns);
            }

            @Override
            public void onUpdate(Namespace oldNs, Namespace ns) {
                enqueueIfDeleting(ns);
            }

            @Override
            public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {
                // nothing left to do
            }
        });
        this.controller = new Controller<>("namespace", queue,
                new NamespaceReconciler(client, name -> informer.getStore().getByKey(name), clock), workers);
    }

    private void enqueueIfDeleting(Namespace ns) {
        if (ns.getMetadata().getDeletionTimestamp() != null) {
            queue.add(ns.getMetadata().getName());
        }
    }

    @Override
    public String name() {
        return "namespace";
    }

    /** Starts the informer, and the workers once it has listed the namespaces. */
    @Override
    public void start() {
        informer.start().thenRun(() -> {
            controller.start();
            started = true;
        });
    }

    /** True once the namespaces were listed and the workers run. */
    @Override
    public boolean isReady() {
        return started;
    }

    @Override
    public void close() {
        controller.stop(Duration.ofSeconds(5));
        informer.stop();
    }
}
