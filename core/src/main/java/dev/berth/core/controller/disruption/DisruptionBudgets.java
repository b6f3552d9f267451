package dev.berth.core.controller.disruption;

import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.Map;

/**
 * The disruption controller: budgets are reconciled when they change and when a pod they select
 * comes, goes or changes readiness.
 */
public final class DisruptionBudgets implements LoopComponent {
    public static final int DEFAULT_WORKERS = 2;

    private final ControlLoop loop;
    private final Informers informers;

    public DisruptionBudgets(ControllerContext context) {
        this.informers = context.informers();
        this.loop = new ControlLoop("disruption", context, new DisruptionReconciler(context), DEFAULT_WORKERS);
        // the scales of the pods' controllers give the expected count of percentage budgets
        informers.of(ReplicaSet.class);
        informers.of(Deployment.class);
        informers.of(StatefulSet.class);
        informers.of(ReplicationController.class);
        informers.of(PodDisruptionBudget.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PodDisruptionBudget obj) {
                loop.enqueue(obj);
            }

            @Override
            public void onUpdate(PodDisruptionBudget oldObj, PodDisruptionBudget newObj) {
                loop.enqueue(newObj);
            }

            @Override
            public void onDelete(PodDisruptionBudget obj, boolean deletedFinalStateUnknown) {
            }
        });
        informers.of(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueBudgetsOf(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                enqueueBudgetsOf(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                enqueueBudgetsOf(pod);
            }
        });
    }

    private void enqueueBudgetsOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        for (PodDisruptionBudget pdb : informers.inNamespace(PodDisruptionBudget.class, pod.getMetadata().getNamespace())) {
            if (pdb.getSpec() != null && pdb.getSpec().getSelector() != null
                    && LabelSelector.from(pdb.getSpec().getSelector()).matches(labels)) {
                loop.enqueue(pdb);
            }
        }
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }
}
