package dev.berth.core.controller.endpointslice;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this controller last wrote for each Service, so that a reconcile running before the
 * informer has seen those writes waits instead of acting on a stale cache (which would create
 * duplicate slices), as Kubernetes' endpointSliceTracker does. Expectations older than
 * {@link #MAX_WAIT} are dropped so a missed event cannot stall a Service.
 */
final class SliceTracker {
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private record Written(Map<String, String> versions, Set<String> deleted, Instant at) {
    }

    private final Clock clock;
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    SliceTracker(Clock clock) {
        this.clock = clock;
    }

    /** Records one reconcile's writes: slice name to the resourceVersion written, and names deleted. */
    void wrote(String service, Map<String, String> versions, Set<String> deleted) {
        if (versions.isEmpty() && deleted.isEmpty()) {
            return;
        }
        written.put(service, new Written(new HashMap<>(versions), new HashSet<>(deleted), clock.instant()));
    }

    /** True when the cached slices reflect the last writes for {@code service} (or nothing is awaited). */
    boolean cacheCaughtUp(String service, List<EndpointSlice> cached) {
        Written w = written.get(service);
        if (w == null) {
            return true;
        }
        if (clock.instant().isAfter(w.at().plus(MAX_WAIT))) {
            written.remove(service, w);
            return true;
        }
        Map<String, String> seen = new HashMap<>();
        cached.forEach(s -> seen.put(s.getMetadata().getName(), s.getMetadata().getResourceVersion()));
        for (var e : w.versions().entrySet()) {
            String rv = seen.get(e.getKey());
            if (rv == null || olderThan(rv, e.getValue())) {
                return false;
            }
        }
        for (String name : w.deleted()) {
            if (seen.containsKey(name)) {
                return false;
            }
        }
        written.remove(service, w);
        return true;
    }

    void forget(String service) {
        written.remove(service);
    }

    private static boolean olderThan(String cached, String wrote) {
        try {
            return Long.parseLong(cached) < Long.parseLong(wrote);
        } catch (NumberFormatException e) {
            return !cached.equals(wrote);
        }
    }
}
