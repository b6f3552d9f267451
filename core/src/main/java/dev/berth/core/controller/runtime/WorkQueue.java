package dev.berth.core.controller.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue of keys to reconcile, with the guarantees of client-go's workqueue:
 * <ul>
 *   <li>a key waiting in the queue is held once, however often it is added;</li>
 *   <li>a key is handed to at most one worker at a time: added while in flight, it is queued
 *       again when the worker calls {@link #done};</li>
 *   <li>{@link #addAfter} holds a key back until a moment on the injected clock;</li>
 *   <li>{@link #addRateLimited} holds it back with per-key exponential backoff until
 *       {@link #forget} resets it.</li>
 * </ul>
 * Workers block in {@link #get()}; {@link #poll()} never blocks, for tests driven by a fake clock.
 */
public final class WorkQueue<K> {
    /** Backoff of client-go's default item rate limiter. */
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(5);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(1000);
    /** How long a blocked {@link #get()} waits before it looks at the clock again. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Clock clock;
    private final Duration baseDelay;
    private final Duration maxDelay;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<K> queue = new ArrayDeque<>();
    private final Set<K> dirty = new HashSet<>();
    private final Set<K> processing = new HashSet<>();
    private final Map<K, Instant> waitingUntil = new HashMap<>();
    private final PriorityQueue<Waiting<K>> waiting = new PriorityQueue<>();
    private final Map<K, Integer> failures = new HashMap<>();
    private long sequence;
    private boolean shuttingDown;

    private record Waiting<K>(Instant readyAt, long sequence, K key) implements Comparable<Waiting<K>> {
        @Override
        public int compareTo(Waiting<K> o) {
            int c = readyAt.compareTo(o.readyAt);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    public WorkQueue(Clock clock, Duration baseDelay, Duration maxDelay) {
        if (baseDelay.isNegative() || baseDelay.isZero()) {
            throw new IllegalArgumentException("baseDelay " + baseDelay + " must be positive");
        }
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " must not be less than baseDelay " + baseDelay);
        }
        this.clock = clock;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
    }

    public WorkQueue(Clock clock) {
        this(clock, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
    }

    public WorkQueue() {
        this(Clock.systemUTC());
    }

    /** Queues the key now, unless it is already queued; ignored after {@link #shutDown}. */
    public void add(K key) {
        lock.lock();
        try {
            addLocked(key);
        } finally {
            lock.unlock();
        }
    }

    private void addLocked(K key) {
        if (shuttingDown || !dirty.add(key)) {
            return;
        }
        if (!processing.contains(key)) {
            queue.addLast(key);
            changed.signal();
        }
    }

    /** Queues the key once {@code delay} has passed on the clock; the earliest of several delays wins. */
    public void addAfter(K key, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            add(key);
            return;
        }
        lock.lock();
        try {
            if (shuttingDown) {
                return;
            }
            Instant readyAt = clock.instant().plus(delay);
            Instant current = waitingUntil.get(key);
            if (current != null && !readyAt.isBefore(current)) {
                return;
            }
            waitingUntil.put(key, readyAt);
            waiting.add(new Waiting<>(readyAt, sequence++, key));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Queues the key after its backoff, {@code base * 2^failures} capped at the maximum, and counts a failure. */
    public void addRateLimited(K key) {
        addAfter(key, nextBackoff(key));
    }

    /** The delay the next {@link #addRateLimited} will use, and records one more failure. */
    Duration nextBackoff(K key) {
        lock.lock();
        try {
            int n = failures.merge(key, 1, Integer::sum) - 1;
            return backoff(n);
        } finally {
            lock.unlock();
        }
    }

    private Duration backoff(int failures) {
        if (failures >= 62) {
            return maxDelay;
        }
        long nanos = baseDelay.toNanos();
        for (int i = 0; i < failures; i++) {
            nanos *= 2;
            if (nanos >= maxDelay.toNanos() || nanos <= 0) {
                return maxDelay;
            }
        }
        return Duration.ofNanos(nanos);
    }

    /** Stops backing off the key: the next failure starts again at the base delay. */
    public void forget(K key) {
        lock.lock();
        try {
            failures.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** How often the key failed since it was last forgotten. */
    public int numRequeues(K key) {
        lock.lock();
        try {
            return failures.getOrDefault(key, 0);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next key, blocking until one is ready; empty once the queue is shut down.
     * The caller must call {@link #done} with the key when it is finished with it.
     */
    public Optional<K> get() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                promoteDue();
                if (!queue.isEmpty()) {
                    return Optional.of(take());
                }
                if (shuttingDown) {
                    return Optional.empty();
                }
                long waitNanos = MAX_WAIT_NANOS;
                Waiting<K> next = waiting.peek();
                if (next != null) {
                    long untilReady = Duration.between(clock.instant(), next.readyAt()).toNanos();
                    waitNanos = Math.max(1, Math.min(waitNanos, untilReady));
                }
                changed.awaitNanos(waitNanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next key if one is ready now, without blocking. */
    public Optional<K> poll() {
        lock.lock();
        try {
            promoteDue();
            return queue.isEmpty() ? Optional.empty() : Optional.of(take());
        } finally {
            lock.unlock();
        }
    }

    private K take() {
        K key = queue.removeFirst();
        processing.add(key);
        dirty.remove(key);
        return key;
    }

    private void promoteDue() {
        Instant now = clock.instant();
        while (!waiting.isEmpty() && !waiting.peek().readyAt().isAfter(now)) {
            Waiting<K> w = waiting.poll();
            if (w.readyAt().equals(waitingUntil.get(w.key()))) {
                waitingUntil.remove(w.key());
                addLocked(w.key());
            }
        }
    }

    /** Marks the key finished; if it was added meanwhile, it is queued again. */
    public void done(K key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.contains(key)) {
                queue.addLast(key);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keys ready to be taken now (not those in flight or waiting for a delay). */
    public int length() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Keys held back by {@link #addAfter} or {@link #addRateLimited}. */
    public int waitingCount() {
        lock.lock();
        try {
            return waitingUntil.size();
        } finally {
            lock.unlock();
        }
    }

    /** New keys are ignored from now on; blocked {@link #get()} calls return once the queue is drained. */
    public void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            waiting.clear();
            waitingUntil.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean isShuttingDown() {
        lock.lock();
        try {
            return shuttingDown;
        } finally {
            lock.unlock();
        }
    }
}
