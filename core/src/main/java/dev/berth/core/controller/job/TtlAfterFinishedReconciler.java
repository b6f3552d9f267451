package dev.berth.core.controller.job;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Deletes a finished Job (Complete or Failed) once {@code spec.ttlSecondsAfterFinished} has passed
 * since it finished, with propagation Background so that the garbage collector removes its pods,
 * as Kubernetes' ttl-after-finished controller does. Before deleting it reads the Job afresh, so
 * a TTL changed meanwhile is honoured.
 */
public final class TtlAfterFinishedReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(TtlAfterFinishedReconciler.class);

    private final ControllerContext context;

    TtlAfterFinishedReconciler(ControllerContext context) {
        this.context = context;
    }

    @Override
    public Result reconcile(String key) {
        Job cached = context.informers().get(Job.class, key);
        if (cached == null || !needsCleanup(cached)) {
            return Result.done();
        }
        Duration left = timeLeft(cached);
        if (left.isPositive()) {
            return Result.requeueAfter(left);
        }
        Job fresh = context.client().batch().v1().jobs().inNamespace(Keys.namespace(key)).withName(Keys.name(key)).get();
        if (fresh == null || !needsCleanup(fresh)) {
            return Result.done();
        }
        left = timeLeft(fresh);
        if (left.isPositive()) {
            return Result.requeueAfter(left);
        }
        log.info("job {}: deleting, finished more than {} s ago", key, fresh.getSpec().getTtlSecondsAfterFinished());
        context.client().batch().v1().jobs().inNamespace(Keys.namespace(key)).withName(Keys.name(key))
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete();
        return Result.done();
    }

    static boolean needsCleanup(Job job) {
        return job.getMetadata().getDeletionTimestamp() == null && job.getSpec() != null
                && job.getSpec().getTtlSecondsAfterFinished() != null && JobReconciler.finishedCondition(job) != null;
    }

    /** The time until the job expires: its finish time (completionTime, else the condition's transition) plus the TTL. */
    private Duration timeLeft(Job job) {
        JobCondition finished = JobReconciler.finishedCondition(job);
        String at = "Complete".equals(finished.getType()) && job.getStatus().getCompletionTime() != null
                ? job.getStatus().getCompletionTime() : finished.getLastTransitionTime();
        Instant finishedAt = at == null ? context.clock().instant() : Instant.parse(at);
        Instant expireAt = finishedAt.plusSeconds(job.getSpec().getTtlSecondsAfterFinished());
        return Duration.between(context.clock().instant(), expireAt);
    }
}
