package dev.berth.agent.podworker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Kubelet's exponential back-off per key (a container of a pod, or an image of a pod): 10 s
 * doubling to 300 s, forgotten once nothing happened for twice the maximum (10 minutes), all on
 * the injected clock.
 */
final class Backoff {
    static final Duration INITIAL = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofSeconds(300);

    private record Entry(Duration backoff, Instant lastUpdate) {
    }

    private final Clock clock;
    private final Duration initial;
    private final Duration max;
    private final Map<String, Entry> entries = new HashMap<>();

    Backoff(Clock clock) {
        this(clock, INITIAL, MAX);
    }

    Backoff(Clock clock, Duration initial, Duration max) {
        this.clock = clock;
        this.initial = initial;
        this.max = max;
    }

    /** Whether {@code key} is still backing off from an event at {@code eventTime}. */
    synchronized boolean inBackoffSince(String key, Instant eventTime) {
        Entry e = entries.get(key);
        if (e == null || expired(e, eventTime)) {
            return false;
        }
        return Duration.between(eventTime, clock.instant()).compareTo(e.backoff) < 0;
    }

    /** Whether less than the current back-off has passed since the last {@link #next} of {@code key}. */
    synchronized boolean inBackoffSinceUpdate(String key) {
        Entry e = entries.get(key);
        Instant now = clock.instant();
        if (e == null || expired(e, now)) {
            return false;
        }
        return Duration.between(e.lastUpdate, now).compareTo(e.backoff) < 0;
    }

    /** The current back-off of {@code key} (zero when none). */
    synchronized Duration get(String key) {
        Entry e = entries.get(key);
        return e == null ? Duration.ZERO : e.backoff;
    }

    /** Records a new event: the first (or first after a long quiet) waits {@code initial}, then each doubles up to {@code max}. */
    synchronized void next(String key, Instant eventTime) {
        Entry e = entries.get(key);
        Duration d;
        if (e == null || expired(e, eventTime)) {
            d = initial;
        } else {
            d = e.backoff.multipliedBy(2);
            if (d.compareTo(max) > 0) {
                d = max;
            }
        }
        entries.put(key, new Entry(d, eventTime));
    }

    synchronized void forgetPrefix(String prefix) {
        entries.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private boolean expired(Entry e, Instant eventTime) {
        return Duration.between(e.lastUpdate, eventTime).compareTo(max.multipliedBy(2)) > 0;
    }
}
