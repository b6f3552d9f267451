package dev.berth.core.controller.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ControllerTest {
    private final FakeClock clock = new FakeClock();
    private final WorkQueue<String> queue = new WorkQueue<>(clock);

    @Test
    void forgetsTheBackoffOfAKeyThatReconciled() {
        Controller<String> c = new Controller<>("test", queue, key -> Result.done(), 1);
        queue.addRateLimited("a");
        queue.addRateLimited("a");
        clock.advance(Duration.ofSeconds(1));

        c.processOne(queue.poll().orElseThrow());

        assertThat(queue.numRequeues("a")).isZero();
        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void requeuesAFailedKeyWithGrowingBackoff() {
        Controller<String> c = new Controller<>("test", queue, key -> {
            throw new IllegalStateException("boom");
        }, 1);
        queue.add("a");

        c.processOne(queue.poll().orElseThrow());
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofMillis(5));
        c.processOne(queue.poll().orElseThrow());
        clock.advance(Duration.ofMillis(5));
        assertThat(queue.poll()).as("the second retry waits 10ms").isEmpty();
        clock.advance(Duration.ofMillis(5));
        assertThat(queue.poll()).contains("a");
        assertThat(queue.numRequeues("a")).isEqualTo(2);
    }

    @Test
    void comesBackAfterTheDelayAReconcileAsksFor() {
        Controller<String> c = new Controller<>("test", queue, key -> Result.requeueAfter(Duration.ofSeconds(30)), 1);
        queue.add("a");

        c.processOne(queue.poll().orElseThrow());
        clock.advance(Duration.ofSeconds(29));
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.poll()).contains("a");
        assertThat(queue.numRequeues("a")).isZero();
    }

    @Test
    void neverReconcilesOneKeyOnTwoWorkersAtOnce() throws Exception {
        WorkQueue<String> real = new WorkQueue<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Controller<String> c = new Controller<>("test", real, key -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            firstStarted.countDown();
            if (runs.incrementAndGet() == 1) {
                release.await(5, TimeUnit.SECONDS);
            }
            inFlight.decrementAndGet();
            return Result.done();
        }, 4);
        c.start();
        try {
            real.add("a");
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
            real.add("a");
            real.add("a");
            release.countDown();

            await().atMost(5, TimeUnit.SECONDS).until(() -> runs.get() == 2);
            assertThat(maxInFlight.get()).isEqualTo(1);
        } finally {
            c.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void spreadsDifferentKeysOverItsWorkers() {
        WorkQueue<String> real = new WorkQueue<>();
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        Controller<String> c = new Controller<>("test", real, key -> {
            seen.merge(key, 1, Integer::sum);
            threads.add(Thread.currentThread().getName());
            return Result.done();
        }, 2);
        c.start();
        try {
            for (int i = 0; i < 20; i++) {
                real.add("k" + i);
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> seen.size() == 20);
            assertThat(threads).allMatch(n -> n.startsWith("test-worker-"));
        } finally {
            c.stop(Duration.ofSeconds(5));
        }
        assertThat(real.isShuttingDown()).isTrue();
    }
}
