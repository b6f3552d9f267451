package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.time.Duration;

/**
 * A named controller of one kind of key: a {@link WorkQueue} of {@code namespace/name} keys drained
 * by a {@link Reconciler}, whose workers start once the shared informers have synced. Informer
 * handlers call {@link #enqueue}; they never do the work themselves.
 */
public final class ControlLoop implements Component {
    private final String name;
    private final ControllerContext context;
    private final WorkQueue<String> queue;
    private final Controller<String> controller;
    private volatile boolean running;

    public ControlLoop(String name, ControllerContext context, Reconciler<String> reconciler, int workers) {
        this(name, context, new WorkQueue<>(context.clock()), reconciler, workers);
    }

    public ControlLoop(String name, ControllerContext context, WorkQueue<String> queue, Reconciler<String> reconciler,
                       int workers) {
        this.name = name;
        this.context = context;
        this.queue = queue;
        this.controller = new Controller<>(name, queue, reconciler, workers);
    }

    @Override
    public String name() {
        return name;
    }

    public WorkQueue<String> queue() {
        return queue;
    }

    public void enqueue(HasMetadata obj) {
        queue.add(Keys.of(obj));
    }

    public void enqueue(String key) {
        queue.add(key);
    }

    public void enqueueAfter(String key, Duration delay) {
        queue.addAfter(key, delay);
    }

    /** Starts the workers once the shared informers have listed their resources. */
    @Override
    public void start() {
        context.informers().synced().thenRun(() -> {
            controller.start();
            running = true;
        });
    }

    /** True once the workers run. */
    @Override
    public boolean isReady() {
        return running;
    }

    /** Reconciles one key on the caller's thread: for tests that step by hand. */
    public void processOne(String key) {
        controller.processOne(key);
    }

    @Override
    public void close() {
        controller.stop(Duration.ofSeconds(5));
        running = false;
    }
}
