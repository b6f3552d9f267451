package dev.berth.core.apiserver.cache;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The cached objects of one stored resource, the recent changes to them (so watches can resume
 * from a resourceVersion) and the watchers. Changes are applied by one thread, in revision order.
 */
public final class ResourceCache {
    private final String storage;
    private final String keyPrefix;
    private final int historyLimit;
    private final ConcurrentSkipListMap<String, CachedObject> items = new ConcurrentSkipListMap<>();
    private final ArrayDeque<CacheEvent> history = new ArrayDeque<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    /** Watches from a revision at or above this one can be served from {@link #history}. */
    private long resumableFrom;

    ResourceCache(String storage, int historyLimit, long startRevision) {
        this.storage = storage;
        this.keyPrefix = "/" + storage + "/";
        this.historyLimit = historyLimit;
        this.resumableFrom = startRevision;
    }

    /** Ends every watch of this resource, after the events already queued (its definition went away). */
    public void closeWatchers() {
        watchers.forEach(Watcher::close);
    }

    public String storage() {
        return storage;
    }

    synchronized void apply(CacheEvent e) {
        if (e.type() == CacheEvent.Type.DELETED) {
            items.remove(e.object().key());
        } else {
            items.put(e.object().key(), e.object());
        }
        history.addLast(e);
        while (history.size() > historyLimit) {
            resumableFrom = history.removeFirst().revision();
        }
        for (Watcher w : watchers) {
            w.offer(e);
        }
    }

    /** Loads state without events (initial fill). */
    synchronized void load(CachedObject obj) {
        items.put(obj.key(), obj);
    }

    public CachedObject get(String key) {
        return items.get(key);
    }

    /** Objects under {@code prefix} (a namespace prefix or the whole resource), in key order. */
    public Collection<CachedObject> list(String prefix) {
        if (prefix.equals(keyPrefix)) {
            return items.values();
        }
        return items.subMap(prefix, prefix + Character.MAX_VALUE).values();
    }

    /** Objects under {@code prefix} with key strictly after {@code afterKey}. */
    public Collection<CachedObject> listAfter(String prefix, String afterKey) {
        return items.subMap(afterKey, false, prefix + Character.MAX_VALUE, false).values();
    }

    /**
     * Objects under {@code prefix} with key strictly after {@code afterKey} as they were at store
     * revision {@code revision}: the current objects with every change made after it undone from the
     * history. This is how the pages after the first of a paged list show the state of the first
     * page's revision, as Kubernetes' paged lists do.
     *
     * @throws TooOldException when changes after {@code revision} are no longer held
     */
    public List<CachedObject> listAfterAt(String prefix, String afterKey, long revision) {
        // read the current objects first, then the changes: every change applied while reading is in
        // the history by then, and the first change after the revision tells the state at it
        List<CachedObject> current = new ArrayList<>(listAfter(prefix, afterKey));
        Map<String, CachedObject> atRevision = new java.util.HashMap<>();
        synchronized (this) {
            if (revision < resumableFrom) {
                throw new TooOldException(revision, resumableFrom);
            }
            for (CacheEvent e : history) {
                if (e.revision() <= revision) {
                    continue;
                }
                String key = e.object().key();
                if (key.compareTo(afterKey) > 0 && key.startsWith(prefix) && !atRevision.containsKey(key)) {
                    atRevision.put(key, e.previous());
                }
            }
        }
        if (atRevision.isEmpty()) {
            return current;
        }
        java.util.TreeMap<String, CachedObject> merged = new java.util.TreeMap<>();
        for (CachedObject o : current) {
            if (!atRevision.containsKey(o.key())) merged.put(o.key(), o);
        }
        atRevision.forEach((key, old) -> {
            if (old != null) merged.put(key, old);
        });
        return new ArrayList<>(merged.values());
    }

    public int size() {
        return items.size();
    }

    /**
     * Starts a watch. With {@code fromRevision < 0} the watcher first gets every current object as
     * ADDED; otherwise it gets every change after {@code fromRevision}.
     *
     * @throws TooOldException when the changes after {@code fromRevision} are no longer held
     */
    public synchronized Watcher watch(String namespacePrefix, Predicate<CachedObject> filter, long fromRevision,
                                      int capacity) {
        Watcher w = new Watcher(this, namespacePrefix, filter, capacity);
        if (fromRevision < 0) {
            for (CachedObject o : list(namespacePrefix)) {
                w.initial(o);
            }
        } else {
            if (fromRevision < resumableFrom) {
                throw new TooOldException(fromRevision, resumableFrom);
            }
            // history is in revision order: replay the tail after fromRevision
            List<CacheEvent> tail = new ArrayList<>();
            Iterator<CacheEvent> it = history.descendingIterator();
            while (it.hasNext()) {
                CacheEvent e = it.next();
                if (e.revision() <= fromRevision) {
                    break;
                }
                tail.add(e);
            }
            for (int i = tail.size() - 1; i >= 0; i--) {
                w.offer(tail.get(i));
            }
        }
        watchers.add(w);
        return w;
    }

    void remove(Watcher w) {
        watchers.remove(w);
    }

    int watcherCount() {
        return watchers.size();
    }

    /** Objects currently held, by key (a snapshot view for resynchronisation). */
    Map<String, CachedObject> items() {
        return items;
    }

    /** A watch asked for changes older than the retained history. */
    public static final class TooOldException extends RuntimeException {
        private final long oldest;

        TooOldException(long requested, long oldest) {
            super("too old resource version: " + requested + " (" + oldest + ")");
            this.oldest = oldest;
        }

        public long oldest() {
            return oldest;
        }
    }
}
