package dev.berth.core.controller.daemonset;

import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The DaemonSet controller: informer handlers on DaemonSets, their pods, nodes and revisions enqueue
 * DaemonSet keys (a node change enqueues every DaemonSet); workers run {@link DaemonSetReconciler}.
 */
public final class DaemonSets implements LoopComponent {
    public static final String NAME = "daemonset";
    public static final int DEFAULT_WORKERS = 2;

    private final ControlLoop loop;
    private final DaemonSetReconciler reconciler;
    private final Informers informers;

    public DaemonSets(ControllerContext context) {
        this(context, DEFAULT_WORKERS);
    }

    public DaemonSets(ControllerContext context, int workers) {
        this.informers = context.informers();
        informers.indexed(Pod.class, DaemonSetReconciler.CONTROLLER_UID_INDEX, DaemonSets::controllerUid);
        this.reconciler = new DaemonSetReconciler(context.client(), informers, context.clock(), context.events());
        this.loop = new ControlLoop(NAME, context, reconciler, workers);
        Expectations expectations = reconciler.expectations();

        informers.of(DaemonSet.class).addEventHandler(handler(loop::enqueue, loop::enqueue));
        informers.of(ControllerRevision.class).addEventHandler(handler(this::enqueueOwner, this::enqueueOwner));
        informers.of(Node.class).addEventHandler(handler(n -> enqueueAll(), n -> enqueueAll()));
        informers.of(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                String key = ownerKey(pod);
                if (key != null) {
                    expectations.observedAdd(key);
                    loop.enqueue(key);
                }
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                enqueueOwner(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                String key = ownerKey(pod);
                if (key != null) {
                    expectations.observedDelete(key, pod.getMetadata().getName());
                    loop.enqueue(key);
                }
            }
        });
    }

    static List<String> controllerUid(HasMetadata obj) {
        if (obj.getMetadata().getOwnerReferences() == null) {
            return List.of();
        }
        return obj.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()))
                .map(OwnerReference::getUid).filter(Objects::nonNull).limit(1).toList();
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> onChange, Consumer<T> onDelete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T obj) {
                onChange.accept(obj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onDelete.accept(obj);
            }
        };
    }

    private static String ownerKey(HasMetadata obj) {
        if (obj.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        return obj.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()) && "DaemonSet".equals(o.getKind())
                        && o.getApiVersion() != null && o.getApiVersion().startsWith("apps/"))
                .map(o -> Keys.of(obj.getMetadata().getNamespace(), o.getName()))
                .findFirst().orElse(null);
    }

    private void enqueueOwner(HasMetadata obj) {
        String key = ownerKey(obj);
        if (key != null) {
            loop.enqueue(key);
        }
    }

    private void enqueueAll() {
        for (DaemonSet ds : informers.list(DaemonSet.class)) {
            loop.enqueue(ds);
        }
    }

    /** The control loop, for tests that reconcile by hand. */
    @Override
    public ControlLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return NAME;
    }

}
