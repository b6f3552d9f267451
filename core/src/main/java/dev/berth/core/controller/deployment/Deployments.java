package dev.berth.core.controller.deployment;

import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.controller.replicaset.Pods;
import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.Objects;

/**
 * The deployment controller: handlers on Deployments, ReplicaSets and pods that only enqueue the
 * deployment concerned, and a {@link ControlLoop} running {@link DeploymentReconciler}.
 */
public final class Deployments implements LoopComponent {
    public static final int DEFAULT_WORKERS = 2;

    private final ControllerContext context;
    private final DeploymentReconciler reconciler;
    private final ControlLoop loop;

    public Deployments(ControllerContext context) {
        this(context, DEFAULT_WORKERS);
    }

    public Deployments(ControllerContext context, int workers) {
        this.context = Objects.requireNonNull(context, "context");
        this.reconciler = new DeploymentReconciler(context);
        this.loop = new ControlLoop("deployment", context, reconciler, workers);
        context.informers().of(Deployment.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                loop.enqueue(d);
            }

            @Override
            public void onUpdate(Deployment oldD, Deployment d) {
                loop.enqueue(d);
            }

            @Override
            public void onDelete(Deployment d, boolean deletedFinalStateUnknown) {
                loop.enqueue(d);
            }
        });
        context.informers().of(ReplicaSet.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                replicaSetChanged(null, rs);
            }

            @Override
            public void onUpdate(ReplicaSet oldRs, ReplicaSet rs) {
                replicaSetChanged(oldRs, rs);
            }

            @Override
            public void onDelete(ReplicaSet rs, boolean deletedFinalStateUnknown) {
                enqueueOwner(rs);
            }
        });
        context.informers().of(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                // Recreate waits for the old pods to be gone
                OwnerReference ref = Pods.controllerOf(pod);
                if (ref != null && "ReplicaSet".equals(ref.getKind())) {
                    ReplicaSet rs = context.informers().get(ReplicaSet.class,
                            Keys.of(pod.getMetadata().getNamespace(), ref.getName()));
                    if (rs != null && Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
                        enqueueOwner(rs);
                    }
                }
            }
        });
    }

    public DeploymentReconciler reconciler() {
        return reconciler;
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }

    private void replicaSetChanged(ReplicaSet oldRs, ReplicaSet rs) {
        if (oldRs != null) {
            OwnerReference oldRef = Pods.controllerOf(oldRs);
            OwnerReference ref = Pods.controllerOf(rs);
            if (oldRef != null && (ref == null || !oldRef.getUid().equals(ref.getUid()))) {
                enqueueOwner(oldRs);
            }
        }
        if (Pods.controllerOf(rs) != null) {
            enqueueOwner(rs);
            return;
        }
        if (rs.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        for (Deployment d : context.informers().inNamespace(Deployment.class, rs.getMetadata().getNamespace())) {
            if (d.getSpec() == null || d.getSpec().getSelector() == null) {
                continue;
            }
            LabelSelector selector = LabelSelector.from(d.getSpec().getSelector());
            if (!selector.isEmpty() && selector.matches(Pods.labels(rs))) {
                loop.enqueue(d);
            }
        }
    }

    private void enqueueOwner(HasMetadata rs) {
        OwnerReference ref = Pods.controllerOf(rs);
        if (ref == null || !"Deployment".equals(ref.getKind())) {
            return;
        }
        String key = Keys.of(rs.getMetadata().getNamespace(), ref.getName());
        Deployment d = context.informers().get(Deployment.class, key);
        if (d != null && Objects.equals(d.getMetadata().getUid(), ref.getUid())) {
            loop.enqueue(key);
        }
    }

    @Override
    public String name() {
        return "deployment";
    }

}
