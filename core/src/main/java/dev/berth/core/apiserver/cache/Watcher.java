package dev.berth.core.apiserver.cache;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One watch on one resource: a bounded queue of events that already passed the namespace and
 * selector filters. A watcher that falls too far behind is ended (its queue overflowed), as the
 * Kubernetes watch cache does; the client re-lists and watches again.
 */
public final class Watcher implements AutoCloseable {
    /** Events of a watcher that stopped keeping up; the stream ends after them. */
    public static final CacheEvent OVERFLOW = new CacheEvent(CacheEvent.Type.DELETED, null, null, -1);
    private static final CacheEvent CLOSED = new CacheEvent(CacheEvent.Type.DELETED, null, null, -2);

    private final BlockingQueue<CacheEvent> queue = new LinkedBlockingQueue<>();
    private final int capacity;
    private final String namespacePrefix;
    private final Predicate<CachedObject> filter;
    private final ResourceCache owner;
    private volatile boolean done;

    Watcher(ResourceCache owner, String namespacePrefix, Predicate<CachedObject> filter, int capacity) {
        this.owner = owner;
        this.namespacePrefix = namespacePrefix;
        this.filter = filter;
        this.capacity = capacity;
    }

    /**
     * Offers one change, translated for this watcher's filter: an object that stops matching is
     * DELETED for it, one that starts matching is ADDED.
     */
    void offer(CacheEvent e) {
        if (done) {
            return;
        }
        CachedObject obj = e.object();
        if (!obj.key().startsWith(namespacePrefix)) {
            return;
        }
        boolean now = e.type() != CacheEvent.Type.DELETED && filter.test(obj);
        boolean before = e.previous() != null && filter.test(e.previous());
        CacheEvent out;
        if (e.type() == CacheEvent.Type.DELETED) {
            out = filter.test(obj) ? e : null;
        } else if (now && before) {
            out = e;
        } else if (now) {
            out = new CacheEvent(CacheEvent.Type.ADDED, obj, null, e.revision());
        } else if (before) {
            out = new CacheEvent(CacheEvent.Type.DELETED, obj, e.previous(), e.revision());
        } else {
            out = null;
        }
        if (out != null && (queue.size() >= capacity || !queue.offer(out))) {
            done = true;
            queue.clear();
            queue.offer(OVERFLOW);
            owner.remove(this);
        }
    }

    /** Adds an initial (synthetic ADDED) event; these never overflow. */
    void initial(CachedObject obj) {
        if (filter.test(obj)) {
            queue.add(new CacheEvent(CacheEvent.Type.ADDED, obj, null, obj.modRevision()));
        }
    }

    boolean matches(CachedObject obj) {
        return obj.key().startsWith(namespacePrefix) && filter.test(obj);
    }

    /** The next event, null on timeout; {@link #OVERFLOW} when the watcher fell behind. */
    public CacheEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        CacheEvent e = queue.poll(timeout, unit);
        return e == CLOSED ? null : e;
    }

    public boolean isDone() {
        return done;
    }

    @Override
    public void close() {
        if (!done) {
            done = true;
            owner.remove(this);
            queue.offer(CLOSED);
        }
    }
}
