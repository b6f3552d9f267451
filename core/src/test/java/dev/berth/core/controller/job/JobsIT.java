package dev.berth.core.controller.job;

import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.RecordedEvents;
import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Job and ttl-after-finished controllers against a real API server. Nothing runs pods: the
 * tests move them to Succeeded or Failed through pods/status, step the reconciler by hand once the
 * cache has caught up with the API, and move time on a fake clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobsIT {
    private static final String NS = "batch";
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private TestCluster cluster;
    private KubernetesClient client;
    private final FakeClock clock = new FakeClock(T0);
    private final RecordedEvents events = new RecordedEvents();
    private ControllerContext context;
    private Jobs jobs;
    private TtlAfterFinished ttl;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        cluster.createNamespace(NS);
        context = new ControllerContext(client, new Informers(client), clock, events);
        jobs = new Jobs(context, 1);
        ttl = new TtlAfterFinished(context, 1);
        context.informers().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> context.informers().hasSynced());
    }

    @AfterAll
    void stop() {
        if (context != null) {
            jobs.close();
            ttl.close();
            context.informers().close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void runsCompletionsWithParallelismUntilComplete() {
        Instant start = clock.instant();
        create("work", b -> b.editSpec().withCompletions(3).withParallelism(2).endSpec());

        converge("work");
        assertThat(active("work")).hasSize(2);
        Job job = job("work");
        assertThat(job.getStatus().getActive()).isEqualTo(2);
        assertThat(job.getStatus().getStartTime()).isEqualTo(ts(start));
        assertThat(active("work")).allSatisfy(p -> {
            assertThat(p.getMetadata().getFinalizers()).containsExactly("batch.kubernetes.io/job-tracking");
            assertThat(p.getMetadata().getName()).startsWith("work-");
            assertThat(p.getMetadata().getOwnerReferences().getFirst().getController()).isTrue();
            assertThat(p.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/job-name", "work");
        });

        PodStates.markRunningReady(client, active("work").getFirst(), clock.instant());
        converge("work");
        assertThat(job("work").getStatus().getReady()).isEqualTo(1);

        PodStates.markSucceeded(client, active("work").getFirst(), clock.instant());
        converge("work");
        job = job("work");
        assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(active("work")).as("one more pod replaces the finished one").hasSize(2);
        assertThat(pods("work")).filteredOn(p -> "Succeeded".equals(p.getStatus().getPhase()))
                .allSatisfy(p -> assertThat(p.getMetadata().getFinalizers()).isNullOrEmpty());

        clock.advance(Duration.ofSeconds(5));
        active("work").forEach(p -> PodStates.markSucceeded(client, p, clock.instant()));
        converge("work");
        job = job("work");
        assertThat(job.getStatus().getSucceeded()).isEqualTo(3);
        assertThat(job.getStatus().getActive()).isZero();
        assertThat(condition(job, "SuccessCriteriaMet")).isNotNull();
        JobCondition complete = condition(job, "Complete");
        assertThat(complete.getStatus()).isEqualTo("True");
        assertThat(complete.getReason()).isEqualTo("CompletionsReached");
        assertThat(job.getStatus().getCompletionTime()).isEqualTo(ts(start.plusSeconds(5)));
        assertThat(pods("work")).hasSize(3);
        assertThat(events.about("work")).filteredOn(e -> e.contains("SuccessfulCreate")).hasSize(3);
        assertThat(events.about("work")).contains("Normal Completed: Job completed");
    }

    @Test
    void workQueueJobCompletesWhenOnePodSucceededAndTheRestFinished() {
        create("queue", b -> b.editSpec().withCompletions(null).withParallelism(2).endSpec());
        converge("queue");
        List<Pod> pods = active("queue");
        assertThat(pods).hasSize(2);

        PodStates.markSucceeded(client, pods.get(0), clock.instant());
        converge("queue");
        assertThat(active("queue")).as("no new pods once one succeeded").hasSize(1);
        assertThat(condition(job("queue"), "Complete")).isNull();

        PodStates.markSucceeded(client, pods.get(1), clock.instant());
        converge("queue");
        assertThat(condition(job("queue"), "Complete").getStatus()).isEqualTo("True");
        assertThat(job("queue").getStatus().getSucceeded()).isEqualTo(2);
    }

    @Test
    void indexedJobGivesEachPodItsIndexAndRecordsCompletedIndexes() {
        create("idx", b -> b.editSpec().withCompletionMode("Indexed").withCompletions(3).withParallelism(2).endSpec());
        converge("idx");
        Map<Integer, Pod> byIndex = byIndex(active("idx"));
        assertThat(byIndex).containsOnlyKeys(0, 1);
        Pod first = byIndex.get(0);
        assertThat(first.getMetadata().getName()).startsWith("idx-0-");
        assertThat(first.getMetadata().getAnnotations()).containsEntry("batch.kubernetes.io/job-completion-index", "0");
        assertThat(first.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/job-completion-index", "0");
        assertThat(first.getSpec().getHostname()).isEqualTo("idx-0");
        EnvVar env = first.getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getName().equals("JOB_COMPLETION_INDEX")).findFirst().orElseThrow();
        assertThat(env.getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");

        PodStates.markSucceeded(client, byIndex.get(1), clock.instant());
        converge("idx");
        assertThat(job("idx").getStatus().getCompletedIndexes()).isEqualTo("1");
        assertThat(byIndex(active("idx"))).containsOnlyKeys(0, 2);

        PodStates.markFailed(client, byIndex(active("idx")).get(0), clock.instant());
        converge("idx");
        assertThat(job("idx").getStatus().getFailed()).isEqualTo(1);
        clock.advance(JobReconciler.BACKOFF_BASE);
        converge("idx");
        assertThat(byIndex(active("idx"))).as("index 0 runs again after the backoff").containsOnlyKeys(0, 2);

        active("idx").forEach(p -> PodStates.markSucceeded(client, p, clock.instant()));
        converge("idx");
        Job job = job("idx");
        assertThat(job.getStatus().getCompletedIndexes()).isEqualTo("0-2");
        assertThat(job.getStatus().getSucceeded()).isEqualTo(3);
        assertThat(condition(job, "Complete").getStatus()).isEqualTo("True");
    }

    @Test
    void failedPodsAreReplacedAfterAnExponentialBackoffUntilTheBackoffLimit() {
        create("flaky", b -> b.editSpec().withBackoffLimit(2).endSpec());
        converge("flaky");
        assertThat(active("flaky")).hasSize(1);

        // first failure: 10 s
        PodStates.markFailed(client, active("flaky").getFirst(), clock.instant());
        converge("flaky");
        assertThat(job("flaky").getStatus().getFailed()).isEqualTo(1);
        assertThat(active("flaky")).isEmpty();
        clock.advance(Duration.ofSeconds(9));
        converge("flaky");
        assertThat(active("flaky")).as("still backing off after 9 s").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        converge("flaky");
        assertThat(active("flaky")).hasSize(1);

        // second failure: 20 s
        PodStates.markFailed(client, active("flaky").getFirst(), clock.instant());
        converge("flaky");
        clock.advance(Duration.ofSeconds(19));
        converge("flaky");
        assertThat(active("flaky")).as("still backing off after 19 s").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        converge("flaky");
        assertThat(active("flaky")).hasSize(1);

        // third failure exceeds backoffLimit 2
        PodStates.markFailed(client, active("flaky").getFirst(), clock.instant());
        converge("flaky");
        Job job = job("flaky");
        assertThat(job.getStatus().getFailed()).isEqualTo(3);
        assertThat(condition(job, "FailureTarget").getReason()).isEqualTo("BackoffLimitExceeded");
        JobCondition failed = condition(job, "Failed");
        assertThat(failed.getStatus()).isEqualTo("True");
        assertThat(failed.getReason()).isEqualTo("BackoffLimitExceeded");
        assertThat(failed.getMessage()).isEqualTo("Job has reached the specified backoff limit");
        assertThat(job.getStatus().getCompletionTime()).isNull();
        clock.advance(Duration.ofMinutes(10));
        converge("flaky");
        assertThat(active("flaky")).isEmpty();
        assertThat(pods("flaky")).hasSize(3);
        assertThat(events.about("flaky")).contains("Warning BackoffLimitExceeded: Job has reached the specified backoff limit");
    }

    @Test
    void aFailJobRuleOfThePodFailurePolicyFailsTheJobAtOnceNamingThePodAndTheRule() {
        create("policy", b -> b.editSpec().withParallelism(2).withCompletions(4).withBackoffLimit(6)
                .withNewPodFailurePolicy()
                .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").endOnPodCondition().endRule()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName("main").withOperator("In")
                .withValues(42).endOnExitCodes().endRule()
                .endPodFailurePolicy().endSpec());
        converge("policy");
        List<Pod> pods = active("policy");
        assertThat(pods).hasSize(2);

        PodStates.markFailed(client, pods.get(0), clock.instant(), 42);
        converge("policy");
        Job job = job("policy");
        String message = "Container main for pod " + NS + "/" + pods.get(0).getMetadata().getName()
                + " failed with exit code 42 matching FailJob rule at index 1";
        assertThat(condition(job, "FailureTarget").getReason()).isEqualTo("PodFailurePolicy");
        JobCondition failed = condition(job, "Failed");
        assertThat(failed).as("failed long before backoffLimit 6").isNotNull();
        assertThat(failed.getReason()).isEqualTo("PodFailurePolicy");
        assertThat(failed.getMessage()).isEqualTo(message);
        assertThat(job.getStatus().getFailed()).as("the matching pod and the one deleted").isEqualTo(2);
        assertThat(active("policy")).isEmpty();
        assertThat(events.about("policy")).contains("Warning PodFailurePolicy: " + message);
    }

    @Test
    void anIgnoreRuleOfThePodFailurePolicyReplacesThePodWithoutCountingIt() {
        create("ignore", b -> b.editSpec().withBackoffLimit(0)
                .withNewPodFailurePolicy()
                .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").endOnPodCondition().endRule()
                .addNewRule().withAction("Count").withNewOnExitCodes().withOperator("NotIn").withValues(0).endOnExitCodes().endRule()
                .endPodFailurePolicy().endSpec());
        converge("ignore");
        Pod evicted = active("ignore").getFirst();
        PodStates.markFailedWithCondition(client, evicted, clock.instant(), "DisruptionTarget");
        converge("ignore");
        Job job = job("ignore");
        assertThat(job.getStatus().getFailed()).as("an ignored failure is not counted").isNull();
        assertThat(condition(job, "Failed")).as("backoffLimit 0 is not reached by an ignored failure").isNull();
        assertThat(active("ignore")).as("replaced at once, without backoff").hasSize(1)
                .allSatisfy(p -> assertThat(p.getMetadata().getName()).isNotEqualTo(evicted.getMetadata().getName()));
        assertThat(client.pods().inNamespace(NS).withName(evicted.getMetadata().getName()).get().getMetadata().getFinalizers())
                .as("the ignored pod is released").isNullOrEmpty();

        PodStates.markFailed(client, active("ignore").getFirst(), clock.instant(), 3);
        converge("ignore");
        job = job("ignore");
        assertThat(job.getStatus().getFailed()).isEqualTo(1);
        assertThat(condition(job, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
    }

    @Test
    void anIndexedJobCompletesWhenItsSuccessPolicyIsMet() {
        create("leader", b -> b.editSpec().withCompletionMode("Indexed").withCompletions(4).withParallelism(4)
                .withNewSuccessPolicy().addNewRule().withSucceededIndexes("0").endRule().endSuccessPolicy().endSpec());
        converge("leader");
        Map<Integer, Pod> byIndex = byIndex(active("leader"));
        assertThat(byIndex).containsOnlyKeys(0, 1, 2, 3);

        PodStates.markSucceeded(client, byIndex.get(1), clock.instant());
        converge("leader");
        assertThat(condition(job("leader"), "Complete")).as("index 1 alone does not meet the policy").isNull();

        PodStates.markSucceeded(client, byIndex.get(0), clock.instant());
        converge("leader");
        Job job = job("leader");
        assertThat(condition(job, "SuccessCriteriaMet").getReason()).isEqualTo("SuccessPolicy");
        JobCondition complete = condition(job, "Complete");
        assertThat(complete).isNotNull();
        assertThat(complete.getReason()).isEqualTo("SuccessPolicy");
        assertThat(complete.getMessage()).isEqualTo("Matched rules at index 0");
        assertThat(job.getStatus().getCompletedIndexes()).isEqualTo("0,1");
        assertThat(active("leader")).as("the indexes still running are stopped").isEmpty();
    }

    @Test
    void withBackoffLimitPerIndexAnIndexFailsPastItsOwnLimitAndTheJobFailsOnceEveryIndexIsDone() {
        create("per-index", b -> b.editSpec().withCompletionMode("Indexed").withCompletions(3).withParallelism(3)
                .withBackoffLimitPerIndex(1).endSpec());
        converge("per-index");
        assertThat(job("per-index").getSpec().getBackoffLimit()).isEqualTo(Integer.MAX_VALUE);
        Map<Integer, Pod> byIndex = byIndex(active("per-index"));
        assertThat(byIndex.get(1).getMetadata().getAnnotations())
                .containsEntry("batch.kubernetes.io/job-index-failure-count", "0");

        PodStates.markFailed(client, byIndex.get(1), clock.instant());
        converge("per-index");
        assertThat(byIndex(active("per-index"))).as("index 1 backs off on its own").containsOnlyKeys(0, 2);
        clock.advance(JobReconciler.BACKOFF_BASE);
        converge("per-index");
        Pod retry = byIndex(active("per-index")).get(1);
        assertThat(retry.getMetadata().getAnnotations()).containsEntry("batch.kubernetes.io/job-index-failure-count", "1");
        assertThat(job("per-index").getStatus().getFailedIndexes()).isNull();

        PodStates.markFailed(client, retry, clock.instant());
        converge("per-index");
        assertThat(job("per-index").getStatus().getFailedIndexes()).isEqualTo("1");
        clock.advance(Duration.ofMinutes(10));
        converge("per-index");
        assertThat(byIndex(active("per-index"))).as("a failed index is not retried").containsOnlyKeys(0, 2);
        assertThat(condition(job("per-index"), "Failed")).as("the other indexes still run").isNull();

        active("per-index").forEach(p -> PodStates.markSucceeded(client, p, clock.instant()));
        converge("per-index");
        Job job = job("per-index");
        assertThat(job.getStatus().getCompletedIndexes()).isEqualTo("0,2");
        assertThat(job.getStatus().getFailed()).isEqualTo(2);
        JobCondition failed = condition(job, "Failed");
        assertThat(failed.getReason()).isEqualTo("FailedIndexes");
        assertThat(failed.getMessage()).isEqualTo("Job has failed indexes");
    }

    @Test
    void aFailIndexRuleFailsTheIndexAtOnceAndMaxFailedIndexesFailsTheJob() {
        create("fail-index", b -> b.editSpec().withCompletionMode("Indexed").withCompletions(3).withParallelism(3)
                .withBackoffLimitPerIndex(5).withMaxFailedIndexes(0)
                .withNewPodFailurePolicy()
                .addNewRule().withAction("FailIndex").withNewOnExitCodes().withOperator("In").withValues(42).endOnExitCodes().endRule()
                .endPodFailurePolicy().endSpec());
        converge("fail-index");
        PodStates.markFailed(client, byIndex(active("fail-index")).get(2), clock.instant(), 42);
        converge("fail-index");
        Job job = job("fail-index");
        assertThat(job.getStatus().getFailedIndexes()).isEqualTo("2");
        JobCondition failed = condition(job, "Failed");
        assertThat(failed.getReason()).isEqualTo("MaxFailedIndexesExceeded");
        assertThat(failed.getMessage()).isEqualTo("Job has exceeded the specified maximal number of failed indexes");
        assertThat(active("fail-index")).isEmpty();
    }

    @Test
    void activeDeadlineFailsTheJobAndDeletesItsPods() {
        create("slow", b -> b.editSpec().withCompletions(4).withParallelism(2).withActiveDeadlineSeconds(30L).endSpec());
        converge("slow");
        assertThat(active("slow")).hasSize(2);

        clock.advance(Duration.ofSeconds(29));
        converge("slow");
        assertThat(condition(job("slow"), "Failed")).isNull();

        clock.advance(Duration.ofSeconds(1));
        converge("slow");
        Job job = job("slow");
        JobCondition failed = condition(job, "Failed");
        assertThat(failed.getReason()).isEqualTo("DeadlineExceeded");
        assertThat(failed.getMessage()).isEqualTo("Job was active longer than specified deadline");
        assertThat(job.getStatus().getActive()).isZero();
        assertThat(job.getStatus().getFailed()).as("deleted pods count as failed").isEqualTo(2);
        assertThat(pods("slow")).isEmpty();
        assertThat(events.about("slow")).contains("Warning DeadlineExceeded: Job was active longer than specified deadline");
        assertThat(events.about("slow")).filteredOn(e -> e.startsWith("Normal SuccessfulDelete: Deleted pod: slow-")).hasSize(2);
    }

    @Test
    void aPodDeletedBeforeItFinishedStillCountsAsFailed() {
        create("gone", b -> b);
        converge("gone");
        Pod pod = active("gone").getFirst();
        client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).delete();
        converge("gone");
        assertThat(job("gone").getStatus().getFailed()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).get()).isNull());
    }

    @Test
    void withReplacementPolicyFailedADeletedPodIsReplacedOnlyOnceItHasFailed() {
        create("careful", b -> b.editSpec().withPodReplacementPolicy("Failed").endSpec());
        converge("careful");
        Pod pod = active("careful").getFirst();
        client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).delete();
        converge("careful");
        Job job = job("careful");
        assertThat(job.getStatus().getTerminating()).isEqualTo(1);
        assertThat(job.getStatus().getFailed()).isNull();
        assertThat(active("careful")).as("no replacement while the old pod terminates").isEmpty();

        PodStates.markFailed(client, pod, clock.instant());
        converge("careful");
        assertThat(job("careful").getStatus().getFailed()).isEqualTo(1);
        clock.advance(JobReconciler.BACKOFF_BASE);
        converge("careful");
        assertThat(active("careful")).hasSize(1);
    }

    @Test
    void finishedJobIsDeletedOnceItsTtlHasPassed() {
        create("short", b -> b.editSpec().withTtlSecondsAfterFinished(60).endSpec());
        converge("short");
        PodStates.markSucceeded(client, active("short").getFirst(), clock.instant());
        converge("short");
        assertThat(condition(job("short"), "Complete")).isNotNull();

        clock.advance(Duration.ofSeconds(59));
        ttl.loop().processOne(NS + "/short");
        assertThat(job("short")).isNotNull();

        clock.advance(Duration.ofSeconds(1));
        ttl.loop().processOne(NS + "/short");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(job("short")).isNull());
    }

    @Test
    void unfinishedJobIsNotDeletedByTheTtl() {
        create("running", b -> b.editSpec().withTtlSecondsAfterFinished(0).endSpec());
        converge("running");
        clock.advance(Duration.ofHours(1));
        ttl.loop().processOne(NS + "/running");
        assertThat(job("running")).isNotNull();
    }

    @Test
    void suspendDeletesThePodsAndResumeRestartsTheClock() {
        Instant start = clock.instant();
        create("pause", b -> b.editSpec().withCompletions(2).withParallelism(2).withActiveDeadlineSeconds(100L).endSpec());
        converge("pause");
        assertThat(active("pause")).hasSize(2);

        clock.advance(Duration.ofSeconds(60));
        client.batch().v1().jobs().inNamespace(NS).withName("pause").edit(j -> new JobBuilder(j).editSpec().withSuspend(true).endSpec().build());
        converge("pause");
        Job job = job("pause");
        JobCondition suspended = condition(job, "Suspended");
        assertThat(suspended.getStatus()).isEqualTo("True");
        assertThat(suspended.getReason()).isEqualTo("JobSuspended");
        assertThat(job.getStatus().getActive()).isZero();
        assertThat(active("pause")).isEmpty();
        assertThat(events.about("pause")).contains("Normal Suspended: Job suspended");

        // suspended time does not count towards activeDeadlineSeconds
        clock.advance(Duration.ofSeconds(300));
        converge("pause");
        assertThat(condition(job("pause"), "Failed")).isNull();

        client.batch().v1().jobs().inNamespace(NS).withName("pause").edit(j -> new JobBuilder(j).editSpec().withSuspend(false).endSpec().build());
        converge("pause");
        job = job("pause");
        assertThat(condition(job, "Suspended").getStatus()).isEqualTo("False");
        assertThat(condition(job, "Suspended").getReason()).isEqualTo("JobResumed");
        assertThat(job.getStatus().getStartTime()).isEqualTo(ts(start.plusSeconds(360)));
        assertThat(active("pause")).hasSize(2);
        assertThat(events.about("pause")).contains("Normal Resumed: Job resumed");
    }

    /** Last: from here on the workers reconcile every job of the cluster by themselves. */
    @Test
    @Order(Integer.MAX_VALUE)
    void workersDriveAJobToCompletionAndTheTtlRemovesIt() {
        jobs.start();
        ttl.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs.isReady() && ttl.isReady());
        create("managed", b -> b.editSpec().withCompletions(2).withParallelism(2).withTtlSecondsAfterFinished(30).endSpec());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(active("managed")).hasSize(2));
        active("managed").forEach(p -> PodStates.markSucceeded(client, p, clock.instant()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(condition(job("managed"), "Complete")).isNotNull());
        assertThat(job("managed").getStatus().getSucceeded()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(job("managed")).isNull());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String ts(Instant t) {
        return java.time.format.DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    private Job create(String name, UnaryOperator<JobBuilder> customize) {
        JobBuilder b = new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox:1.36").withCommand("true").endContainer()
                .endSpec()
                .endTemplate()
                .endSpec();
        return client.batch().v1().jobs().inNamespace(NS).resource(customize.apply(b).build()).create();
    }

    private Job job(String name) {
        return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    }

    private List<Pod> pods(String job) {
        return client.pods().inNamespace(NS).withLabel("batch.kubernetes.io/job-name", job).list().getItems().stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    }

    private List<Pod> active(String job) {
        return pods(job).stream().filter(JobPods::active).toList();
    }

    private static Map<Integer, Pod> byIndex(List<Pod> pods) {
        return pods.stream().collect(Collectors.toMap(JobPods::completionIndex, p -> p));
    }

    private static JobCondition condition(Job job, String type) {
        return JobReconciler.condition(job.getStatus() == null ? null : job.getStatus().getConditions(), type);
    }

    /** Reconciles the job until a pass changes nothing, waiting each time for the cache to show the API's state. */
    private void converge(String name) {
        String before = fingerprint(name);
        for (int i = 0; i < 10; i++) {
            settle(name);
            jobs.loop().processOne(NS + "/" + name);
            String after = fingerprint(name);
            if (after.equals(before)) {
                return;
            }
            before = after;
        }
        throw new AssertionError("job " + name + " did not settle: " + before);
    }

    private String fingerprint(String name) {
        Job job = job(name);
        return (job == null ? "-" : job.getMetadata().getResourceVersion()) + " "
                + pods(name).stream().map(p -> p.getMetadata().getName() + "@" + p.getMetadata().getResourceVersion()).toList();
    }

    private void settle(String name) {
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
            Job api = job(name);
            Job cached = context.informers().get(Job.class, NS + "/" + name);
            String apiRv = api == null ? null : api.getMetadata().getResourceVersion();
            String cachedRv = cached == null ? null : cached.getMetadata().getResourceVersion();
            String apiPods = pods(name).stream().map(p -> p.getMetadata().getName() + "@" + p.getMetadata().getResourceVersion())
                    .sorted().collect(Collectors.joining(","));
            String cachedPods = context.informers().inNamespace(Pod.class, NS).stream()
                    .filter(p -> name.equals(p.getMetadata().getLabels().get("batch.kubernetes.io/job-name")))
                    .map(p -> p.getMetadata().getName() + "@" + p.getMetadata().getResourceVersion())
                    .sorted().collect(Collectors.joining(","));
            return java.util.Objects.equals(apiRv, cachedRv) && apiPods.equals(cachedPods);
        });
    }
}
