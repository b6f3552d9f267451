package dev.berth.core.controller.replicaset;

import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.Objects;

/**
 * The replica set controller (or the replication controller): informer handlers that only
 * enqueue keys and lower {@link Expectations}, and a {@link ControlLoop} running
 * {@link ReplicaSetReconciler}.
 */
public final class ReplicaSets<T extends HasMetadata> implements LoopComponent {
    public static final int DEFAULT_WORKERS = 2;

    private final ControllerContext context;
    private final ReplicaKind<T> kind;
    private final Expectations expectations;
    private final ReplicaSetReconciler<T> reconciler;
    private final ControlLoop loop;

    public static ReplicaSets<ReplicaSet> replicaSets(ControllerContext context) {
        return new ReplicaSets<>(context, ReplicaKind.REPLICA_SET, DEFAULT_WORKERS);
    }

    public static ReplicaSets<ReplicationController> replicationControllers(ControllerContext context) {
        return new ReplicaSets<>(context, ReplicaKind.REPLICATION_CONTROLLER, DEFAULT_WORKERS);
    }

    public ReplicaSets(ControllerContext context, ReplicaKind<T> kind, int workers) {
        this.context = Objects.requireNonNull(context, "context");
        this.kind = kind;
        this.expectations = new Expectations(context.clock());
        this.reconciler = new ReplicaSetReconciler<>(context, kind, expectations);
        this.loop = new ControlLoop(kind.controllerName(), context, reconciler, workers);
        context.informers().of(kind.type()).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                loop.enqueue(obj);
            }

            @Override
            public void onUpdate(T oldObj, T obj) {
                loop.enqueue(obj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                loop.enqueue(obj);
            }
        });
        context.informers().of(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podAdded(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                podUpdated(oldPod, pod);
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                podDeleted(pod);
            }
        });
    }

    public ReplicaSetReconciler<T> reconciler() {
        return reconciler;
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }

    private T owner(Pod pod, OwnerReference ref) {
        if (ref == null || !kind.kind().equals(ref.getKind()) || !group(kind.apiVersion()).equals(group(ref.getApiVersion()))) {
            return null;
        }
        T owner = context.informers().get(kind.type(), Keys.of(pod.getMetadata().getNamespace(), ref.getName()));
        return owner != null && Objects.equals(owner.getMetadata().getUid(), ref.getUid()) ? owner : null;
    }

    private static String group(String apiVersion) {
        int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private void enqueueMatching(Pod pod) {
        for (T obj : context.informers().inNamespace(kind.type(), pod.getMetadata().getNamespace())) {
            var selector = kind.selector(obj);
            if (!selector.selectsNothing() && selector.matches(Pods.labels(pod))) {
                loop.enqueue(obj);
            }
        }
    }

    private void podAdded(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            podDeleted(pod); // seen for the first time while being deleted: count it as deleted
            return;
        }
        OwnerReference ref = Pods.controllerOf(pod);
        if (ref != null) {
            T owner = owner(pod, ref);
            if (owner != null) {
                String key = Keys.of(owner);
                expectations.creationObserved(key);
                loop.enqueue(key);
            }
            return;
        }
        enqueueMatching(pod);
    }

    private void podUpdated(Pod oldPod, Pod pod) {
        if (Objects.equals(oldPod.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
            return; // a resync: nothing changed
        }
        boolean labelsChanged = !Pods.labels(oldPod).equals(Pods.labels(pod));
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            podDeleted(pod);
            if (labelsChanged) {
                podDeleted(oldPod);
            }
            return;
        }
        OwnerReference ref = Pods.controllerOf(pod);
        OwnerReference oldRef = Pods.controllerOf(oldPod);
        boolean refChanged = !Objects.equals(ref == null ? null : ref.getUid(), oldRef == null ? null : oldRef.getUid());
        if (refChanged && oldRef != null) {
            T old = owner(oldPod, oldRef);
            if (old != null) {
                loop.enqueue(old);
            }
        }
        if (ref != null) {
            T owner = owner(pod, ref);
            if (owner != null) {
                loop.enqueue(owner);
            }
            return;
        }
        if (labelsChanged || refChanged) {
            enqueueMatching(pod);
        }
    }

    private void podDeleted(Pod pod) {
        T owner = owner(pod, Pods.controllerOf(pod));
        if (owner != null) {
            String key = Keys.of(owner);
            expectations.deletionObserved(key, pod.getMetadata().getUid());
            loop.enqueue(key);
        }
    }

    @Override
    public String name() {
        return kind.controllerName();
    }

}
