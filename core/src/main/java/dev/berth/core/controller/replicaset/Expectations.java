package dev.berth.core.controller.replicaset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a controller is waiting to see in its pod cache after it created or deleted pods, per
 * controller key (Kubernetes' {@code UIDTrackingControllerExpectations}). While creations or
 * deletions are outstanding the controller does not size up its pods again, so it never creates
 * a surplus from a cache that lags its own writes. Expectations older than five minutes are
 * considered satisfied, in case a watch event was lost.
 */
public final class Expectations {
    /** Kubernetes' {@code ExpectationsTimeout}. */
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        int adds;
        final Set<String> deletes = new HashSet<>();
        final Instant at;

        Entry(Instant at) {
            this.at = at;
        }
    }

    public Expectations(Clock clock) {
        this.clock = clock;
    }

    /** True when nothing is outstanding for {@code key}, or what is outstanding has expired. */
    public boolean satisfied(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return true;
        }
        synchronized (e) {
            if ((e.adds <= 0 && e.deletes.isEmpty())
                    || clock.instant().isAfter(e.at.plus(TIMEOUT))) {
                return true;
            }
        }
        return false;
    }

    public void expectCreations(String key, int count) {
        entries.put(key, newEntry(count, Set.of()));
    }

    /** Expects the pods with these UIDs to be seen deleted. */
    public void expectDeletions(String key, Collection<String> podUids) {
        entries.put(key, newEntry(0, podUids));
    }

    private Entry newEntry(int adds, Collection<String> deletes) {
        Entry e = new Entry(clock.instant());
        e.adds = adds;
        e.deletes.addAll(deletes);
        return e;
    }

    /** A pod created by the controller was seen, or a creation failed and will not be seen. */
    public void creationObserved(String key) {
        Entry e = entries.get(key);
        if (e != null) {
            synchronized (e) {
                e.adds--;
            }
        }
    }

    /** Lowers the creations expected by {@code count} (creations skipped after an error). */
    public void creationsSkipped(String key, int count) {
        Entry e = entries.get(key);
        if (e != null) {
            synchronized (e) {
                e.adds -= count;
            }
        }
    }

    /** A pod was seen deleted (or being deleted), or its deletion failed. */
    public void deletionObserved(String key, String podUid) {
        Entry e = entries.get(key);
        if (e != null) {
            synchronized (e) {
                e.deletes.remove(podUid);
            }
        }
    }

    /** Forgets the key, when its controller is gone. */
    public void delete(String key) {
        entries.remove(key);
    }
}
