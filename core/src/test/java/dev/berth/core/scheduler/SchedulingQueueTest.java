package dev.berth.core.scheduler;

import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulingQueueTest {
    final FakeClock clock = new FakeClock();
    final SchedulingQueue queue = new SchedulingQueue(clock);

    static Pod pod(String name, Integer priority, String created) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withCreationTimestamp(created).endMetadata()
                .withNewSpec().withPriority(priority).endSpec().build();
    }

    SchedulingQueue.Entry pop() throws InterruptedException {
        return queue.pop(Duration.ZERO);
    }

    @Test
    void popsHigherPriorityFirstThenOlderPods() throws Exception {
        queue.add(pod("young", 0, "2026-01-01T00:00:02Z"));
        queue.add(pod("old", 0, "2026-01-01T00:00:01Z"));
        queue.add(pod("important", 100, "2026-01-01T00:00:03Z"));
        assertThat(pop().key()).isEqualTo("ns/important");
        assertThat(pop().key()).isEqualTo("ns/old");
        assertThat(pop().key()).isEqualTo("ns/young");
        assertThat(pop()).isNull();
    }

    @Test
    void failedPodsBackOffOneSecondDoublingToTen() throws Exception {
        assertThat(SchedulingQueue.backoffDuration(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(SchedulingQueue.backoffDuration(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(SchedulingQueue.backoffDuration(9)).isEqualTo(Duration.ofSeconds(10));

        queue.add(pod("p", 0, "2026-01-01T00:00:00Z"));
        SchedulingQueue.Entry e = pop();
        queue.addBackoff(e);
        assertThat(queue.where("ns/p")).isEqualTo(SchedulingQueue.Where.BACKOFF);
        assertThat(pop()).isNull();
        clock.advance(Duration.ofMillis(999));
        assertThat(pop()).isNull();
        clock.advance(Duration.ofMillis(1));
        e = pop();
        assertThat(e.key()).isEqualTo("ns/p");
        queue.addBackoff(e);
        clock.advance(Duration.ofSeconds(1));
        assertThat(pop()).as("second failure waits two seconds").isNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(pop()).isNotNull();
    }

    @Test
    void unschedulablePodsWaitForAClusterEventOrFiveMinutes() throws Exception {
        queue.add(pod("p", 0, "2026-01-01T00:00:00Z"));
        queue.addUnschedulable(pop());
        assertThat(queue.where("ns/p")).isEqualTo(SchedulingQueue.Where.UNSCHEDULABLE);
        clock.advance(Duration.ofSeconds(30));
        assertThat(pop()).isNull();

        queue.moveAllToActiveOrBackoff();
        SchedulingQueue.Entry e = pop();
        assertThat(e).isNotNull();
        queue.addUnschedulable(e);
        clock.advance(Duration.ofMinutes(4));
        assertThat(pop()).isNull();
        clock.advance(Duration.ofMinutes(1));
        assertThat(pop()).as("retried after five minutes without events").isNotNull();
    }

    @Test
    void anEventDuringTheCycleSendsTheFailedPodToBackoffInsteadOfParkingIt() throws Exception {
        queue.add(pod("p", 0, "2026-01-01T00:00:00Z"));
        SchedulingQueue.Entry e = pop();
        queue.moveAllToActiveOrBackoff(); // e.g. a node was added while the pod was being scheduled
        queue.addUnschedulable(e);
        assertThat(queue.where("ns/p")).isEqualTo(SchedulingQueue.Where.BACKOFF);
        clock.advance(Duration.ofSeconds(1));
        assertThat(pop()).isNotNull();
    }

    @Test
    void eventsMoveParkedPodsStillInBackoffToBackoffQ() throws Exception {
        queue.add(pod("p", 0, "2026-01-01T00:00:00Z"));
        queue.addUnschedulable(pop());
        queue.moveAllToActiveOrBackoff();
        assertThat(queue.where("ns/p")).isEqualTo(SchedulingQueue.Where.BACKOFF);
    }

    @Test
    void specChangesOfAParkedPodRetryItButStatusChangesDoNot() throws Exception {
        Pod p = pod("p", 0, "2026-01-01T00:00:00Z");
        queue.add(p);
        queue.addUnschedulable(pop());
        clock.advance(Duration.ofSeconds(2));
        Pod statusOnly = new PodBuilder(p).withNewStatus().withPhase("Pending").endStatus().build();
        queue.update(p, statusOnly);
        assertThat(queue.where("ns/p")).isEqualTo(SchedulingQueue.Where.UNSCHEDULABLE);
        Pod tolerating = new PodBuilder(statusOnly).editSpec().addNewToleration().withOperator("Exists").endToleration().endSpec().build();
        queue.update(statusOnly, tolerating);
        assertThat(queue.where("ns/p")).isEqualTo(SchedulingQueue.Where.ACTIVE);
        assertThat(pop().pod()).isSameAs(tolerating);
    }

    @Test
    void deletedPodsLeaveTheQueue() throws Exception {
        queue.add(pod("p", 0, "2026-01-01T00:00:00Z"));
        queue.delete("ns/p");
        assertThat(pop()).isNull();
        assertThat(queue.size()).isZero();
    }
}
