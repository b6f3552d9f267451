package dev.berth.core.store.memory;

import dev.berth.core.store.Store;
import dev.berth.core.store.StoreEvent;
import dev.berth.core.store.StoreException;
import dev.berth.core.store.StoredValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A store in memory: nothing is durable. For tests and simulations, and the reference for the
 * store contract. Keeps the whole history until compacted.
 */
public final class MemoryStore implements Store {
    private final TreeMap<String, StoredValue> data = new TreeMap<>();
    private final List<StoreEvent> history = new ArrayList<>();
    private final List<MemWatch> watches = new CopyOnWriteArrayList<>();
    private long revision;
    private long compacted;

    @Override
    public synchronized long currentRevision() {
        return revision;
    }

    @Override
    public synchronized Optional<StoredValue> get(String key) {
        return Optional.ofNullable(data.get(key));
    }

    @Override
    public synchronized ListResult list(String prefix) {
        return new ListResult(List.copyOf(data.subMap(prefix, prefix + Character.MAX_VALUE).values()), revision);
    }

    @Override
    public synchronized StoredValue create(String key, byte[] value) {
        if (data.containsKey(key)) {
            throw new StoreException.KeyExists(key);
        }
        long rev = ++revision;
        StoredValue v = new StoredValue(key, value.clone(), rev, rev);
        data.put(key, v);
        publish(new StoreEvent(StoreEvent.Type.PUT, key, v.value(), null, rev, true));
        return v;
    }

    @Override
    public synchronized StoredValue update(String key, byte[] value, long expectedModRevision) {
        StoredValue old = data.get(key);
        if (old == null) {
            throw new StoreException.KeyNotFound(key);
        }
        if (expectedModRevision != 0 && old.modRevision() != expectedModRevision) {
            throw new StoreException.Conflict(key, expectedModRevision, old.modRevision());
        }
        long rev = ++revision;
        StoredValue v = new StoredValue(key, value.clone(), old.createRevision(), rev);
        data.put(key, v);
        publish(new StoreEvent(StoreEvent.Type.PUT, key, v.value(), old.value(), rev, false));
        return v;
    }

    @Override
    public synchronized StoredValue delete(String key, long expectedModRevision) {
        StoredValue old = data.get(key);
        if (old == null) {
            throw new StoreException.KeyNotFound(key);
        }
        if (expectedModRevision != 0 && old.modRevision() != expectedModRevision) {
            throw new StoreException.Conflict(key, expectedModRevision, old.modRevision());
        }
        long rev = ++revision;
        data.remove(key);
        publish(new StoreEvent(StoreEvent.Type.DELETE, key, old.value(), old.value(), rev, false));
        return new StoredValue(key, old.value(), old.createRevision(), rev);
    }

    private void publish(StoreEvent e) {
        history.add(e);
        for (MemWatch w : watches) {
            if (e.key().startsWith(w.prefix)) {
                w.queue.add(e);
            }
        }
    }

    @Override
    public synchronized Watch watch(String prefix, long afterRevision, WatchListener listener) {
        if (afterRevision < compacted) {
            throw new StoreException.Compacted(afterRevision, compacted);
        }
        MemWatch w = new MemWatch(prefix, listener);
        for (StoreEvent e : history) {
            if (e.revision() > afterRevision && e.key().startsWith(prefix)) {
                w.queue.add(e);
            }
        }
        watches.add(w);
        w.thread = Thread.ofVirtual().name("memstore-watch").start(w::run);
        return w;
    }

    @Override
    public synchronized void compact(long rev) {
        history.removeIf(e -> e.revision() <= rev);
        compacted = Math.max(compacted, rev);
    }

    @Override
    public synchronized long compactedRevision() {
        return compacted;
    }

    @Override
    public void close() {
        for (MemWatch w : watches) {
            w.close();
        }
    }

    private final class MemWatch implements Watch {
        final String prefix;
        final WatchListener listener;
        final LinkedBlockingQueue<StoreEvent> queue = new LinkedBlockingQueue<>();
        volatile Thread thread;
        volatile boolean closed;

        MemWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        void run() {
            try {
                while (!closed) {
                    listener.onEvent(queue.take());
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        @Override
        public void close() {
            closed = true;
            watches.remove(this);
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
