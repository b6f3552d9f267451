package dev.berth.core.controller.cronjob;

import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.List;

/**
 * The CronJob controller: CronJob and Job informers whose handlers enqueue the CronJob's key, and
 * workers running {@link CronJobReconciler}, which requeue each CronJob for its next start time.
 */
public final class CronJobs implements LoopComponent {
    public static final String NAME = "cronjob";
    public static final int DEFAULT_WORKERS = 1;
    static final String BY_CRONJOB = "cronjob-owner";

    private final ControlLoop loop;

    public CronJobs(ControllerContext context, int workers) {
        SharedIndexInformer<Job> jobs = context.informers().indexed(Job.class, BY_CRONJOB, j -> {
            OwnerReference o = cronJobOwner(j);
            return o == null ? List.of() : List.of(Keys.of(j.getMetadata().getNamespace(), o.getName()));
        });
        this.loop = new ControlLoop(NAME, context,
                new CronJobReconciler(context, key -> jobs.getIndexer().byIndex(BY_CRONJOB, key)), workers);
        context.informers().of(CronJob.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CronJob cj) {
                loop.enqueue(cj);
            }

            @Override
            public void onUpdate(CronJob oldCj, CronJob cj) {
                loop.enqueue(cj);
            }

            @Override
            public void onDelete(CronJob cj, boolean deletedFinalStateUnknown) {
            }
        });
        jobs.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueueOwner(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job job) {
                enqueueOwner(job);
            }

            @Override
            public void onDelete(Job job, boolean deletedFinalStateUnknown) {
                enqueueOwner(job);
            }
        });
    }

    private void enqueueOwner(Job job) {
        OwnerReference o = cronJobOwner(job);
        if (o != null) {
            loop.enqueue(Keys.of(job.getMetadata().getNamespace(), o.getName()));
        }
    }

    static OwnerReference cronJobOwner(Job job) {
        List<OwnerReference> refs = job.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController()) && "CronJob".equals(r.getKind()))
                .findFirst().orElse(null);
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
