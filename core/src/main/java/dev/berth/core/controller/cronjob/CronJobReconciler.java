package dev.berth.core.controller.cronjob;

import dev.berth.core.api.validation.CronSchedule;
import dev.berth.core.controller.job.JobReconciler;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Brings one CronJob in line with its schedule, as Kubernetes' cronjob controller (v2) does:
 * keeps status.active in step with its Jobs, creates the Job of the most recent missed start
 * time (named {@code NAME-<minutes since the epoch>}) unless it is too late for
 * startingDeadlineSeconds, the CronJob is suspended, or the concurrency policy forbids it;
 * deletes finished Jobs beyond the history limits; and asks to be looked at again at the next
 * start time on the injected clock.
 */
public final class CronJobReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(CronJobReconciler.class);

    public static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    private static final DateTimeFormatter RFC1123Z = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss xx",
            java.util.Locale.ROOT);

    private final ControllerContext context;
    private final KubernetesClient client;
    private final EventRecorder events;
    private final Function<String, List<Job>> jobsOfCronJob;

    /** @param jobsOfCronJob the cached Jobs whose controlling owner is a CronJob, keyed {@code namespace/cronJobName} */
    CronJobReconciler(ControllerContext context, Function<String, List<Job>> jobsOfCronJob) {
        this.context = context;
        this.client = context.client();
        this.events = context.events();
        this.jobsOfCronJob = jobsOfCronJob;
    }

    @Override
    public Result reconcile(String key) {
        String ns = Keys.namespace(key);
        if (context.informers().get(CronJob.class, key) == null) {
            return Result.done();
        }
        CronJob cj = client.batch().v1().cronjobs().inNamespace(ns).withName(Keys.name(key)).get();
        if (cj == null) {
            return Result.done();
        }
        Instant now = context.clock().instant();
        String uid = cj.getMetadata().getUid();
        List<Job> children = jobsOfCronJob.apply(key).stream()
                .filter(j -> j.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid())))
                .toList();
        CronJobStatus old = cj.getStatus() == null ? new CronJobStatus() : cj.getStatus();
        CronJobStatus st = new CronJobStatusBuilder(old).build();
        List<ObjectReference> active = st.getActive() == null ? new ArrayList<>() : new ArrayList<>(st.getActive());

        syncActive(cj, children, active, st);

        Result result = Result.done();
        if (cj.getMetadata().getDeletionTimestamp() == null) {
            result = schedule(cj, now, active, st);
            cleanUpHistory(cj, children, active);
        }
        st.setActive(active.isEmpty() ? null : active);
        if (!Objects.equals(normalized(st), normalized(old))) {
            CronJob updated = new CronJobBuilder(cj).withStatus(st).build();
            client.batch().v1().cronjobs().inNamespace(ns).resource(updated).updateStatus();
        }
        return result;
    }

    /** Drops finished and vanished Jobs from status.active and notes the last success. */
    private void syncActive(CronJob cj, List<Job> children, List<ObjectReference> active, CronJobStatus st) {
        Map<String, Job> byUid = new LinkedHashMap<>();
        for (Job j : children) {
            byUid.put(j.getMetadata().getUid(), j);
            JobCondition finished = JobReconciler.finishedCondition(j);
            boolean inActive = active.stream().anyMatch(r -> j.getMetadata().getUid().equals(r.getUid()));
            if (finished == null) {
                if (!inActive) {
                    events.warning(cj, "UnexpectedJob", "Saw a job that the controller did not create or forgot: %s",
                            j.getMetadata().getName());
                }
                continue;
            }
            if (inActive) {
                active.removeIf(r -> j.getMetadata().getUid().equals(r.getUid()));
                events.normal(cj, "SawCompletedJob", "Saw completed job: %s, condition: %s", j.getMetadata().getName(),
                        finished.getType());
            }
            if ("Complete".equals(finished.getType()) && j.getStatus().getCompletionTime() != null) {
                Instant done = Instant.parse(j.getStatus().getCompletionTime());
                if (st.getLastSuccessfulTime() == null || done.isAfter(Instant.parse(st.getLastSuccessfulTime()))) {
                    st.setLastSuccessfulTime(j.getStatus().getCompletionTime());
                }
            }
        }
        for (ObjectReference r : List.copyOf(active)) {
            if (byUid.containsKey(r.getUid())) {
                continue;
            }
            // the cache may lag behind a job just created: ask the API before calling it missing
            Job j = client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace()).withName(r.getName()).get();
            if (j == null || !Objects.equals(j.getMetadata().getUid(), r.getUid())) {
                active.remove(r);
                events.normal(cj, "MissingJob", "Active job went missing: %s", r.getName());
            }
        }
    }

    private Result schedule(CronJob cj, Instant now, List<ObjectReference> active, CronJobStatus st) {
        var spec = cj.getSpec();
        ZoneId zone;
        try {
            zone = spec.getTimeZone() == null || spec.getTimeZone().isEmpty() ? context.clock().getZone()
                    : ZoneId.of(spec.getTimeZone());
        } catch (DateTimeException e) {
            events.warning(cj, "UnknownTimeZone", "invalid timeZone: %s: %s", spec.getTimeZone(), e.getMessage());
            return Result.done();
        }
        if (Boolean.TRUE.equals(spec.getSuspend())) {
            return Result.done();
        }
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(spec.getSchedule());
        } catch (IllegalArgumentException e) {
            events.warning(cj, "UnparseableSchedule", "unparseable schedule: \"%s\" : %s", spec.getSchedule(), e.getMessage());
            return Result.done();
        }
        Instant earliest = st.getLastScheduleTime() != null ? Instant.parse(st.getLastScheduleTime())
                : Instant.parse(cj.getMetadata().getCreationTimestamp());
        ScheduleTimes times = ScheduleTimes.of(schedule, zone, earliest, now, spec.getStartingDeadlineSeconds());
        Result next = requeueAtNext(schedule, zone, now);
        if (times.mostRecent() == null) {
            return next;
        }
        if (times.missed() > ScheduleTimes.TOO_MANY_MISSED) {
            events.warning(cj, "TooManyMissedTimes",
                    "too many missed start times: %d. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
                    times.missed());
        }
        Instant scheduled = times.mostRecent();
        Long deadline = spec.getStartingDeadlineSeconds();
        if (deadline != null && scheduled.plusSeconds(deadline).isBefore(now)) {
            events.warning(cj, "MissSchedule", "Missed scheduled time to start a job: %s",
                    RFC1123Z.format(scheduled.atZone(ZoneOffset.UTC)));
            return next;
        }
        String jobName = jobName(cj, scheduled);
        if (active.stream().anyMatch(r -> jobName.equals(r.getName()))
                || (st.getLastScheduleTime() != null && Instant.parse(st.getLastScheduleTime()).equals(scheduled))) {
            return next;
        }
        String policy = spec.getConcurrencyPolicy() == null ? "Allow" : spec.getConcurrencyPolicy();
        if ("Forbid".equals(policy) && !active.isEmpty()) {
            events.normal(cj, "JobAlreadyActive",
                    "Not starting job because prior execution is running and concurrency policy is Forbid");
            return next;
        }
        if ("Replace".equals(policy)) {
            for (ObjectReference r : List.copyOf(active)) {
                deleteJob(cj, r.getName());
                active.remove(r);
            }
        }
        Job job = newJob(cj, jobName, scheduled, zone);
        Job made;
        try {
            made = client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace()).resource(job).create();
            events.normal(cj, "SuccessfulCreate", "Created job %s", jobName);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                events.warning(cj, "FailedCreate", "Error creating job: %s", e.getMessage());
                throw e;
            }
            // created by an earlier pass whose status write was lost
            made = client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace()).withName(jobName).get();
            if (made == null || made.getMetadata().getOwnerReferences() == null || made.getMetadata().getOwnerReferences()
                    .stream().noneMatch(o -> cj.getMetadata().getUid().equals(o.getUid()))) {
                throw e;
            }
        }
        if (JobReconciler.finishedCondition(made) == null) {
            active.add(new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                    .withNamespace(made.getMetadata().getNamespace()).withName(made.getMetadata().getName())
                    .withUid(made.getMetadata().getUid()).withResourceVersion(made.getMetadata().getResourceVersion())
                    .build());
        }
        st.setLastScheduleTime(DateTimeFormatter.ISO_INSTANT.format(scheduled.truncatedTo(ChronoUnit.SECONDS)));
        log.info("cronjob {}: created job {} for {}", Keys.of(cj), jobName, scheduled);
        return next;
    }

    private Result requeueAtNext(CronSchedule schedule, ZoneId zone, Instant now) {
        Instant next = ScheduleTimes.next(schedule, zone, now);
        return next == null ? Result.done() : Result.requeueAfter(Duration.between(now, next));
    }

    /** Kubernetes' job name: the CronJob's name and the scheduled time in minutes since the epoch. */
    static String jobName(CronJob cj, Instant scheduled) {
        return cj.getMetadata().getName() + "-" + (scheduled.getEpochSecond() / 60);
    }

    private static Job newJob(CronJob cj, String name, Instant scheduled, ZoneId zone) {
        var template = cj.getSpec().getJobTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (template.getMetadata() != null) {
            if (template.getMetadata().getLabels() != null) labels.putAll(template.getMetadata().getLabels());
            if (template.getMetadata().getAnnotations() != null) annotations.putAll(template.getMetadata().getAnnotations());
        }
        annotations.put(SCHEDULED_TIMESTAMP,
                DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(scheduled.atZone(zone).truncatedTo(ChronoUnit.SECONDS)));
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(cj.getMetadata().getNamespace())
                .withLabels(labels.isEmpty() ? null : labels)
                .withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("CronJob")
                        .withName(cj.getMetadata().getName()).withUid(cj.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withSpec(new JobSpecBuilder(template.getSpec()).build())
                .build();
    }

    /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
    private void cleanUpHistory(CronJob cj, List<Job> children, List<ObjectReference> active) {
        Integer successLimit = cj.getSpec().getSuccessfulJobsHistoryLimit();
        Integer failedLimit = cj.getSpec().getFailedJobsHistoryLimit();
        List<Job> succeeded = new ArrayList<>();
        List<Job> failed = new ArrayList<>();
        for (Job j : children) {
            if (j.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            JobCondition c = JobReconciler.finishedCondition(j);
            if (c != null) {
                ("Complete".equals(c.getType()) ? succeeded : failed).add(j);
            }
        }
        if (successLimit != null) {
            deleteOldest(cj, succeeded, successLimit, active);
        }
        if (failedLimit != null) {
            deleteOldest(cj, failed, failedLimit, active);
        }
    }

    private void deleteOldest(CronJob cj, List<Job> jobs, int limit, List<ObjectReference> active) {
        if (jobs.size() <= limit) {
            return;
        }
        List<Job> oldestFirst = jobs.stream().sorted(Comparator
                        .comparing((Job j) -> j.getStatus() == null || j.getStatus().getStartTime() == null
                                ? j.getMetadata().getCreationTimestamp() : j.getStatus().getStartTime())
                        .thenComparing(j -> j.getMetadata().getName()))
                .toList();
        for (Job j : oldestFirst.subList(0, jobs.size() - limit)) {
            deleteJob(cj, j.getMetadata().getName());
            active.removeIf(r -> j.getMetadata().getUid().equals(r.getUid()));
        }
    }

    private void deleteJob(CronJob cj, String name) {
        try {
            client.batch().v1().jobs().inNamespace(cj.getMetadata().getNamespace()).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            events.normal(cj, "SuccessfulDelete", "Deleted job %s", name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                events.warning(cj, "FailedDelete", "Deleted job: %s", e.getMessage());
                throw e;
            }
        }
    }

    private static CronJobStatus normalized(CronJobStatus s) {
        CronJobStatus n = new CronJobStatusBuilder(s).build();
        if (n.getActive() != null && n.getActive().isEmpty()) n.setActive(null);
        return n;
    }
}
