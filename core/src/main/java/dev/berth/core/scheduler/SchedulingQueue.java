package dev.berth.core.scheduler;

import io.fabric8.kubernetes.api.model.Pod;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Kube-scheduler's scheduling queue, with time from an injected clock:
 * <ul>
 *   <li>activeQ: pods ready to be tried, highest spec.priority first, then oldest;</li>
 *   <li>backoffQ: pods that failed, held back 1 s doubling per attempt up to 10 s;</li>
 *   <li>unschedulable pods: parked until a cluster event may help them ({@link #moveAllToActiveOrBackoff})
 *       or for at most 5 minutes.</li>
 * </ul>
 * A pod is in at most one of them. A pod that fails after an event arrived during its cycle goes
 * to backoffQ instead of being parked, so that the event is not lost.
 */
public final class SchedulingQueue {
    public static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    public static final Duration MAX_UNSCHEDULABLE = Duration.ofMinutes(5);
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Where a queued pod is. */
    public enum Where { ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT }

    /** A pod in the queue with its scheduling history. */
    public static final class Entry {
        private final String key;
        private final long sequence;
        private volatile Pod pod;
        private int attempts;
        private Instant lastFailure;
        private Instant parkedAt;
        private long poppedAtCycle;
        private Where where;

        private Entry(String key, Pod pod, long sequence) {
            this.key = key;
            this.pod = pod;
            this.sequence = sequence;
        }

        public String key() {
            return key;
        }

        public Pod pod() {
            return pod;
        }

        public int attempts() {
            return attempts;
        }

        int priority() {
            Integer p = pod.getSpec().getPriority();
            return p == null ? 0 : p;
        }

        String created() {
            String c = pod.getMetadata().getCreationTimestamp();
            return c == null ? "" : c;
        }
    }

    private static final Comparator<Entry> ACTIVE_ORDER = Comparator
            .comparingInt(Entry::priority).reversed()
            .thenComparing(Entry::created)
            .thenComparingLong(e -> e.sequence);

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Entry> active = new PriorityQueue<>(ACTIVE_ORDER);
    private final PriorityQueue<Entry> backoff = new PriorityQueue<>(
            Comparator.comparing(SchedulingQueue::backoffExpiry).thenComparingLong(e -> e.sequence));
    private final Map<String, Entry> unschedulable = new HashMap<>();
    private final Map<String, Entry> entries = new HashMap<>();
    private long sequence;
    private long schedulingCycle;
    private long moveRequestCycle = -1;
    private Instant lastUnschedulableFlush;
    private boolean closed;

    public SchedulingQueue(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastUnschedulableFlush = clock.instant();
    }

    private static Instant backoffExpiry(Entry e) {
        return e.lastFailure == null ? Instant.MIN : e.lastFailure.plus(backoffDuration(e.attempts));
    }

    /** 1 s after the first failure, doubling per attempt, at most 10 s. */
    public static Duration backoffDuration(int attempts) {
        if (attempts <= 0) {
            return Duration.ZERO;
        }
        Duration d = INITIAL_BACKOFF;
        for (int i = 1; i < attempts && d.compareTo(MAX_BACKOFF) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** Queues a new pending pod in activeQ; a pod already known only has its object replaced. */
    public void add(Pod pod) {
        String key = key(pod);
        lock.lock();
        try {
            if (closed) {
                return;
            }
            Entry e = entries.get(key);
            if (e != null) {
                e.pod = pod;
                return;
            }
            e = new Entry(key, pod, sequence++);
            entries.put(key, e);
            toActive(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A pending pod changed. A parked pod whose spec, labels or annotations changed may fit now,
     * so it leaves the unschedulable pods (for backoffQ if its backoff has not passed).
     */
    public void update(Pod oldPod, Pod pod) {
        String key = key(pod);
        lock.lock();
        try {
            Entry e = entries.get(key);
            if (e == null) {
                if (!closed) {
                    e = new Entry(key, pod, sequence++);
                    entries.put(key, e);
                    toActive(e);
                }
                return;
            }
            e.pod = pod;
            if (e.where == Where.UNSCHEDULABLE && schedulingRelevantChange(oldPod, pod)) {
                unschedulable.remove(key);
                toActiveOrBackoff(e, clock.instant());
            }
        } finally {
            lock.unlock();
        }
    }

    private static boolean schedulingRelevantChange(Pod a, Pod b) {
        if (a == null) {
            return true;
        }
        return !Objects.equals(a.getSpec(), b.getSpec())
                || !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
                || !Objects.equals(a.getMetadata().getAnnotations(), b.getMetadata().getAnnotations());
    }

    /** Forgets a pod that was deleted or bound elsewhere. */
    public void delete(String key) {
        lock.lock();
        try {
            Entry e = entries.remove(key);
            if (e == null) {
                return;
            }
            switch (e.where) {
                case ACTIVE -> active.remove(e);
                case BACKOFF -> backoff.remove(e);
                case UNSCHEDULABLE -> unschedulable.remove(key);
                case IN_FLIGHT -> {
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next pod to schedule, waiting up to {@code timeout}; null on timeout or close. Pods whose
     * backoff passed move to activeQ first, and pods parked for 5 minutes are retried.
     */
    public Entry pop(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return null;
                }
                flush();
                Entry e = active.poll();
                if (e != null) {
                    e.where = Where.IN_FLIGHT;
                    e.attempts++;
                    e.poppedAtCycle = ++schedulingCycle;
                    return e;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.awaitNanos(Math.min(left, MAX_WAIT_NANOS));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves what is due: backoffs that passed, and pods parked longer than {@link #MAX_UNSCHEDULABLE}. */
    public void flush() {
        lock.lock();
        try {
            Instant now = clock.instant();
            while (!backoff.isEmpty() && !backoffExpiry(backoff.peek()).isAfter(now)) {
                Entry e = backoff.poll();
                toActive(e);
            }
            if (!unschedulable.isEmpty() && !now.isBefore(lastUnschedulableFlush.plusSeconds(1))) {
                lastUnschedulableFlush = now;
                List<Entry> due = new ArrayList<>();
                for (Entry e : unschedulable.values()) {
                    if (!now.isBefore(e.parkedAt.plus(MAX_UNSCHEDULABLE))) {
                        due.add(e);
                    }
                }
                for (Entry e : due) {
                    unschedulable.remove(e.key);
                    toActiveOrBackoff(e, now);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The popped pod did not fit: park it, or, when a cluster event arrived since it was popped,
     * put it in backoffQ so it is retried after its backoff.
     */
    public void addUnschedulable(Entry e) {
        lock.lock();
        try {
            if (entries.get(e.key) != e) {
                return; // deleted meanwhile
            }
            Instant now = clock.instant();
            e.lastFailure = now;
            if (moveRequestCycle >= e.poppedAtCycle) {
                e.where = Where.BACKOFF;
                backoff.add(e);
            } else {
                e.where = Where.UNSCHEDULABLE;
                e.parkedAt = now;
                unschedulable.put(e.key, e);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The popped pod failed for another reason (a bind error): retry it after its backoff. */
    public void addBackoff(Entry e) {
        lock.lock();
        try {
            if (entries.get(e.key) != e) {
                return;
            }
            e.lastFailure = clock.instant();
            e.where = Where.BACKOFF;
            backoff.add(e);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The popped pod is bound (or gone): it leaves the queue. */
    public void done(Entry e) {
        lock.lock();
        try {
            if (entries.get(e.key) == e && e.where == Where.IN_FLIGHT) {
                entries.remove(e.key);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A cluster event that may make parked pods fit (a node added or changed, a pod deleted):
     * every parked pod goes to activeQ, or to backoffQ while its backoff lasts.
     */
    public void moveAllToActiveOrBackoff() {
        lock.lock();
        try {
            moveRequestCycle = schedulingCycle;
            if (unschedulable.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            for (Entry e : unschedulable.values()) {
                toActiveOrBackoff(e, now);
            }
            unschedulable.clear();
        } finally {
            lock.unlock();
        }
    }

    private void toActiveOrBackoff(Entry e, Instant now) {
        if (backoffExpiry(e).isAfter(now)) {
            e.where = Where.BACKOFF;
            backoff.add(e);
        } else {
            toActive(e);
        }
        changed.signalAll();
    }

    private void toActive(Entry e) {
        e.where = Where.ACTIVE;
        active.add(e);
        changed.signalAll();
    }

    /** Where the pod is, or null if it is not queued. */
    public Where where(String key) {
        lock.lock();
        try {
            Entry e = entries.get(key);
            return e == null ? null : e.where;
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
