package dev.berth.core.controller.cronjob;

import dev.berth.core.controller.RecordedEvents;
import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The CronJob controller against a real API server, stepped by hand on a fake clock that starts
 * at the wall time (the API server stamps creationTimestamp with it). No Job controller runs: the
 * tests finish Jobs by writing their status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CronJobsIT {
    private static final String NS = "cron";

    private TestCluster cluster;
    private KubernetesClient client;
    private Path dir;
    private FakeClock clock;
    private RecordedEvents events;
    private ControllerContext context;
    private CronJobs cronJobs;

    @BeforeAll
    void startServer(@TempDir Path dir) throws Exception {
        this.dir = dir;
        cluster = new TestCluster(dir);
        client = cluster.client();
        cluster.createNamespace(NS);
    }

    @AfterAll
    void stopServer() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void startController() {
        clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        events = new RecordedEvents();
        context = new ControllerContext(client, new Informers(client), clock, events);
        cronJobs = new CronJobs(context, 1);
        context.informers().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> context.informers().hasSynced());
    }

    @AfterEach
    void stopController() {
        cronJobs.close();
        context.informers().close();
    }

    @Test
    void createsTheJobOfEachStartTimeAndRequeuesItselfForTheNext() {
        CronJob cj = create("hourly", b -> b.editSpec().withSchedule("@hourly").endSpec());
        Instant firstRun = created(cj).truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));

        reconcile("hourly");
        assertThat(jobs("hourly")).isEmpty();
        drainQueue();
        advanceTo(firstRun.minusSeconds(1));
        assertThat(cronJobs.loop().queue().poll()).as("not yet due").isEmpty();
        advanceTo(firstRun);
        assertThat(cronJobs.loop().queue().poll()).as("requeued for the start time").contains(NS + "/hourly");
        cronJobs.loop().queue().done(NS + "/hourly");

        reconcile("hourly");
        List<Job> jobs = jobs("hourly");
        assertThat(jobs).hasSize(1);
        Job job = jobs.getFirst();
        assertThat(job.getMetadata().getName()).isEqualTo("hourly-" + firstRun.getEpochSecond() / 60);
        assertThat(job.getMetadata().getAnnotations())
                .containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp", DateTimeFormatter.ISO_INSTANT.format(firstRun));
        assertThat(job.getMetadata().getLabels()).containsEntry("team", "night");
        assertThat(job.getMetadata().getOwnerReferences().getFirst().getKind()).isEqualTo("CronJob");
        assertThat(job.getMetadata().getOwnerReferences().getFirst().getController()).isTrue();
        CronJob status = cronJob("hourly");
        assertThat(status.getStatus().getLastScheduleTime()).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(firstRun));
        assertThat(status.getStatus().getActive()).extracting("name").containsExactly(job.getMetadata().getName());
        assertThat(events.about("hourly")).contains("Normal SuccessfulCreate: Created job " + job.getMetadata().getName());

        clock.advance(Duration.ofMinutes(3));
        finish(job, true);
        reconcile("hourly");
        status = cronJob("hourly");
        assertThat(status.getStatus().getActive()).isNullOrEmpty();
        assertThat(status.getStatus().getLastSuccessfulTime()).isEqualTo(ts(clock.instant()));
        assertThat(events.about("hourly"))
                .contains("Normal SawCompletedJob: Saw completed job: " + job.getMetadata().getName() + ", condition: Complete");
        reconcile("hourly");
        assertThat(jobs("hourly")).as("nothing more before the next hour").hasSize(1);
    }

    @Test
    void forbidSkipsAStartTimeWhileAJobRunsAndRunsTheMissedOneAfterwards() {
        CronJob cj = create("forbid", b -> b.editSpec().withSchedule("* * * * *").withConcurrencyPolicy("Forbid").endSpec());
        Instant first = nextMinute(created(cj));
        advanceTo(first);
        reconcile("forbid");
        assertThat(jobs("forbid")).hasSize(1);

        advanceTo(first.plus(Duration.ofMinutes(1)));
        reconcile("forbid");
        assertThat(jobs("forbid")).hasSize(1);
        assertThat(events.about("forbid")).contains(
                "Normal JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid");

        finish(jobs("forbid").getFirst(), true);
        reconcile("forbid");
        assertThat(jobs("forbid")).extracting(j -> j.getMetadata().getName())
                .containsExactly("forbid-" + first.getEpochSecond() / 60, "forbid-" + (first.getEpochSecond() / 60 + 1));
    }

    @Test
    void replaceDeletesTheRunningJobBeforeStartingTheNext() {
        CronJob cj = create("replace", b -> b.editSpec().withSchedule("* * * * *").withConcurrencyPolicy("Replace").endSpec());
        Instant first = nextMinute(created(cj));
        advanceTo(first);
        reconcile("replace");
        String firstJob = "replace-" + first.getEpochSecond() / 60;
        assertThat(jobs("replace")).extracting(j -> j.getMetadata().getName()).containsExactly(firstJob);

        advanceTo(first.plus(Duration.ofMinutes(1)));
        reconcile("replace");
        String secondJob = "replace-" + (first.getEpochSecond() / 60 + 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jobs("replace")).extracting(j -> j.getMetadata().getName()).containsExactly(secondJob));
        assertThat(cronJob("replace").getStatus().getActive()).extracting("name").containsExactly(secondJob);
        assertThat(events.about("replace")).contains("Normal SuccessfulDelete: Deleted job " + firstJob);
    }

    @Test
    void keepsOnlyTheNewestFinishedJobsWithinTheHistoryLimits() {
        CronJob cj = create("history", b -> b.editSpec().withSchedule("* * * * *")
                .withSuccessfulJobsHistoryLimit(1).withFailedJobsHistoryLimit(1).endSpec());
        Instant first = nextMinute(created(cj));
        boolean[] outcomes = {true, true, false, false};
        for (int i = 0; i < outcomes.length; i++) {
            advanceTo(first.plus(Duration.ofMinutes(i)));
            reconcile("history");
            Job newest = jobs("history").stream().max(Comparator.comparing(j -> j.getMetadata().getName())).orElseThrow();
            clock.advance(Duration.ofSeconds(10));
            finish(newest, outcomes[i]);
        }
        reconcile("history");
        long m = first.getEpochSecond() / 60;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jobs("history")).extracting(j -> j.getMetadata().getName())
                        .containsExactly("history-" + (m + 1), "history-" + (m + 3)));
        assertThat(events.about("history")).contains("Normal SuccessfulDelete: Deleted job history-" + m,
                "Normal SuccessfulDelete: Deleted job history-" + (m + 2));
    }

    @Test
    void schedulesInTheCronJobsTimeZone() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        CronJob cj = create("tokyo", b -> b.editSpec().withSchedule("30 9 * * *").withTimeZone("Asia/Tokyo").endSpec());
        ZonedDateTime local = created(cj).atZone(tokyo).withHour(9).withMinute(30).withSecond(0).withNano(0);
        if (!local.toInstant().isAfter(created(cj))) {
            local = local.plusDays(1);
        }
        Instant run = local.toInstant();
        advanceTo(run.minusSeconds(60));
        reconcile("tokyo");
        assertThat(jobs("tokyo")).isEmpty();

        advanceTo(run);
        reconcile("tokyo");
        Job job = jobs("tokyo").getFirst();
        assertThat(job.getMetadata().getName()).isEqualTo("tokyo-" + run.getEpochSecond() / 60);
        assertThat(job.getMetadata().getAnnotations().get("batch.kubernetes.io/cronjob-scheduled-timestamp"))
                .isEqualTo(local.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).endsWith("T09:30:00+09:00");
    }

    @Test
    void startTimesMissedBeyondTheStartingDeadlineAreSkipped() {
        CronJob cj = create("deadline", b -> b.editSpec().withSchedule("@hourly").withStartingDeadlineSeconds(300L).endSpec());
        Instant hour = created(cj).truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        // the controller was away from the start time until ten minutes past it
        advanceTo(hour.plus(Duration.ofMinutes(10)));
        reconcile("deadline");
        assertThat(jobs("deadline")).as("too late to start").isEmpty();

        // within the deadline a late start still happens
        Instant next = hour.plus(Duration.ofHours(1));
        advanceTo(next.plus(Duration.ofMinutes(4)));
        reconcile("deadline");
        assertThat(jobs("deadline")).extracting(j -> j.getMetadata().getName())
                .containsExactly("deadline-" + next.getEpochSecond() / 60);
    }

    @Test
    void withoutADeadlineOnlyTheMostRecentMissedStartTimeRunsAndManyMissesAreReported() {
        CronJob cj = create("missed", b -> b.editSpec().withSchedule("* * * * *").endSpec());
        Instant first = nextMinute(created(cj));
        advanceTo(first.plus(Duration.ofMinutes(149)));
        reconcile("missed");
        assertThat(jobs("missed")).extracting(j -> j.getMetadata().getName())
                .containsExactly("missed-" + (first.getEpochSecond() / 60 + 149));
        assertThat(events.about("missed")).contains("Warning TooManyMissedTimes: too many missed start times: 150. "
                + "Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    }

    @Test
    void suspendedCronJobStartsNothing() {
        CronJob cj = create("asleep", b -> b.editSpec().withSchedule("* * * * *").withSuspend(true).endSpec());
        advanceTo(nextMinute(created(cj)).plus(Duration.ofMinutes(5)));
        reconcile("asleep");
        assertThat(jobs("asleep")).isEmpty();

        client.batch().v1().cronjobs().inNamespace(NS).withName("asleep")
                .edit(c -> new CronJobBuilder(c).editSpec().withSuspend(false).endSpec().build());
        reconcile("asleep");
        assertThat(jobs("asleep")).as("the most recent start time runs on resume").hasSize(1);
    }

    @Test
    void kubectlCreatesAJobFromACronJob() throws Exception {
        create("manual", b -> b.editSpec().withSchedule("@yearly").endSpec());
        Kubectl kubectl = new Kubectl(cluster.kubeconfig(), java.nio.file.Files.createDirectories(dir.resolve("kubectl-home")));
        String out = kubectl.run("-n", NS, "create", "job", "--from=cronjob/manual", "manual-now").ok().out();
        assertThat(out).contains("job.batch/manual-now created");

        Job job = client.batch().v1().jobs().inNamespace(NS).withName("manual-now").get();
        assertThat(job.getMetadata().getAnnotations()).containsEntry("cronjob.kubernetes.io/instantiate", "manual");
        assertThat(job.getMetadata().getOwnerReferences().getFirst().getName()).isEqualTo("manual");
        assertThat(job.getSpec().getSelector().getMatchLabels()).containsKey("batch.kubernetes.io/controller-uid");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("batch.kubernetes.io/job-name", "manual-now");

        reconcile("manual");
        assertThat(jobs("manual")).extracting(j -> j.getMetadata().getName()).containsExactly("manual-now");
        assertThat(cronJob("manual").getStatus() == null || cronJob("manual").getStatus().getActive() == null).isTrue();
    }

    // ---- helpers -------------------------------------------------------------------------------

    private CronJob create(String name, UnaryOperator<CronJobBuilder> customize) {
        CronJobBuilder b = new CronJobBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec()
                .withSchedule("@daily")
                .withNewJobTemplate()
                .withNewMetadata().addToLabels("team", "night").endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec().withRestartPolicy("OnFailure")
                .addNewContainer().withName("main").withImage("busybox:1.36").withCommand("date").endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .endJobTemplate()
                .endSpec();
        CronJob cj = client.batch().v1().cronjobs().inNamespace(NS).resource(customize.apply(b).build()).create();
        if (created(cj).isAfter(clock.instant())) {
            advanceTo(created(cj));
        }
        return cj;
    }

    private static Instant created(CronJob cj) {
        return Instant.parse(cj.getMetadata().getCreationTimestamp());
    }

    private static Instant nextMinute(Instant t) {
        return t.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
    }

    private void advanceTo(Instant t) {
        Duration d = Duration.between(clock.instant(), t);
        if (d.isNegative()) {
            throw new IllegalArgumentException("the clock is already past " + t);
        }
        clock.advance(d);
    }

    private static String ts(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    private CronJob cronJob(String name) {
        return client.batch().v1().cronjobs().inNamespace(NS).withName(name).get();
    }

    private List<Job> jobs(String cronJob) {
        return client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
                .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
                .filter(j -> j.getMetadata().getOwnerReferences() != null && j.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> cronJob.equals(o.getName()) && "CronJob".equals(o.getKind())))
                .sorted(Comparator.comparing(j -> j.getMetadata().getName()))
                .toList();
    }

    /** Writes the status a Job controller writes when the job succeeds or fails. */
    private void finish(Job job, boolean success) {
        String now = ts(clock.instant());
        Job current = client.batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).get();
        JobBuilder b = new JobBuilder(current).editOrNewStatus().withStartTime(now)
                .withConditions(new JobConditionBuilder().withType(success ? "SuccessCriteriaMet" : "FailureTarget")
                                .withStatus("True").withReason(success ? "CompletionsReached" : "BackoffLimitExceeded")
                                .withLastTransitionTime(now).build(),
                        new JobConditionBuilder().withType(success ? "Complete" : "Failed")
                                .withStatus("True").withReason(success ? "CompletionsReached" : "BackoffLimitExceeded")
                                .withLastTransitionTime(now).build())
                .endStatus();
        if (success) {
            b.editStatus().withSucceeded(1).withCompletionTime(now).endStatus();
        } else {
            b.editStatus().withFailed(1).endStatus();
        }
        client.batch().v1().jobs().inNamespace(NS).resource(b.build()).updateStatus();
    }

    private void drainQueue() {
        while (true) {
            var key = cronJobs.loop().queue().poll();
            if (key.isEmpty()) {
                return;
            }
            cronJobs.loop().queue().done(key.get());
        }
    }

    /** Reconciles once the cache shows the API's CronJob and Jobs. */
    private void reconcile(String name) {
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
            CronJob api = cronJob(name);
            CronJob cached = context.informers().get(CronJob.class, NS + "/" + name);
            String apiJobs = jobs(name).stream().map(j -> j.getMetadata().getName() + "@" + j.getMetadata().getResourceVersion())
                    .sorted().collect(Collectors.joining(","));
            String cachedJobs = context.informers().inNamespace(Job.class, NS).stream()
                    .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
                    .filter(j -> j.getMetadata().getOwnerReferences() != null && j.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> name.equals(o.getName()) && "CronJob".equals(o.getKind())))
                    .map(j -> j.getMetadata().getName() + "@" + j.getMetadata().getResourceVersion())
                    .sorted().collect(Collectors.joining(","));
            return cached != null && Objects.equals(api.getMetadata().getResourceVersion(), cached.getMetadata().getResourceVersion())
                    && apiJobs.equals(cachedJobs);
        });
        cronJobs.loop().processOne(NS + "/" + name);
    }
}
