package dev.berth.core.controller.job;

import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.WorkQueue;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.util.List;

/**
 * The Job controller: Job and Pod informers whose handlers enqueue the job's key (and lower the
 * pod expectations), and workers running {@link JobReconciler}.
 */
public final class Jobs implements LoopComponent {
    public static final String NAME = "job";
    public static final int DEFAULT_WORKERS = 2;
    /** Pods indexed by {@code namespace/jobName} of their controlling Job. */
    static final String BY_JOB = "job-owner";

    private final ControlLoop loop;
    private final JobReconciler reconciler;

    public Jobs(ControllerContext context, int workers) {
        Expectations expectations = new Expectations(context.clock());
        SharedIndexInformer<Pod> pods = context.informers().indexed(Pod.class, BY_JOB, p -> {
            OwnerReference o = JobPods.jobOwner(p);
            return o == null ? List.of() : List.of(Keys.of(p.getMetadata().getNamespace(), o.getName()));
        });
        SharedIndexInformer<Job> jobs = context.informers().of(Job.class);
        this.reconciler = new JobReconciler(context, key -> pods.getIndexer().byIndex(BY_JOB, key), expectations);
        this.loop = new ControlLoop(NAME, context,
                new WorkQueue<>(context.clock(), WorkQueue.DEFAULT_BASE_DELAY, Duration.ofSeconds(60)), reconciler, workers);
        jobs.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                loop.enqueue(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job job) {
                loop.enqueue(job);
            }

            @Override
            public void onDelete(Job job, boolean deletedFinalStateUnknown) {
                loop.enqueue(job);
            }
        });
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                String key = jobKey(pod);
                if (key != null) {
                    expectations.creationObserved(key);
                    if (pod.getMetadata().getDeletionTimestamp() != null) {
                        expectations.deletionObserved(key, pod.getMetadata().getName());
                    }
                    loop.enqueue(key);
                }
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                String key = jobKey(pod);
                if (key != null) {
                    if (pod.getMetadata().getDeletionTimestamp() != null) {
                        expectations.deletionObserved(key, pod.getMetadata().getName());
                    }
                    loop.enqueue(key);
                }
                String oldKey = jobKey(oldPod);
                if (oldKey != null && !oldKey.equals(key)) {
                    loop.enqueue(oldKey);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                String key = jobKey(pod);
                if (key != null) {
                    expectations.deletionObserved(key, pod.getMetadata().getName());
                    loop.enqueue(key);
                }
            }
        });
    }

    private static String jobKey(Pod pod) {
        OwnerReference o = JobPods.jobOwner(pod);
        return o == null ? null : Keys.of(pod.getMetadata().getNamespace(), o.getName());
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
