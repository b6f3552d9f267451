package dev.berth.core.store.internal;

import dev.berth.core.store.Store;
import dev.berth.core.store.StoreEvent;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one watch's events to its listener on the watch's own virtual thread, so a slow
 * listener only ever delays itself: producers (the store's writer, a gRPC callback) just enqueue.
 *
 * <p>Events at or below the last delivered revision are dropped. A store can therefore register the
 * live feed first and replay history afterwards: the overlap collapses here, so the switch-over
 * from history to live events has neither a gap nor a duplicate (one revision is one event).
 */
public final class WatchDelivery implements Store.Watch {
    private static final Logger log = LoggerFactory.getLogger(WatchDelivery.class);
    private static final Object STOP = new Object();
    /** Events a watch may fall behind by before it is ended; bounds the memory a stuck listener holds. */
    public static final int DEFAULT_MAX_BACKLOG = 100_000;

    private record Failure(Throwable error) {}

    private final String name;
    private final String prefix;
    private final Store.WatchListener listener;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final Runnable onClose;
    private final int maxBacklog;
    private volatile long lastDelivered;
    private Thread thread;

    /**
     * @param afterRevision only events above this revision are delivered
     * @param onClose       run once when the watch ends (unregisters it from its producer)
     */
    public WatchDelivery(String name, String prefix, long afterRevision, Store.WatchListener listener, Runnable onClose) {
        this(name, prefix, afterRevision, listener, onClose, DEFAULT_MAX_BACKLOG);
    }

    /** @param maxBacklog queued events beyond which the watch ends with an error instead of growing */
    public WatchDelivery(String name, String prefix, long afterRevision, Store.WatchListener listener, Runnable onClose,
                         int maxBacklog) {
        this.maxBacklog = maxBacklog;
        this.name = name;
        this.prefix = prefix;
        this.lastDelivered = afterRevision;
        this.listener = listener;
        this.onClose = onClose;
    }

    public String prefix() { return prefix; }

    /** Starts the delivery thread; {@code replay} runs on it first and calls {@link #deliver}. */
    public WatchDelivery start(Consumer<WatchDelivery> replay) {
        thread = Thread.ofVirtual().name(name).start(() -> run(replay));
        return this;
    }

    /**
     * Queues a live event; never blocks. A watch whose listener fell more than {@code maxBacklog}
     * events behind is ended: its backlog is dropped and onError tells the owner to re-list, as
     * the Kubernetes watch cache does with watchers that cannot keep up.
     */
    public void offer(StoreEvent event) {
        if (closed.get()) return;
        if (queue.size() >= maxBacklog) {
            if (overflowed.compareAndSet(false, true)) {
                queue.clear();
                queue.add(new Failure(new dev.berth.core.store.StoreException("watch " + name + " fell more than "
                        + maxBacklog + " events behind at revision " + event.revision() + " and was ended")));
            }
            return;
        }
        queue.add(event);
    }

    /** Ends the watch abnormally: the listener's onError runs after the events already queued. */
    public void fail(Throwable error) {
        if (!closed.get()) queue.add(new Failure(error));
    }

    public boolean isClosed() { return closed.get(); }

    /** The revision of the last event handed to the listener (the starting revision before any). */
    public long lastDelivered() { return lastDelivered; }

    /** Delivers directly on the watch thread; only for the replay callback. */
    public void deliver(StoreEvent event) {
        if (event.revision() <= lastDelivered || closed.get()) return;
        lastDelivered = event.revision();
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            // A listener bug must not end the watch for everybody else's sake; it is the listener's to fix.
            log.warn("watch {} listener failed on {} at revision {}", name, event.key(), event.revision(), e);
        }
    }

    private void run(Consumer<WatchDelivery> replay) {
        try {
            replay.accept(this);
            while (!closed.get()) {
                Object next = queue.take();
                if (next == STOP) break;
                if (next instanceof Failure(Throwable error)) {
                    if (closed.compareAndSet(false, true)) {
                        onClose.run();
                        listener.onError(error);
                    }
                    return;
                }
                deliver((StoreEvent) next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (closed.compareAndSet(false, true)) {
                onClose.run();
                listener.onError(e);
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
            queue.add(STOP);
        }
    }
}
