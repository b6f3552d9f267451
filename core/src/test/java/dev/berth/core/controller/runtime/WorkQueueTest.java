package dev.berth.core.controller.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WorkQueueTest {
    private final FakeClock clock = new FakeClock();
    private final WorkQueue<String> queue = new WorkQueue<>(clock);

    @Test
    void holdsAQueuedKeyOnceHoweverOftenItIsAdded() {
        queue.add("a");
        queue.add("b");
        queue.add("a");

        assertThat(queue.length()).isEqualTo(2);
        assertThat(queue.poll()).contains("a");
        assertThat(queue.poll()).contains("b");
        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void handsAKeyToOneWorkerAtATimeAndQueuesItAgainWhenAddedInFlight() {
        queue.add("a");
        String taken = queue.poll().orElseThrow();

        queue.add("a");
        queue.add("a");
        assertThat(queue.poll()).as("a is in flight").isEmpty();

        queue.done(taken);
        assertThat(queue.poll()).contains("a");
        queue.done("a");
        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void doesNotQueueAKeyAgainWhenItWasNotAddedWhileInFlight() {
        queue.add("a");
        queue.done(queue.poll().orElseThrow());

        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void releasesADelayedKeyOnlyOnceTheClockReachesItsTime() {
        queue.addAfter("a", Duration.ofSeconds(10));

        assertThat(queue.poll()).isEmpty();
        assertThat(queue.waitingCount()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(9));
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.poll()).contains("a");
        assertThat(queue.waitingCount()).isZero();
    }

    @Test
    void keepsTheEarliestOfSeveralDelaysForOneKey() {
        queue.addAfter("a", Duration.ofSeconds(10));
        queue.addAfter("a", Duration.ofSeconds(2));
        queue.addAfter("a", Duration.ofSeconds(5));

        clock.advance(Duration.ofSeconds(2));
        assertThat(queue.poll()).contains("a");
        queue.done("a");
        clock.advance(Duration.ofSeconds(10));
        assertThat(queue.poll()).as("the later delays were superseded").isEmpty();
    }

    @Test
    void releasesDelayedKeysInTheOrderOfTheirTime() {
        queue.addAfter("late", Duration.ofSeconds(3));
        queue.addAfter("early", Duration.ofSeconds(1));

        clock.advance(Duration.ofSeconds(3));
        assertThat(queue.poll()).contains("early");
        assertThat(queue.poll()).contains("late");
    }

    @Test
    void backsOffExponentiallyPerKeyFromFiveMillisecondsToAThousandSeconds() {
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            delays.add(queue.nextBackoff("a"));
        }

        assertThat(delays.subList(0, 4)).containsExactly(Duration.ofMillis(5), Duration.ofMillis(10),
                Duration.ofMillis(20), Duration.ofMillis(40));
        assertThat(delays.getLast()).isEqualTo(Duration.ofSeconds(1000));
        assertThat(delays).isSorted();
        assertThat(queue.nextBackoff("b")).as("other keys have their own count").isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void requeuesWithBackoffUntilTheKeyIsForgotten() {
        queue.addRateLimited("a");
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofMillis(5));
        assertThat(queue.poll()).contains("a");
        queue.done("a");

        queue.addRateLimited("a");
        clock.advance(Duration.ofMillis(5));
        assertThat(queue.poll()).as("second failure waits 10ms").isEmpty();
        clock.advance(Duration.ofMillis(5));
        assertThat(queue.poll()).contains("a");
        queue.done("a");
        assertThat(queue.numRequeues("a")).isEqualTo(2);

        queue.forget("a");
        assertThat(queue.numRequeues("a")).isZero();
        queue.addRateLimited("a");
        clock.advance(Duration.ofMillis(5));
        assertThat(queue.poll()).contains("a");
    }

    @Test
    void ignoresNewKeysAfterShutDownButHandsOutThoseAlreadyQueued() throws Exception {
        queue.add("a");
        queue.shutDown();
        queue.add("b");
        queue.addAfter("c", Duration.ofSeconds(1));

        assertThat(queue.get()).contains("a");
        assertThat(queue.get()).isEmpty();
    }

    @Test
    void wakesABlockedWorkerWhenAKeyArrivesOrTheQueueShutsDown() {
        WorkQueue<String> real = new WorkQueue<>();
        CompletableFuture<Optional<String>> first = CompletableFuture.supplyAsync(() -> take(real));
        real.add("a");
        await().atMost(5, TimeUnit.SECONDS).until(first::isDone);
        assertThat(first.join()).contains("a");

        CompletableFuture<Optional<String>> second = CompletableFuture.supplyAsync(() -> take(real));
        real.shutDown();
        await().atMost(5, TimeUnit.SECONDS).until(second::isDone);
        assertThat(second.join()).isEmpty();
    }

    @Test
    void wakesABlockedWorkerWhenADelayedKeyBecomesDue() {
        CompletableFuture<Optional<String>> taken = CompletableFuture.supplyAsync(() -> take(queue));
        queue.addAfter("a", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));

        await().atMost(5, TimeUnit.SECONDS).until(taken::isDone);
        assertThat(taken.join()).contains("a");
    }

    private static Optional<String> take(WorkQueue<String> q) {
        try {
            return q.get();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
