package dev.berth.core.controller.job;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Brings one Job in line with its spec, as Kubernetes' job controller does: creates pods up to
 * parallelism until completions succeed (one pod per index in Indexed mode), counts finished pods
 * through the {@code batch.kubernetes.io/job-tracking} finalizer and {@code
 * status.uncountedTerminatedPods} (so a pod deleted before anyone saw it finish still counts),
 * waits out the exponential backoff between failed pods, fails the job on backoffLimit or
 * activeDeadlineSeconds, and deletes the pods of a suspended job.
 */
public final class JobReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(JobReconciler.class);

    /** Kubernetes' pod failure backoff: 10 s doubled per consecutive failure, at most 6 minutes. */
    public static final Duration BACKOFF_BASE = Duration.ofSeconds(10);
    public static final Duration BACKOFF_MAX = Duration.ofMinutes(6);

    static final String COMPLETE = "Complete";
    static final String FAILED = "Failed";
    static final String SUSPENDED = "Suspended";
    static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";
    static final String FAILURE_TARGET = "FailureTarget";

    static final String REASON_COMPLETIONS_REACHED = "CompletionsReached";
    static final String MESSAGE_COMPLETIONS_REACHED = "Reached expected number of succeeded pods";
    static final String REASON_BACKOFF_LIMIT = "BackoffLimitExceeded";
    static final String MESSAGE_BACKOFF_LIMIT = "Job has reached the specified backoff limit";
    static final String REASON_MAX_FAILED_INDEXES = "MaxFailedIndexesExceeded";
    static final String MESSAGE_MAX_FAILED_INDEXES = "Job has exceeded the specified maximal number of failed indexes";
    static final String REASON_FAILED_INDEXES = "FailedIndexes";
    static final String MESSAGE_FAILED_INDEXES = "Job has failed indexes";
    static final String REASON_DEADLINE = "DeadlineExceeded";
    static final String MESSAGE_DEADLINE = "Job was active longer than specified deadline";

    private final ControllerContext context;
    private final KubernetesClient client;
    private final EventRecorder events;
    private final Function<String, List<Pod>> podsOfJob;
    private final Expectations expectations;
    /** Per job key: uids of pods whose tracking finalizer was removed but the cache may not show it yet. */
    private final Map<String, Set<String>> finalizersRemoved = new ConcurrentHashMap<>();
    private final Map<String, BackoffRecord> backoffs = new ConcurrentHashMap<>();

    /** Consecutive pod failures since the last success, and when the last was counted (in memory, as Kubernetes). */
    record BackoffRecord(int failuresAfterLastSuccess, Instant lastFailure) {
        Duration delay() {
            if (failuresAfterLastSuccess <= 0) {
                return Duration.ZERO;
            }
            Duration d = BACKOFF_BASE;
            for (int i = 1; i < failuresAfterLastSuccess; i++) {
                d = d.multipliedBy(2);
                if (d.compareTo(BACKOFF_MAX) >= 0) {
                    return BACKOFF_MAX;
                }
            }
            return d;
        }
    }

    /**
     * @param podsOfJob the cached pods in a namespace whose controlling owner is a Job of a name,
     *                  keyed {@code namespace/jobName}
     */
    JobReconciler(ControllerContext context, Function<String, List<Pod>> podsOfJob, Expectations expectations) {
        this.context = context;
        this.client = context.client();
        this.events = context.events();
        this.podsOfJob = podsOfJob;
        this.expectations = expectations;
    }

    @Override
    public Result reconcile(String key) {
        String ns = Keys.namespace(key);
        String name = Keys.name(key);
        Job job = context.informers().get(Job.class, key) == null ? null
                : client.batch().v1().jobs().inNamespace(ns).withName(name).get();
        List<Pod> named = podsOfJob.apply(key);
        if (job == null) {
            releaseAll(named, null);
            expectations.forget(key);
            finalizersRemoved.remove(key);
            backoffs.remove(key);
            return Result.done();
        }
        String uid = job.getMetadata().getUid();
        // pods of an earlier job of the same name are no longer tracked by anyone
        releaseAll(named, uid);
        List<Pod> pods = named.stream().filter(p -> uid.equals(JobPods.jobOwner(p).getUid())).toList();
        if (job.getMetadata().getDeletionTimestamp() != null) {
            releaseAll(pods, null);
            return Result.done();
        }
        return new Sync(key, job, pods).run();
    }

    /** Removes the tracking finalizer from every pod not owned by {@code keepUid}. */
    private void releaseAll(List<Pod> pods, String keepUid) {
        for (Pod p : pods) {
            if (JobPods.hasTrackingFinalizer(p) && (keepUid == null || !keepUid.equals(JobPods.jobOwner(p).getUid()))) {
                removeTrackingFinalizer(p);
            }
        }
    }

    private void removeTrackingFinalizer(Pod pod) {
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .edit(p -> {
                        if (p.getMetadata().getFinalizers() == null
                                || !p.getMetadata().getFinalizers().contains(JobPods.TRACKING_FINALIZER)) {
                            return p;
                        }
                        List<String> f = new ArrayList<>(p.getMetadata().getFinalizers());
                        f.remove(JobPods.TRACKING_FINALIZER);
                        return new PodBuilder(p).editMetadata().withFinalizers(f).endMetadata().build();
                    });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    private static Instant instant(String ts) {
        return ts == null ? null : Instant.parse(ts);
    }

    static JobCondition condition(List<JobCondition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    static boolean isTrue(List<JobCondition> conditions, String type) {
        JobCondition c = condition(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }

    /** The job's Complete or Failed condition when it is True, else null. */
    public static JobCondition finishedCondition(Job job) {
        List<JobCondition> cs = job.getStatus() == null ? null : job.getStatus().getConditions();
        JobCondition c = condition(cs, COMPLETE);
        if (c != null && "True".equals(c.getStatus())) {
            return c;
        }
        c = condition(cs, FAILED);
        return c != null && "True".equals(c.getStatus()) ? c : null;
    }

    /** One pass over one job; holds what the pass has computed so far. */
    private final class Sync {
        private final String key;
        private Job job;
        private final List<Pod> pods;
        private final Instant now = context.clock().instant();
        private final boolean indexed;
        /** Indexed with spec.backoffLimitPerIndex: failures are counted and limited per index. */
        private final boolean perIndex;
        private final Integer completions;
        private Duration requeue;

        Sync(String key, Job job, List<Pod> pods) {
            this.key = key;
            this.job = job;
            this.pods = pods;
            this.indexed = "Indexed".equals(job.getSpec().getCompletionMode());
            this.completions = job.getSpec().getCompletions();
            this.perIndex = indexed && completions != null && job.getSpec().getBackoffLimitPerIndex() != null;
        }

        private void requeueWithin(Duration d) {
            if (d.isNegative()) {
                d = Duration.ZERO;
            }
            if (requeue == null || d.compareTo(requeue) < 0) {
                requeue = d;
            }
        }

        Result run() {
            trackFinishedPods();
            JobStatus old = job.getStatus() == null ? new JobStatus() : job.getStatus();
            JobStatus st = new JobStatusBuilder(old).build();
            List<JobCondition> conditions = st.getConditions() == null ? new ArrayList<>() : new ArrayList<>(st.getConditions());

            List<Pod> active = pods.stream().filter(JobPods::active).toList();
            boolean finished = isTrue(conditions, COMPLETE) || isTrue(conditions, FAILED);
            boolean suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
            int succeeded = nz(st.getSucceeded());
            int failed = nz(st.getFailed());

            if (!finished) {
                if (suspended && !isTrue(conditions, FAILURE_TARGET) && !isTrue(conditions, SUCCESS_CRITERIA_MET)) {
                    deletePods(active);
                    active = List.of();
                    if (setCondition(conditions, SUSPENDED, "True", "JobSuspended", "Job suspended")) {
                        events.normal(job, "Suspended", "Job suspended");
                    }
                } else if (!suspended) {
                    if (isTrue(conditions, SUSPENDED)) {
                        setCondition(conditions, SUSPENDED, "False", "JobResumed", "Job resumed");
                        events.normal(job, "Resumed", "Job resumed");
                        // the active deadline counts from the resumption
                        st.setStartTime(timestamp(now));
                    }
                    if (st.getStartTime() == null) {
                        st.setStartTime(timestamp(now));
                    }
                }

                if (!isTrue(conditions, FAILURE_TARGET) && !isTrue(conditions, SUCCESS_CRITERIA_MET)) {
                    Integer backoffLimit = job.getSpec().getBackoffLimit();
                    Long deadline = job.getSpec().getActiveDeadlineSeconds();
                    if (perIndex) {
                        IndexSet failedIx = IndexSet.parse(st.getFailedIndexes(), completions);
                        IndexSet done = IndexSet.parse(st.getCompletedIndexes(), completions);
                        Integer maxFailed = job.getSpec().getMaxFailedIndexes();
                        if (maxFailed != null && failedIx.size() > maxFailed) {
                            setCondition(conditions, FAILURE_TARGET, "True", REASON_MAX_FAILED_INDEXES, MESSAGE_MAX_FAILED_INDEXES);
                        } else if (failedIx.size() > 0 && failedIx.size() + done.size() >= completions) {
                            setCondition(conditions, FAILURE_TARGET, "True", REASON_FAILED_INDEXES, MESSAGE_FAILED_INDEXES);
                        }
                    }
                    if (isTrue(conditions, FAILURE_TARGET)) {
                        // decided above
                    } else if (!perIndex && backoffLimit != null && failed > backoffLimit) {
                        setCondition(conditions, FAILURE_TARGET, "True", REASON_BACKOFF_LIMIT, MESSAGE_BACKOFF_LIMIT);
                    } else if (deadline != null && !suspended && st.getStartTime() != null) {
                        Instant due = instant(st.getStartTime()).plusSeconds(deadline);
                        if (!now.isBefore(due)) {
                            setCondition(conditions, FAILURE_TARGET, "True", REASON_DEADLINE, MESSAGE_DEADLINE);
                        } else {
                            requeueWithin(Duration.between(now, due));
                        }
                    }
                    java.util.Optional<String> policyMet = indexed && completions != null && !isTrue(conditions, FAILURE_TARGET)
                            ? SuccessPolicies.met(job, IndexSet.parse(st.getCompletedIndexes(), completions), completions)
                            : java.util.Optional.empty();
                    if (policyMet.isPresent()) {
                        setCondition(conditions, SUCCESS_CRITERIA_MET, "True", SuccessPolicies.REASON, policyMet.get());
                    } else if (!isTrue(conditions, FAILURE_TARGET) && successCriteriaMet(st, succeeded, active.size())) {
                        setCondition(conditions, SUCCESS_CRITERIA_MET, "True", REASON_COMPLETIONS_REACHED,
                                MESSAGE_COMPLETIONS_REACHED);
                    }
                }

                if (isTrue(conditions, FAILURE_TARGET) || isTrue(conditions, SUCCESS_CRITERIA_MET)) {
                    deletePods(active);
                    active = List.of();
                    boolean allGone = pods.stream().allMatch(p -> !JobPods.hasTrackingFinalizer(p)
                            || finalizersRemoved(key).contains(p.getMetadata().getUid()) || JobPods.terminal(p))
                            && pods.stream().noneMatch(p -> JobPods.deleting(p) && !JobPods.terminal(p)
                            && !finalizersRemoved(key).contains(p.getMetadata().getUid()))
                            && uncountedEmpty(st);
                    if (allGone) {
                        if (isTrue(conditions, FAILURE_TARGET)) {
                            JobCondition target = condition(conditions, FAILURE_TARGET);
                            setCondition(conditions, FAILED, "True", target.getReason(), target.getMessage());
                            events.warning(job, target.getReason(), target.getMessage());
                        } else {
                            JobCondition met = condition(conditions, SUCCESS_CRITERIA_MET);
                            setCondition(conditions, COMPLETE, "True", met.getReason(), met.getMessage());
                            st.setCompletionTime(timestamp(now));
                            events.normal(job, "Completed", "Job completed");
                        }
                    }
                } else if (!suspended) {
                    manage(st, active, succeeded);
                }
            }

            List<Pod> stillActive = pods.stream().filter(JobPods::active).toList();
            if (finished || suspended || isTrue(conditions, FAILURE_TARGET) || isTrue(conditions, SUCCESS_CRITERIA_MET)) {
                stillActive = List.of();
            }
            stillActive = stillActive.stream().filter(p -> !deletedNames.contains(p.getMetadata().getName())).toList();
            st.setActive(stillActive.size() + created);
            st.setReady((int) stillActive.stream().filter(JobPods::ready).count());
            st.setTerminating((int) pods.stream().filter(p -> JobPods.deleting(p) && !JobPods.terminal(p)).count()
                    + deletedNow);
            st.setConditions(conditions.isEmpty() ? null : conditions);
            if (!Objects.equals(normalized(st), normalized(old))) {
                writeStatus(st);
            }
            return requeue == null ? Result.done() : Result.requeueAfter(requeue);
        }

        private int created;
        private int deletedNow;
        /** The message of a FailJob rule of the pod failure policy that a pod of this pass matched. */
        private String failJobMessage;
        private final Set<String> deletedNames = new java.util.HashSet<>();

        private boolean uncountedEmpty(JobStatus st) {
            UncountedTerminatedPods u = st.getUncountedTerminatedPods();
            return u == null || (isEmpty(u.getSucceeded()) && isEmpty(u.getFailed()));
        }

        private boolean successCriteriaMet(JobStatus st, int succeeded, int active) {
            if (indexed) {
                return completions != null && IndexSet.parse(st.getCompletedIndexes(), completions).size() >= completions;
            }
            if (completions != null) {
                return succeeded >= completions;
            }
            return succeeded > 0 && active == 0;
        }

        /** Creates or deletes pods so that the right number (and, Indexed, the right indexes) run. */
        private void manage(JobStatus st, List<Pod> active, int succeeded) {
            if (!expectations.satisfied(key)) {
                return;
            }
            int parallelism = nz(job.getSpec().getParallelism());
            // podReplacementPolicy Failed: a pod being deleted is replaced only once it has failed
            List<Pod> terminating = "Failed".equals(job.getSpec().getPodReplacementPolicy())
                    ? pods.stream().filter(p -> JobPods.deleting(p) && !JobPods.terminal(p)).toList() : List.of();
            BackoffRecord backoff = backoffs.get(key);
            Duration wait = Duration.ZERO;
            if (backoff != null && backoff.failuresAfterLastSuccess() > 0) {
                Instant readyAt = backoff.lastFailure().plus(backoff.delay());
                if (now.isBefore(readyAt)) {
                    wait = Duration.between(now, readyAt);
                }
            }
            if (indexed) {
                IndexSet completed = IndexSet.parse(st.getCompletedIndexes(), completions);
                IndexSet failedIndexes = perIndex ? IndexSet.parse(st.getFailedIndexes(), completions) : new IndexSet();
                List<Pod> surplus = new ArrayList<>();
                Map<Integer, Pod> running = new HashMap<>();
                for (Pod p : sortedForKeeping(active)) {
                    int ix = JobPods.completionIndex(p);
                    if (ix < 0 || ix >= completions || completed.contains(ix) || failedIndexes.contains(ix)
                            || running.containsKey(ix)) {
                        surplus.add(p);
                    } else {
                        running.put(ix, p);
                    }
                }
                if (running.size() > parallelism) {
                    List<Pod> keep = sortedForKeeping(new ArrayList<>(running.values()));
                    for (Pod p : keep.subList(parallelism, keep.size())) {
                        surplus.add(p);
                        running.remove(JobPods.completionIndex(p));
                    }
                }
                deletePods(surplus);
                Set<Integer> terminatingIndexes = new java.util.HashSet<>();
                terminating.forEach(p -> terminatingIndexes.add(JobPods.completionIndex(p)));
                int slots = parallelism - running.size() - terminating.size();
                List<Integer> wanted = new ArrayList<>();
                Map<Integer, int[]> counts = perIndex ? indexFailureCounts() : Map.of();
                for (int ix = 0; ix < completions && wanted.size() < slots; ix++) {
                    if (completed.contains(ix) || failedIndexes.contains(ix) || running.containsKey(ix)
                            || terminatingIndexes.contains(ix)) {
                        continue;
                    }
                    if (perIndex) {
                        // each index waits out its own backoff, from its last counted failure
                        Duration indexWait = indexBackoff(counts.get(ix));
                        if (!indexWait.isZero()) {
                            requeueWithin(indexWait);
                            continue;
                        }
                    }
                    wanted.add(ix);
                }
                if (!wanted.isEmpty()) {
                    if (perIndex || wait.isZero()) {
                        createPods(wanted, counts);
                    } else {
                        requeueWithin(wait);
                    }
                }
                return;
            }
            // a work queue (no completions) that saw a success starts nothing new but leaves the rest running
            int want = completions == null ? (succeeded > 0 ? Math.min(active.size(), parallelism) : parallelism)
                    : Math.max(0, Math.min(parallelism, completions - succeeded));
            int diff = want - active.size();
            if (diff > 0) {
                diff = Math.max(0, diff - terminating.size());
            }
            if (diff > 0) {
                if (wait.isZero()) {
                    List<Integer> none = new ArrayList<>();
                    for (int i = 0; i < diff; i++) {
                        none.add(-1);
                    }
                    createPods(none, Map.of());
                } else {
                    requeueWithin(wait);
                }
            } else if (diff < 0) {
                List<Pod> order = sortedForKeeping(active);
                deletePods(order.subList(order.size() + diff, order.size()));
            }
        }

        /** Most useful first: ready before running before pending, then older before newer. */
        private List<Pod> sortedForKeeping(List<Pod> pods) {
            return pods.stream().sorted(Comparator
                            .comparing((Pod p) -> JobPods.ready(p) ? 0 : "Running".equals(JobPods.phase(p)) ? 1 : 2)
                            .thenComparing(p -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""))
                            .thenComparing(p -> p.getMetadata().getName()))
                    .toList();
        }

        /**
         * Per index, from its most recent finished-and-failed pod: {counted failures, ignored failures,
         * epoch second of that failure}; indexes that never failed are absent.
         */
        private Map<Integer, int[]> indexFailureCounts() {
            Map<Integer, Pod> lastFailed = new HashMap<>();
            for (Pod p : pods) {
                if (!JobPods.terminal(p) || JobPods.succeeded(p)) continue;
                int ix = JobPods.completionIndex(p);
                if (ix < 0) continue;
                Pod seen = lastFailed.get(ix);
                if (seen == null || creationOrder(p).compareTo(creationOrder(seen)) > 0) lastFailed.put(ix, p);
            }
            Map<Integer, int[]> out = new HashMap<>();
            lastFailed.forEach((ix, p) -> {
                int counted = JobPods.countAnnotation(p, JobPods.INDEX_FAILURE_COUNT);
                int ignoredCount = JobPods.countAnnotation(p, JobPods.INDEX_IGNORED_FAILURE_COUNT);
                var verdict = PodFailurePolicies.match(job, p);
                if (verdict.isPresent() && PodFailurePolicies.IGNORE.equals(verdict.get().action())) {
                    ignoredCount++;
                } else {
                    counted++;
                }
                out.put(ix, new int[]{counted, ignoredCount, (int) JobPods.finishedAt(p, now).getEpochSecond()});
            });
            return out;
        }

        private String creationOrder(Pod p) {
            return Objects.toString(p.getMetadata().getCreationTimestamp(), "") + "/"
                    + JobPods.countAnnotation(p, JobPods.INDEX_FAILURE_COUNT) + "/"
                    + JobPods.countAnnotation(p, JobPods.INDEX_IGNORED_FAILURE_COUNT);
        }

        /** How long an index with these failure counts still waits before its next pod. */
        private Duration indexBackoff(int[] counts) {
            if (counts == null || counts[0] == 0) return Duration.ZERO;
            Instant readyAt = Instant.ofEpochSecond(counts[2]).plus(new BackoffRecord(counts[0], now).delay());
            return now.isBefore(readyAt) ? Duration.between(now, readyAt) : Duration.ZERO;
        }

        private void createPods(List<Integer> indexes, Map<Integer, int[]> failureCounts) {
            expectations.expectCreations(key, indexes.size());
            for (int ix : indexes) {
                int[] c = failureCounts.get(ix);
                Pod pod = JobPods.newPod(job, ix, c == null ? 0 : c[0], c == null ? 0 : c[1]);
                try {
                    Pod made = client.pods().inNamespace(job.getMetadata().getNamespace()).resource(pod).create();
                    created++;
                    events.normal(job, "SuccessfulCreate", "Created pod: %s", made.getMetadata().getName());
                } catch (KubernetesClientException e) {
                    expectations.creationObserved(key);
                    events.warning(job, "FailedCreate", "Error creating: %s", e.getMessage());
                    throw e;
                }
            }
        }

        private void deletePods(List<Pod> victims) {
            for (Pod p : victims) {
                String podName = p.getMetadata().getName();
                if (expectations.deletionPending(key, podName)) {
                    continue;
                }
                expectations.expectDeletion(key, podName);
                try {
                    client.pods().inNamespace(p.getMetadata().getNamespace()).withName(podName).delete();
                    deletedNow++;
                    deletedNames.add(podName);
                    events.normal(job, "SuccessfulDelete", "Deleted pod: %s", podName);
                } catch (KubernetesClientException e) {
                    expectations.deletionObserved(key, podName);
                    if (e.getCode() != 404) {
                        events.warning(job, "FailedDelete", "Error deleting: %s", e.getMessage());
                        throw e;
                    }
                }
            }
        }

        /**
         * Records finished pods that still carry the tracking finalizer in
         * status.uncountedTerminatedPods (and, Indexed, their index in completedIndexes), removes
         * their finalizers, then moves them into the succeeded and failed counters: a crash between
         * the steps never loses nor double-counts a pod.
         */
        private void trackFinishedPods() {
            JobStatus st = job.getStatus() == null ? new JobStatus() : new JobStatusBuilder(job.getStatus()).build();
            UncountedTerminatedPods unc = st.getUncountedTerminatedPods();
            Set<String> uncSucceeded = new LinkedHashSet<>(unc == null || unc.getSucceeded() == null ? List.of() : unc.getSucceeded());
            Set<String> uncFailed = new LinkedHashSet<>(unc == null || unc.getFailed() == null ? List.of() : unc.getFailed());
            Set<String> removed = finalizersRemoved(key);
            Map<String, Pod> byUid = new HashMap<>();
            for (Pod p : pods) {
                byUid.put(p.getMetadata().getUid(), p);
            }
            removed.removeIf(uid -> {
                Pod p = byUid.get(uid);
                return p == null || !JobPods.hasTrackingFinalizer(p);
            });
            boolean failing = isTrue(conditionsOf(job), FAILURE_TARGET) || isTrue(conditionsOf(job), FAILED);
            IndexSet completed = indexed ? IndexSet.parse(st.getCompletedIndexes(), completions) : null;
            boolean changed = false;
            int newSucceededIndexes = 0;
            Set<String> ignored = new LinkedHashSet<>();
            IndexSet failedIndexes = perIndex ? IndexSet.parse(st.getFailedIndexes(), completions) : null;
            for (Pod p : pods) {
                String uid = p.getMetadata().getUid();
                if (!JobPods.hasTrackingFinalizer(p) || removed.contains(uid)
                        || uncSucceeded.contains(uid) || uncFailed.contains(uid)) {
                    continue;
                }
                int ix = JobPods.completionIndex(p);
                boolean validIndex = !indexed || (ix >= 0 && ix < completions);
                if (JobPods.succeeded(p)) {
                    if (indexed) {
                        if (validIndex && completed.add(ix)) {
                            newSucceededIndexes++;
                        }
                    }
                    uncSucceeded.add(uid);
                    changed = true;
                } else if (JobPods.failed(p, job) || (failing && !JobPods.terminal(p))) {
                    // the pod failure policy judges pods that failed, not those the controller is deleting
                    var verdict = JobPods.terminal(p) ? PodFailurePolicies.match(job, p) : java.util.Optional.<PodFailurePolicies.Verdict>empty();
                    if (verdict.isPresent() && PodFailurePolicies.IGNORE.equals(verdict.get().action())) {
                        ignored.add(uid);
                    } else {
                        uncFailed.add(uid);
                        if (verdict.isPresent() && PodFailurePolicies.FAIL_JOB.equals(verdict.get().action())
                                && failJobMessage == null && !failing) {
                            failJobMessage = verdict.get().message();
                        }
                        // backoffLimitPerIndex: an index fails past its limit, or at once on a FailIndex rule
                        if (perIndex && validIndex && !failing && !completed.contains(ix)
                                && (JobPods.countAnnotation(p, JobPods.INDEX_FAILURE_COUNT) + 1
                                > job.getSpec().getBackoffLimitPerIndex()
                                || verdict.isPresent() && PodFailurePolicies.FAIL_INDEX.equals(verdict.get().action()))) {
                            failedIndexes.add(ix);
                        }
                    }
                    changed = true;
                }
            }
            if (!changed) {
                return;
            }
            // step 1: the finished pods (and a FailJob verdict) are on record before their finalizers go
            st.setUncountedTerminatedPods(new UncountedTerminatedPods(new ArrayList<>(uncFailed), new ArrayList<>(uncSucceeded)));
            if (indexed) {
                st.setCompletedIndexes(completed.format());
            }
            if (perIndex) {
                st.setFailedIndexes(failedIndexes.format());
            }
            if (failJobMessage != null) {
                List<JobCondition> cs = st.getConditions() == null ? new ArrayList<>() : new ArrayList<>(st.getConditions());
                setCondition(cs, FAILURE_TARGET, "True", PodFailurePolicies.REASON, failJobMessage);
                st.setConditions(cs);
            }
            if (!uncFailed.isEmpty() || !uncSucceeded.isEmpty() || failJobMessage != null) {
                writeStatus(st);
            }
            // step 2: release them; ignored failures are released without being counted
            for (String uid : concat(concat(uncSucceeded, uncFailed), ignored)) {
                Pod p = byUid.get(uid);
                if (p != null && JobPods.hasTrackingFinalizer(p)) {
                    removeTrackingFinalizer(p);
                    removed.add(uid);
                }
            }
            if (uncFailed.isEmpty() && uncSucceeded.isEmpty()) {
                return;
            }
            // step 3: count them
            st = new JobStatusBuilder(job.getStatus()).build();
            int failedNow = uncFailed.size();
            int succeededNow = indexed ? newSucceededIndexes : uncSucceeded.size();
            st.setFailed(nz(st.getFailed()) + failedNow);
            st.setSucceeded(indexed ? completed.size() : nz(st.getSucceeded()) + succeededNow);
            st.setUncountedTerminatedPods(new UncountedTerminatedPods());
            writeStatus(st);
            BackoffRecord b = backoffs.getOrDefault(key, new BackoffRecord(0, now));
            if (succeededNow > 0 || (!uncSucceeded.isEmpty() && indexed)) {
                b = new BackoffRecord(0, b.lastFailure());
            }
            if (failedNow > 0) {
                b = new BackoffRecord(b.failuresAfterLastSuccess() + failedNow, now);
            }
            backoffs.put(key, b);
        }

        private void writeStatus(JobStatus st) {
            Job updated = new JobBuilder(job).withStatus(st).build();
            job = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(updated).updateStatus();
            log.debug("job {}: status written (active={}, succeeded={}, failed={})", key, st.getActive(),
                    st.getSucceeded(), st.getFailed());
        }
    }

    private Set<String> finalizersRemoved(String key) {
        return finalizersRemoved.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    }

    private static List<JobCondition> conditionsOf(Job job) {
        return job.getStatus() == null ? null : job.getStatus().getConditions();
    }

    /**
     * Sets a condition's status, reason and message, moving lastTransitionTime only when the status
     * changes; a False condition that does not exist is not added. True when anything changed.
     */
    private boolean setCondition(List<JobCondition> conditions, String type, String status, String reason, String message) {
        String ts = timestamp(context.clock().instant());
        for (int i = 0; i < conditions.size(); i++) {
            JobCondition c = conditions.get(i);
            if (type.equals(c.getType())) {
                if (status.equals(c.getStatus()) && Objects.equals(reason, c.getReason())
                        && Objects.equals(message, c.getMessage())) {
                    return false;
                }
                conditions.set(i, new JobConditionBuilder().withType(type).withStatus(status)
                        .withReason(reason).withMessage(message)
                        .withLastProbeTime(ts)
                        .withLastTransitionTime(status.equals(c.getStatus()) ? c.getLastTransitionTime() : ts)
                        .build());
                return true;
            }
        }
        if ("False".equals(status)) {
            return false;
        }
        conditions.add(new JobConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastProbeTime(ts).withLastTransitionTime(ts).build());
        return true;
    }

    /** The status with empty counters and lists as omitted, for comparing. */
    private static JobStatus normalized(JobStatus s) {
        JobStatus n = new JobStatusBuilder(s).build();
        if (n.getActive() != null && n.getActive() == 0) n.setActive(null);
        if (n.getSucceeded() != null && n.getSucceeded() == 0) n.setSucceeded(null);
        if (n.getFailed() != null && n.getFailed() == 0) n.setFailed(null);
        if (n.getTerminating() != null && n.getTerminating() == 0) n.setTerminating(null);
        if (n.getReady() != null && n.getReady() == 0) n.setReady(null);
        if (n.getConditions() != null && n.getConditions().isEmpty()) n.setConditions(null);
        UncountedTerminatedPods u = n.getUncountedTerminatedPods();
        if (u != null && isEmpty(u.getFailed()) && isEmpty(u.getSucceeded())) n.setUncountedTerminatedPods(null);
        return n;
    }

    private static boolean isEmpty(List<?> l) {
        return l == null || l.isEmpty();
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static List<String> concat(java.util.Collection<String> a, java.util.Collection<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
