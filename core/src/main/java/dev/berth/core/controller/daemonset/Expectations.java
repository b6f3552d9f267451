package dev.berth.core.controller.daemonset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creations and deletions a DaemonSet's last sync asked for and the informer has not shown yet, as
 * Kubernetes' {@code ControllerExpectations}: until they are seen (or five minutes pass) the
 * controller does not act on a cache that may not hold its own writes, so it never creates a second
 * pod for a node. Raised before the writes; lowered by informer events and failed writes.
 */
final class Expectations {
    static final Duration TTL = Duration.ofMinutes(5);

    private static final class Pending {
        int adds;
        final Set<String> deletes = new HashSet<>();
        Instant at;
    }

    private final Map<String, Pending> byKey = new ConcurrentHashMap<>();
    private final Clock clock;

    Expectations(Clock clock) {
        this.clock = clock;
    }

    boolean satisfied(String key) {
        Pending p = byKey.get(key);
        if (p == null) {
            return true;
        }
        synchronized (p) {
            return (p.adds <= 0 && p.deletes.isEmpty()) || !clock.instant().isBefore(p.at.plus(TTL));
        }
    }

    void expect(String key, int adds, Set<String> deletes) {
        Pending p = new Pending();
        p.adds = adds;
        p.deletes.addAll(deletes);
        p.at = clock.instant();
        byKey.put(key, p);
    }

    void observedAdd(String key) {
        Pending p = byKey.get(key);
        if (p != null) {
            synchronized (p) {
                p.adds--;
            }
        }
    }

    void observedDelete(String key, String podName) {
        Pending p = byKey.get(key);
        if (p != null) {
            synchronized (p) {
                p.deletes.remove(podName);
            }
        }
    }

    void forget(String key) {
        byKey.remove(key);
    }
}
