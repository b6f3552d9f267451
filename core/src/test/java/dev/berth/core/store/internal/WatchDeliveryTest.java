package dev.berth.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.core.store.StoreContractTest.Recorder;
import dev.berth.core.store.StoreEvent;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WatchDeliveryTest {
    private static StoreEvent put(long revision) {
        return new StoreEvent(StoreEvent.Type.PUT, "/k" + revision, new byte[0], null, revision, true);
    }

    @Test
    void eventsAtOrBelowTheLastDeliveredRevisionAreDropped() {
        Recorder recorder = new Recorder();
        WatchDelivery delivery = new WatchDelivery("test", "/", 2, recorder, () -> {});
        delivery.start(replay -> {
            replay.deliver(put(3));
            replay.deliver(put(4));
        });
        delivery.offer(put(2));
        delivery.offer(put(4));
        delivery.offer(put(5));

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 3);
        assertThat(recorder.revisions()).containsExactly(3L, 4L, 5L);
        delivery.close();
    }

    @Test
    void aWatcherThatFallsTooFarBehindIsEndedWithAnError() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Recorder recorder = new Recorder() {
            @Override public void onEvent(StoreEvent event) {
                entered.countDown();
                try {
                    stuck.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onEvent(event);
            }
        };
        AtomicBoolean unregistered = new AtomicBoolean();
        WatchDelivery delivery = new WatchDelivery("slow", "/", 0, recorder, () -> unregistered.set(true), 10);
        delivery.start(replay -> {});
        delivery.offer(put(1));
        entered.await();
        for (long revision = 2; revision <= 20; revision++) delivery.offer(put(revision));
        stuck.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.errors.size() == 1);
        assertThat(recorder.errors.getFirst()).hasMessageContaining("fell more than 10 events behind");
        assertThat(recorder.revisions()).containsExactly(1L);
        assertThat(unregistered).isTrue();
    }
}
