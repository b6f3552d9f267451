/**
 * The Job controller and the ttl-after-finished controller: Jobs run their pods to completion
 * (completions, parallelism, Indexed mode, backoff, deadlines, suspend), counting finished pods
 * through the {@code batch.kubernetes.io/job-tracking} finalizer; finished Jobs with a TTL are
 * deleted. Entry points: {@link dev.berth.core.controller.job.Jobs} and
 * {@link dev.berth.core.controller.job.TtlAfterFinished}.
 */
package dev.berth.core.controller.job;
