package dev.berth.core.apiserver.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.store.Store;
import dev.berth.core.store.StoreEvent;
import dev.berth.core.store.StoredValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The API server's cache of every stored object, fed by one watch on the whole store. Gets,
 * lists and watches are served from here; a read first waits until the cache has caught up with
 * the store's current revision, so it sees every write acknowledged before it.
 */
public final class ObjectCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectCache.class);

    private final Store store;
    private final ValueTransformer transformer;
    private final int historyPerResource;
    private final Map<String, ResourceCache> resources = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private volatile long revision;
    private volatile Store.Watch watch;
    private volatile boolean closed;

    public ObjectCache(Store store, ValueTransformer transformer, int historyPerResource) {
        this.store = store;
        this.transformer = transformer;
        this.historyPerResource = historyPerResource;
    }

    /** Fills the cache from the store and starts following it. */
    public void start() {
        Store.ListResult all = store.list("/");
        // decoding (decrypt, parse for labels and fields) is the bulk of a restart: use every core
        all.items().parallelStream()
                .map(v -> decode(v.key(), v.value(), v.modRevision()))
                .filter(java.util.Objects::nonNull)
                .forEach(obj -> resource(storageOf(obj.key()), all.revision()).load(obj));
        setRevision(all.revision());
        follow(all.revision());
    }

    private void follow(long from) {
        watch = store.watch("/", from, new Store.WatchListener() {
            @Override
            public void onEvent(StoreEvent event) {
                ObjectCache.this.onEvent(event);
            }

            @Override
            public void onError(Throwable error) {
                if (!closed) {
                    LOG.warn("store watch ended ({}); resynchronising the cache", error.toString());
                    Thread.ofVirtual().name("cache-resync").start(ObjectCache.this::resync);
                }
            }
        });
    }

    private void onEvent(StoreEvent e) {
        String storage = storageOf(e.key());
        if (storage != null) {
            ResourceCache rc = resource(storage, e.revision() - 1);
            CachedObject prev = rc.get(e.key());
            if (e.type() == StoreEvent.Type.DELETE) {
                CachedObject last = prev != null ? withRevision(prev, e.revision())
                        : decode(e.key(), e.value(), e.revision());
                if (last != null) {
                    rc.apply(new CacheEvent(CacheEvent.Type.DELETED, last, prev, e.revision()));
                }
            } else {
                CachedObject obj = decode(e.key(), e.value(), e.revision());
                if (obj != null) {
                    rc.apply(new CacheEvent(prev == null ? CacheEvent.Type.ADDED : CacheEvent.Type.MODIFIED,
                            obj, prev, e.revision()));
                }
            }
        }
        setRevision(e.revision());
    }

    /** After the store watch broke: re-list, turn the differences into events, watch again. */
    private void resync() {
        for (int attempt = 0; !closed; attempt++) {
            try {
                Store.ListResult all = store.list("/");
                Map<String, StoredValue> now = new HashMap<>();
                for (StoredValue v : all.items()) {
                    now.put(v.key(), v);
                }
                Set<String> seen = new HashSet<>();
                for (ResourceCache rc : resources.values()) {
                    for (Iterator<CachedObject> it = rc.items().values().iterator(); it.hasNext(); ) {
                        CachedObject old = it.next();
                        seen.add(old.key());
                        StoredValue v = now.get(old.key());
                        if (v == null) {
                            rc.apply(new CacheEvent(CacheEvent.Type.DELETED, withRevision(old, all.revision()), old,
                                    all.revision()));
                        } else if (v.modRevision() != old.modRevision()) {
                            CachedObject obj = decode(v.key(), v.value(), v.modRevision());
                            if (obj != null) {
                                rc.apply(new CacheEvent(CacheEvent.Type.MODIFIED, obj, old, v.modRevision()));
                            }
                        }
                    }
                }
                for (StoredValue v : all.items()) {
                    if (!seen.contains(v.key())) {
                        CachedObject obj = decode(v.key(), v.value(), v.modRevision());
                        if (obj != null) {
                            resource(storageOf(v.key()), all.revision())
                                    .apply(new CacheEvent(CacheEvent.Type.ADDED, obj, null, v.modRevision()));
                        }
                    }
                }
                setRevision(all.revision());
                follow(all.revision());
                return;
            } catch (RuntimeException e) {
                LOG.warn("cache resync attempt {} failed: {}", attempt + 1, e.toString());
                try {
                    Thread.sleep(Math.min(5000, 200L << Math.min(attempt, 5)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void setRevision(long rev) {
        lock.lock();
        try {
            if (rev > revision) {
                revision = rev;
                advanced.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The store revision the cache reflects. */
    public long revision() {
        return revision;
    }

    /** Waits until the cache reflects {@code rev}. */
    public void waitFor(long rev, Duration timeout) throws TimeoutException {
        if (revision >= rev) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (revision < rev) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("cache at revision " + revision + ", waiting for " + rev);
                }
                advanced.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every write acknowledged so far is visible here. */
    public void waitFresh(Duration timeout) throws TimeoutException {
        waitFor(store.currentRevision(), timeout);
    }

    public ResourceCache resource(String storage) {
        return resource(storage, revision);
    }

    private ResourceCache resource(String storage, long startRevision) {
        return resources.computeIfAbsent(storage, s -> new ResourceCache(s, historyPerResource, startRevision));
    }

    /** {@code /apps/deployments/ns/name} → {@code apps/deployments}; null for keys of no resource. */
    static String storageOf(String key) {
        int a = key.indexOf('/', 1);
        if (a < 0) {
            return null;
        }
        int b = key.indexOf('/', a + 1);
        return b < 0 ? null : key.substring(1, b);
    }

    private CachedObject decode(String key, byte[] stored, long modRevision) {
        if (stored.length == 0 || (stored[0] != '{' && !key.startsWith("/core/secrets/"))) {
            return null; // bookkeeping values (allocations, replica metadata) are not objects
        }
        try {
            byte[] json = transformer.fromStorage(key, stored);
            // a streaming scan of what selectors need; the bytes are served as they are
            SelectableFields.Scanned scanned = SelectableFields.scan(storageOf(key), json);
            if (scanned == null) {
                return null; // bookkeeping keys (allocations) are not objects
            }
            return new CachedObject(key, scanned.namespace(), scanned.name(), ResourceVersions.stamp(json, modRevision),
                    modRevision, scanned.labels(), scanned.fields());
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot decode stored object {}: {}", key, e.toString());
            return null;
        }
    }

    private static CachedObject withRevision(CachedObject o, long rev) {
        // the bytes carry the old resourceVersion; a DELETED event carries the delete revision
        byte[] json = o.json();
        ObjectNode tree = Json.parseObject(json);
        ((ObjectNode) tree.path("metadata")).put("resourceVersion", Long.toString(rev));
        return new CachedObject(o.key(), o.namespace(), o.name(), Json.bytes(tree), rev, o.labels(), o.fields());
    }

    @Override
    public void close() {
        closed = true;
        Store.Watch w = watch;
        if (w != null) {
            w.close();
        }
    }

    /** Blocks briefly; for tests that need to observe the cache catch up. */
    public boolean awaitRevision(long rev, long millis) {
        try {
            waitFor(rev, Duration.ofMillis(millis));
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    static long nanos(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
