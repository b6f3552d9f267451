package dev.berth.core.controller.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pod creations and deletions a controller has asked for but not yet seen in its cache, per owner
 * key (client-go's ControllerExpectations): while any are outstanding the owner is not managed
 * again, so a lagging cache never makes it create or delete twice. Raised before the request,
 * lowered by the pod informer's handlers; expectations older than five minutes are ignored.
 */
final class Expectations {
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        int creations;
        final Set<String> deletions = ConcurrentHashMap.newKeySet();
        Instant raisedAt;
    }

    Expectations(Clock clock) {
        this.clock = clock;
    }

    void expectCreations(String key, int n) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        synchronized (e) {
            e.creations += n;
            e.raisedAt = clock.instant();
        }
    }

    void creationObserved(String key) {
        Entry e = entries.get(key);
        if (e != null) {
            synchronized (e) {
                if (e.creations > 0) {
                    e.creations--;
                }
            }
        }
    }

    void expectDeletion(String key, String podName) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        synchronized (e) {
            e.deletions.add(podName);
            e.raisedAt = clock.instant();
        }
    }

    void deletionObserved(String key, String podName) {
        Entry e = entries.get(key);
        if (e != null) {
            e.deletions.remove(podName);
        }
    }

    boolean deletionPending(String key, String podName) {
        Entry e = entries.get(key);
        return e != null && e.deletions.contains(podName);
    }

    boolean satisfied(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return true;
        }
        synchronized (e) {
            if (e.creations <= 0 && e.deletions.isEmpty()) {
                return true;
            }
            return e.raisedAt != null && !clock.instant().isBefore(e.raisedAt.plus(TIMEOUT));
        }
    }

    void forget(String key) {
        entries.remove(key);
    }
}
