package dev.berth.core.controller.serviceaccount;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Reconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.function.Predicate;

/**
 * A control loop keyed by namespace name: namespaces appearing or changing enqueue themselves,
 * and a deleted or changed {@code watched} object that {@code concerns} enqueues its namespace.
 */
final class NamespaceScopedLoop<T extends HasMetadata> implements Component {
    private final ControllerContext context;
    private final ControlLoop loop;
    private final Class<T> watched;
    private final Predicate<T> concerns;

    NamespaceScopedLoop(String name, ControllerContext context, Reconciler<String> reconciler, int workers,
                        Class<T> watched, Predicate<T> concerns) {
        this.context = context;
        this.loop = new ControlLoop(name, context, reconciler, workers);
        this.watched = watched;
        this.concerns = concerns;
    }

    ControlLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return loop.name();
    }

    @Override
    public void start() {
        context.informers().of(Namespace.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                loop.enqueue(ns.getMetadata().getName());
            }

            @Override
            public void onUpdate(Namespace before, Namespace ns) {
                loop.enqueue(ns.getMetadata().getName());
            }

            @Override
            public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {
                // nothing to keep in a namespace that is gone
            }
        });
        context.informers().of(watched).addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
            }

            @Override
            public void onUpdate(T before, T obj) {
                enqueueNamespace(obj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                enqueueNamespace(obj);
            }
        });
        loop.start();
    }

    private void enqueueNamespace(T obj) {
        if (concerns.test(obj)) {
            loop.enqueue(obj.getMetadata().getNamespace());
        }
    }

    @Override
    public boolean isReady() {
        return loop.isReady();
    }

    @Override
    public void close() {
        loop.close();
    }

    /** True when the namespace exists and is not being deleted: nothing is created in a terminating one. */
    static boolean active(Namespace ns) {
        return ns != null && ns.getMetadata().getDeletionTimestamp() == null
                && (ns.getStatus() == null || !"Terminating".equals(ns.getStatus().getPhase()));
    }
}
