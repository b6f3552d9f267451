package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Deletes events whose last occurrence is older than the event TTL (Kubernetes' --event-ttl). */
public final class EventExpiry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventExpiry.class);

    private final ResourceStorage storage;
    private final ResourceType events;
    private final long ttlSeconds;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("event-expiry").factory());

    public EventExpiry(ResourceStorage storage, ResourceType events, long ttlSeconds, Clock clock) {
        this.storage = storage;
        this.events = events;
        this.ttlSeconds = ttlSeconds;
        this.clock = clock;
    }

    void start() {
        long period = Math.max(1, Math.min(60, ttlSeconds / 10));
        timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.SECONDS);
    }

    /** Deletes every expired event now; returns how many. */
    public int sweep() {
        int n = 0;
        try {
            Instant cutoff = clock.instant().minusSeconds(ttlSeconds);
            UserInfo system = new UserInfo("system:apiserver", List.of(UserInfo.MASTERS));
            for (CachedObject o : List.copyOf(storage.cache().resource(events.storage()).list(events.keyPrefix()))) {
                if (lastSeen(o.tree()).isBefore(cutoff)) {
                    try {
                        storage.delete(events, o.namespace(), o.name(), ResourceStorage.DeleteOptions.DEFAULT, system);
                        n++;
                    } catch (ApiException e) {
                        // deleted meanwhile
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("event expiry failed: {}", e.toString());
        }
        return n;
    }

    static Instant lastSeen(JsonNode ev) {
        Instant best = Instant.EPOCH;
        for (String f : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
            best = max(best, ev.path(f).asText(""));
        }
        best = max(best, ev.path("series").path("lastObservedTime").asText(""));
        best = max(best, ev.path("metadata").path("creationTimestamp").asText(""));
        return best;
    }

    private static Instant max(Instant a, String ts) {
        if (ts.isEmpty()) {
            return a;
        }
        try {
            Instant t = Instant.parse(ts);
            return t.isAfter(a) ? t : a;
        } catch (DateTimeParseException e) {
            return a;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
