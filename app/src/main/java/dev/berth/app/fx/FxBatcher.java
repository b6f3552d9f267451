package dev.berth.app.fx;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Carries items from any thread (watch callbacks) to the UI thread in batches: however many
 * items arrive, at most one hand-over is queued on the UI thread at a time, and it takes
 * everything that arrived until it runs. A watch that delivers thousands of events makes a few
 * UI updates, never one {@code runLater} per event.
 */
public final class FxBatcher<T> {
    private final ConcurrentLinkedQueue<T> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Executor uiThread;
    private final Consumer<List<T>> consumer;

    public FxBatcher(Executor uiThread, Consumer<List<T>> consumer) {
        this.uiThread = Objects.requireNonNull(uiThread, "uiThread");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
    }

    /** Adds an item; safe from any thread. */
    public void add(T item) {
        pending.add(item);
        if (scheduled.compareAndSet(false, true)) {
            uiThread.execute(this::drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        List<T> batch = new ArrayList<>();
        for (T t; (t = pending.poll()) != null; ) {
            batch.add(t);
        }
        if (!batch.isEmpty()) {
            consumer.accept(batch);
        }
    }
}
