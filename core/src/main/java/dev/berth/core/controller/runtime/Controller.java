package dev.berth.core.controller.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Drains a {@link WorkQueue} into a {@link Reconciler} with a fixed number of worker threads.
 * The queue guarantees one reconcile in flight per key. On {@link Result#done()} the key's backoff
 * is forgotten; on {@link Result#requeueAfter} it comes back after the delay; on
 * {@link Result#requeue()} or an exception it comes back with exponential backoff.
 */
public final class Controller<K> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final String name;
    private final WorkQueue<K> queue;
    private final Reconciler<K> reconciler;
    private final int workers;
    private final List<Thread> threads = new ArrayList<>();

    public Controller(String name, WorkQueue<K> queue, Reconciler<K> reconciler, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers + " must be at least 1");
        }
        this.name = name;
        this.queue = queue;
        this.reconciler = reconciler;
        this.workers = workers;
    }

    public String name() {
        return name;
    }

    public WorkQueue<K> queue() {
        return queue;
    }

    /** Starts the workers. */
    public synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("controller " + name + " is already started");
        }
        for (int i = 0; i < workers; i++) {
            Thread t = Thread.ofPlatform().name(name + "-worker-" + i).daemon(true).start(this::runWorker);
            threads.add(t);
        }
    }

    private void runWorker() {
        try {
            while (!queue.isShuttingDown()) {
                Optional<K> next = queue.get();
                if (next.isEmpty()) {
                    return;
                }
                processOne(next.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reconciles one key and tells the queue what comes next; public for tests that step by hand. */
    public void processOne(K key) {
        try {
            Result r = reconciler.reconcile(key);
            switch (r) {
                case Result.Done d -> queue.forget(key);
                case Result.RequeueAfter a -> {
                    queue.forget(key);
                    queue.addAfter(key, a.delay());
                }
                case Result.Requeue q -> queue.addRateLimited(key);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queue.addRateLimited(key);
        } catch (Exception e) {
            int n = queue.numRequeues(key);
            if (n < 3) {
                log.info("{}: reconcile of {} failed (retry {}): {}", name, key, n + 1, e.toString());
            } else {
                log.warn("{}: reconcile of {} failed (retry {})", name, key, n + 1, e);
            }
            queue.addRateLimited(key);
        } finally {
            queue.done(key);
        }
    }

    /** Shuts the queue down and waits up to {@code timeout} for the workers to finish their current key. */
    public synchronized void stop(Duration timeout) {
        queue.shutDown();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    t.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
