package dev.berth.core.controller.podautoscaler;

import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * The HorizontalPodAutoscaler controller: each autoscaler is reconciled when it changes and then
 * every {@link HorizontalReconciler#SYNC_PERIOD}.
 */
public final class HorizontalPodAutoscalers implements LoopComponent {
    public static final int DEFAULT_WORKERS = 2;

    private final ControlLoop loop;

    public HorizontalPodAutoscalers(ControllerContext context) {
        HorizontalReconciler reconciler = new HorizontalReconciler(context);
        this.loop = new ControlLoop("horizontal-pod-autoscaler", context, reconciler, DEFAULT_WORKERS);
        context.informers().of(Pod.class);
        context.informers().of(HorizontalPodAutoscaler.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HorizontalPodAutoscaler obj) {
                loop.enqueue(obj);
            }

            @Override
            public void onUpdate(HorizontalPodAutoscaler oldObj, HorizontalPodAutoscaler newObj) {
                // status writes come back here too: only spec changes need a pass before the next sync
                if (!java.util.Objects.equals(oldObj.getSpec(), newObj.getSpec())) {
                    loop.enqueue(newObj);
                }
            }

            @Override
            public void onDelete(HorizontalPodAutoscaler obj, boolean deletedFinalStateUnknown) {
                reconciler.forget(Keys.of(obj));
            }
        });
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }
}
