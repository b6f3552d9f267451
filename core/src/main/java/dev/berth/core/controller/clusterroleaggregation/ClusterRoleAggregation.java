package dev.berth.core.controller.clusterroleaggregation;

import dev.berth.core.api.rbac.Aggregation;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.LoopComponent;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * The {@code clusterrole-aggregation} controller: a ClusterRole with an aggregationRule holds the
 * rules of the ClusterRoles its selectors pick. Any ClusterRole change enqueues every aggregated
 * ClusterRole, as Kubernetes' controller does.
 */
public final class ClusterRoleAggregation implements LoopComponent {
    public static final String NAME = "clusterrole-aggregation";
    public static final int DEFAULT_WORKERS = 1;

    private final ControlLoop loop;

    public ClusterRoleAggregation(ControllerContext context) {
        Informers informers = context.informers();
        this.loop = new ControlLoop(NAME, context, new ClusterRoleAggregationReconciler(context.client(), informers),
                DEFAULT_WORKERS);
        informers.of(ClusterRole.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ClusterRole role) {
                enqueueAggregated();
            }

            @Override
            public void onUpdate(ClusterRole oldRole, ClusterRole role) {
                enqueueAggregated();
            }

            @Override
            public void onDelete(ClusterRole role, boolean deletedFinalStateUnknown) {
                enqueueAggregated();
            }

            private void enqueueAggregated() {
                for (ClusterRole r : informers.list(ClusterRole.class)) {
                    if (Aggregation.isAggregated(r)) {
                        loop.enqueue(r.getMetadata().getName());
                    }
                }
            }
        });
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }
}
