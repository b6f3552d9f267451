package dev.berth.core.controller.statefulset;

import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.List;
import java.util.Objects;

/**
 * The StatefulSet controller: informer handlers on StatefulSets, their pods and revisions enqueue
 * StatefulSet keys; workers run {@link StatefulSetReconciler}. Claims are read from the shared
 * PersistentVolumeClaim informer.
 */
public final class StatefulSets implements LoopComponent {
    public static final String NAME = "statefulset";
    public static final int DEFAULT_WORKERS = 2;

    private final ControlLoop loop;

    public StatefulSets(ControllerContext context) {
        this(context, DEFAULT_WORKERS);
    }

    public StatefulSets(ControllerContext context, int workers) {
        Informers informers = context.informers();
        informers.indexed(Pod.class, StatefulSetReconciler.CONTROLLER_UID_INDEX, StatefulSets::controllerUid);
        informers.of(PersistentVolumeClaim.class);
        this.loop = new ControlLoop(NAME, context,
                new StatefulSetReconciler(context.client(), informers, context.clock(), context.events()), workers);
        informers.of(StatefulSet.class).addEventHandler(new Handler<>() {
            @Override
            void changed(StatefulSet sts) {
                loop.enqueue(sts);
            }
        });
        informers.of(Pod.class).addEventHandler(new Handler<>() {
            @Override
            void changed(Pod pod) {
                enqueueOwner(pod);
            }
        });
        informers.of(ControllerRevision.class).addEventHandler(new Handler<>() {
            @Override
            void changed(ControllerRevision r) {
                enqueueOwner(r);
            }
        });
    }

    private abstract static class Handler<T> implements ResourceEventHandler<T> {
        abstract void changed(T obj);

        @Override
        public void onAdd(T obj) {
            changed(obj);
        }

        @Override
        public void onUpdate(T oldObj, T obj) {
            changed(obj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed(obj);
        }
    }

    static List<String> controllerUid(HasMetadata obj) {
        if (obj.getMetadata().getOwnerReferences() == null) {
            return List.of();
        }
        return obj.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()))
                .map(OwnerReference::getUid).filter(Objects::nonNull).limit(1).toList();
    }

    private void enqueueOwner(HasMetadata obj) {
        if (obj.getMetadata().getOwnerReferences() == null) {
            return;
        }
        obj.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()) && "StatefulSet".equals(o.getKind())
                        && o.getApiVersion() != null && o.getApiVersion().startsWith("apps/"))
                .findFirst()
                .ifPresent(o -> loop.enqueue(Keys.of(obj.getMetadata().getNamespace(), o.getName())));
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
