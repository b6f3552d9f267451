package dev.berth.core.controller.job;

import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/** The ttl-after-finished controller: enqueues finished Jobs that carry a TTL; {@link TtlAfterFinishedReconciler} deletes them. */
public final class TtlAfterFinished implements LoopComponent {
    public static final String NAME = "ttl-after-finished";
    public static final int DEFAULT_WORKERS = 1;

    private final ControlLoop loop;

    public TtlAfterFinished(ControllerContext context, int workers) {
        this.loop = new ControlLoop(NAME, context, new TtlAfterFinishedReconciler(context), workers);
        context.informers().of(Job.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueueIfNeeded(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job job) {
                enqueueIfNeeded(job);
            }

            @Override
            public void onDelete(Job job, boolean deletedFinalStateUnknown) {
            }
        });
    }

    private void enqueueIfNeeded(Job job) {
        if (TtlAfterFinishedReconciler.needsCleanup(job)) {
            loop.enqueue(job);
        }
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return NAME;
    }

}
