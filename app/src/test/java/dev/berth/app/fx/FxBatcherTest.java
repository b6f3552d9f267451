package dev.berth.app.fx;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class FxBatcherTest {
    /** A UI thread that runs what it was handed only when the test says so. */
    static final class ManualUi implements java.util.concurrent.Executor {
        final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable r) {
            queued.add(r);
        }

        void runAll() {
            for (Runnable r; (r = queued.poll()) != null; ) {
                r.run();
            }
        }
    }

    @Test
    void handsThousandsOfItemsFromManyThreadsOverInOneQueuedRunInOrder() throws Exception {
        ManualUi ui = new ManualUi();
        List<List<Integer>> batches = new ArrayList<>();
        FxBatcher<Integer> b = new FxBatcher<>(ui, batches::add);
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            int base = t * 10_000;
            Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    b.add(base + i);
                }
                done.countDown();
            });
        }
        done.await();
        assertThat(ui.queued).hasSize(1);
        ui.runAll();
        assertThat(batches).hasSize(1);
        assertThat(batches.getFirst()).hasSize(40_000);
        for (int t = 0; t < 4; t++) {
            int base = t * 10_000;
            assertThat(batches.getFirst().stream().filter(i -> i >= base && i < base + 10_000).toList())
                    .isSorted().hasSize(10_000);
        }
        b.add(1);
        assertThat(ui.queued).hasSize(1);
        ui.runAll();
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).containsExactly(1);
    }

    @Test
    void tasksRunTheWorkOffTheUiThreadAndTheCallbacksOnIt() throws Exception {
        ManualUi ui = new ManualUi();
        List<String> seen = new ArrayList<>();
        CountDownLatch queued = new CountDownLatch(2);
        java.util.concurrent.Executor counting = r -> {
            ui.execute(r);
            queued.countDown();
        };
        try (FxTasks tasks = new FxTasks(counting)) {
            tasks.run(() -> Thread.currentThread().isVirtual() ? "worker" : "ui").onSuccess(seen::add).start();
            tasks.run(() -> {
                throw new IllegalStateException("boom");
            }).onFailure(e -> seen.add(e.getMessage())).start();
            queued.await();
            assertThat(seen).isEmpty();
            ui.runAll();
            assertThat(seen).containsExactlyInAnyOrder("worker", "boom");
        }
    }
}
