package dev.berth.agent.prober;

import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.core.controller.runtime.EventRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Probes as kubelet's prober manager runs them: one worker per (pod, container, probe kind), each
 * on its own schedule on the injected clock.
 *
 * <ul>
 *   <li>The first probe runs {@code initialDelaySeconds} after the container started, then every
 *       {@code periodSeconds}; a probe slower than its period skips the ticks it overran.</li>
 *   <li>Until the startup probe has succeeded, liveness and readiness probes do not run; once it
 *       has, it stops and the readiness probe runs at once.</li>
 *   <li>A verdict changes after {@code failureThreshold} failures or {@code successThreshold}
 *       successes in a row. Initial verdicts are kubelet's: liveness passing, readiness failing,
 *       startup unknown. A failed liveness or startup verdict puts the worker on hold until the
 *       container is replaced (a new container id through {@link #add}).</li>
 *   <li>Every failed probe is recorded as a Warning {@code Unhealthy} event ("Liveness probe
 *       failed: ..."); a probe that could not run at all ("probe errored") counts neither way, as in
 *       kubelet, after up to three attempts.</li>
 * </ul>
 *
 * <p>{@link #start()} runs the schedule on a timer thread, with each probe on a virtual thread.
 * Without it, {@link #runDue()} runs the probes that are due by the clock, which is how tests drive
 * time with a fake clock.
 */
public final class DefaultProbes implements Probes {
    /** What kubelet 1.32 sends as User-Agent (HTTP) and as the gRPC user agent. */
    public static final String USER_AGENT = "kube-probe/1.32";
    /** Event reasons, as kubelet's {@code events.ContainerUnhealthy} and {@code ContainerProbeWarning}. */
    public static final String UNHEALTHY = "Unhealthy";
    public static final String PROBE_WARNING = "ProbeWarning";
    /** kubelet's {@code maxProbeRetries}: a probe that errors is tried this many times. */
    static final int MAX_PROBE_ATTEMPTS = 3;

    private static final Logger log = LoggerFactory.getLogger(DefaultProbes.class);

    private final ProbeListener listener;
    private final EventRecorder events;
    private final ProbeEventSubject subject;
    private final Clock clock;
    private final Prober prober;
    private final ExecutorService executor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Key, Probed> containers = new HashMap<>();
    private Thread timer;
    private volatile boolean closed;

    private record Key(String podUid, String containerName) {
    }

    private enum Verdict { UNKNOWN, SUCCESS, FAILURE }

    /** A probed container and its workers. */
    private static final class Probed {
        final ProbeTarget target;
        final Map<ProbeKind, Worker> workers = new EnumMap<>(ProbeKind.class);

        Probed(ProbeTarget target) {
            this.target = target;
        }

        boolean started() {
            Worker startup = workers.get(ProbeKind.STARTUP);
            return startup == null || startup.verdict == Verdict.SUCCESS;
        }
    }

    /** One probe of one container: its schedule, its run of equal results and its verdict. */
    private static final class Worker {
        final Probed owner;
        final ProbeKind kind;
        final ProbeSpec spec; // null when the probe is invalid: it never runs
        Instant nextRun;
        boolean inFlight;
        boolean onHold;
        boolean stopped;
        Verdict verdict;
        Boolean lastSuccess;
        int resultRun;

        Worker(Probed owner, ProbeKind kind, ProbeSpec spec, Instant firstRun) {
            this.owner = owner;
            this.kind = kind;
            this.spec = spec;
            this.nextRun = firstRun;
            this.verdict = switch (kind) {
                case LIVENESS -> Verdict.SUCCESS;
                case READINESS -> Verdict.FAILURE;
                case STARTUP -> Verdict.UNKNOWN;
            };
        }
    }

    /** What to tell the listener and the event recorder once the lock is released. */
    private record Notice(ProbeTarget target, ProbeKind kind, String eventType, String reason, String message,
                          Boolean verdict, String verdictMessage, Long grace) {
    }

    public DefaultProbes(ContainerRuntime runtime, ProbeListener listener, EventRecorder events,
                         ProbeEventSubject subject, Clock clock) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.events = Objects.requireNonNull(events, "events");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.prober = new Prober(runtime, USER_AGENT);
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("probe-", 0).factory());
    }

    /** With Pod events named from the target's {@code namespace/name}. */
    public DefaultProbes(ContainerRuntime runtime, ProbeListener listener, EventRecorder events, Clock clock) {
        this(runtime, listener, events, ProbeEventSubject.podFromKey(), clock);
    }

    /** Starts the timer thread that runs probes when they are due. */
    public void start() {
        lock.lock();
        try {
            if (timer != null || closed) {
                return;
            }
            timer = Thread.ofPlatform().daemon().name("probes-timer").start(this::timerLoop);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void add(ProbeTarget target) {
        Objects.requireNonNull(target, "target");
        Key key = new Key(target.podUid(), target.container().getName());
        List<Notice> notices = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            Probed existing = containers.get(key);
            if (existing != null && Objects.equals(existing.target.containerId(), target.containerId())) {
                return;
            }
            if (existing != null) {
                stop(existing);
            }
            Instant now = clock.instant();
            Instant startedAt = target.startedAt() == null ? now : target.startedAt();
            Probed probed = new Probed(target);
            for (ProbeKind kind : ProbeKind.values()) {
                var probe = ProbeSpec.of(target.container(), kind);
                if (probe == null) {
                    continue;
                }
                ProbeSpec spec;
                try {
                    spec = ProbeSpec.from(kind, probe);
                } catch (IllegalArgumentException e) {
                    log.warn("{}: container {}: {} not run: {}", target.podKey(), target.container().getName(),
                            ProbeSpec.field(kind), e.getMessage());
                    notices.add(new Notice(target, kind, EventRecorder.WARNING, UNHEALTHY,
                            ProbeSpec.title(kind) + " probe errored: " + e.getMessage(), null, null, null));
                    probed.workers.put(kind, new Worker(probed, kind, null, null));
                    continue;
                }
                Instant first = later(now, startedAt.plusSeconds(spec.initialDelaySeconds()));
                probed.workers.put(kind, new Worker(probed, kind, spec, first));
            }
            containers.put(key, probed);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        publish(notices);
    }

    @Override
    public void remove(String podUid, String containerName) {
        lock.lock();
        try {
            Probed probed = containers.remove(new Key(podUid, containerName));
            if (probed != null) {
                stop(probed);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void removePod(String podUid) {
        lock.lock();
        try {
            var it = containers.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (e.getKey().podUid().equals(podUid)) {
                    stop(e.getValue());
                    it.remove();
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static void stop(Probed probed) {
        probed.workers.values().forEach(w -> w.stopped = true);
    }

    /** False for a container that is not being probed (never added, or removed). */
    @Override
    public boolean ready(String podUid, String containerName) {
        lock.lock();
        try {
            Probed probed = containers.get(new Key(podUid, containerName));
            if (probed == null || !probed.started()) {
                return false;
            }
            Worker readiness = probed.workers.get(ProbeKind.READINESS);
            return readiness == null || readiness.verdict == Verdict.SUCCESS;
        } finally {
            lock.unlock();
        }
    }

    /** False for a container that is not being probed (never added, or removed). */
    @Override
    public boolean started(String podUid, String containerName) {
        lock.lock();
        try {
            Probed probed = containers.get(new Key(podUid, containerName));
            return probed != null && probed.started();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs every probe due by the clock, and those that become due meanwhile (a readiness probe
     * released by a startup probe), waiting for them; returns how many probes were run (a probe
     * skipped because it waits for the startup probe, or is on hold, does not count).
     */
    public int runDue() {
        int ran = 0;
        while (true) {
            List<Worker> due = claimDue();
            if (due.isEmpty()) {
                return ran;
            }
            List<Future<Boolean>> runs = new ArrayList<>();
            for (Worker w : due) {
                runs.add(executor.submit(() -> runClaimed(w)));
            }
            for (Future<Boolean> run : runs) {
                try {
                    if (run.get()) {
                        ran++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ran;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("probe run failed", e.getCause());
                }
            }
        }
    }

    /** When the next probe is due, if any is scheduled. */
    public Optional<Instant> nextDue() {
        lock.lock();
        try {
            return earliest();
        } finally {
            lock.unlock();
        }
    }

    private Optional<Instant> earliest() {
        Instant earliest = null;
        for (Probed p : containers.values()) {
            for (Worker w : p.workers.values()) {
                if (w.nextRun != null && !w.inFlight && (earliest == null || w.nextRun.isBefore(earliest))) {
                    earliest = w.nextRun;
                }
            }
        }
        return Optional.ofNullable(earliest);
    }

    private List<Worker> claimDue() {
        lock.lock();
        try {
            if (closed) {
                return List.of();
            }
            Instant now = clock.instant();
            List<Worker> due = new ArrayList<>();
            for (Probed p : containers.values()) {
                for (Worker w : p.workers.values()) {
                    if (w.nextRun != null && !w.inFlight && !w.nextRun.isAfter(now)) {
                        w.inFlight = true;
                        due.add(w);
                    }
                }
            }
            return due;
        } finally {
            lock.unlock();
        }
    }

    private void timerLoop() {
        while (!closed) {
            lock.lock();
            try {
                var next = earliest();
                if (next.isEmpty()) {
                    changed.await();
                    continue;
                }
                long waitNanos = Duration.between(clock.instant(), next.get()).toNanos();
                if (waitNanos > 0) {
                    changed.awaitNanos(waitNanos);
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            for (Worker w : claimDue()) {
                try {
                    executor.execute(() -> runClaimed(w));
                } catch (RejectedExecutionException e) {
                    return; // closing
                }
            }
        }
    }

    /** Runs one claimed worker's probe (or skips it) and reschedules it; true when a probe ran. */
    private boolean runClaimed(Worker w) {
        ProbeTarget target = w.owner.target;
        List<Notice> notices = new ArrayList<>();
        try {
            Instant scheduled;
            lock.lock();
            try {
                scheduled = w.nextRun;
                boolean skip = w.stopped || w.onHold
                        || (w.kind == ProbeKind.STARTUP && w.verdict == Verdict.SUCCESS)
                        || (w.kind != ProbeKind.STARTUP && !w.owner.started());
                if (skip) {
                    reschedule(w, scheduled);
                    return false;
                }
            } finally {
                lock.unlock();
            }
            ProbeResult result = null;
            ProbeException error = null;
            for (int attempt = 1; attempt <= MAX_PROBE_ATTEMPTS && result == null; attempt++) {
                try {
                    result = prober.run(w.spec, target);
                    error = null;
                } catch (ProbeException e) {
                    error = e;
                } catch (RuntimeException | LinkageError e) {
                    // a bug or a missing class must not stop this container's probes, nor the agent
                    log.warn("{}: container {}: {} probe broke", target.podKey(), target.container().getName(),
                            ProbeSpec.title(w.kind), e);
                    error = new ProbeException(e.toString(), e);
                }
            }
            lock.lock();
            try {
                if (w.stopped) {
                    return true;
                }
                String title = ProbeSpec.title(w.kind);
                if (result == null) {
                    log.info("{}: container {}: {} probe errored: {}", target.podKey(), target.container().getName(),
                            title, error.getMessage());
                    notices.add(new Notice(target, w.kind, EventRecorder.WARNING, UNHEALTHY,
                            title + " probe errored: " + error.getMessage(), null, null, null));
                } else {
                    if (result.outcome() == ProbeResult.Outcome.FAILURE) {
                        notices.add(new Notice(target, w.kind, EventRecorder.WARNING, UNHEALTHY,
                                title + " probe failed: " + result.output(), null, null, null));
                    } else if (result.outcome() == ProbeResult.Outcome.WARNING) {
                        notices.add(new Notice(target, w.kind, EventRecorder.WARNING, PROBE_WARNING,
                                title + " probe warning: " + result.output(), null, null, null));
                    }
                    Notice verdict = count(w, result);
                    if (verdict != null) {
                        notices.add(verdict);
                    }
                }
                reschedule(w, scheduled);
            } finally {
                lock.unlock();
            }
            publish(notices);
            return true;
        } finally {
            lock.lock();
            try {
                w.inFlight = false;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** kubelet's worker: count equal results in a row; a verdict changes at its threshold. Under the lock. */
    private Notice count(Worker w, ProbeResult result) {
        boolean success = result.succeeded();
        if (w.lastSuccess != null && w.lastSuccess == success) {
            w.resultRun++;
        } else {
            w.lastSuccess = success;
            w.resultRun = 1;
        }
        if ((!success && w.resultRun < w.spec.failureThreshold()) || (success && w.resultRun < w.spec.successThreshold())) {
            return null;
        }
        Verdict next = success ? Verdict.SUCCESS : Verdict.FAILURE;
        Verdict before = w.verdict;
        w.verdict = next;
        if (!success && w.kind != ProbeKind.READINESS) {
            // the container will be restarted: wait for its replacement
            w.onHold = true;
            w.resultRun = 0;
        }
        if (success && w.kind == ProbeKind.STARTUP) {
            Worker readiness = w.owner.workers.get(ProbeKind.READINESS);
            if (readiness != null && readiness.nextRun != null) {
                Instant now = clock.instant();
                Instant startedAt = w.owner.target.startedAt() == null ? now : w.owner.target.startedAt();
                Instant earliest = later(now, startedAt.plusSeconds(readiness.spec.initialDelaySeconds()));
                if (earliest.isBefore(readiness.nextRun)) {
                    readiness.nextRun = earliest;
                }
            }
        }
        if (before == next) {
            return null;
        }
        ProbeTarget t = w.owner.target;
        return new Notice(t, w.kind, null, null, null, success, result.output(), w.spec.terminationGracePeriodSeconds());
    }

    /** The next tick after {@code scheduled} that is still ahead of the clock. Under the lock. */
    private void reschedule(Worker w, Instant scheduled) {
        if (w.spec == null || scheduled == null) {
            w.nextRun = null;
            return;
        }
        Instant now = clock.instant();
        long periodNanos = w.spec.period().toNanos();
        Instant next = scheduled.plus(w.spec.period());
        if (!next.isAfter(now)) {
            long behind = Duration.between(scheduled, now).toNanos();
            next = scheduled.plusNanos((behind / periodNanos + 1) * periodNanos);
        }
        // a tick pulled forward (readiness after startup) keeps its earlier slot
        if (w.nextRun == null || w.nextRun.equals(scheduled) || !w.nextRun.isBefore(next)) {
            w.nextRun = next;
        }
    }

    private void publish(List<Notice> notices) {
        for (Notice n : notices) {
            try {
                if (n.reason() != null) {
                    events.event(subject.regarding(n.target()), n.eventType(), n.reason(), n.message());
                }
                if (n.verdict() != null) {
                    listener.changed(n.target().podUid(), n.target().container().getName(), n.target().containerId(),
                            n.kind(), n.verdict(), n.verdictMessage(), n.grace());
                }
            } catch (RuntimeException e) {
                log.warn("{}: container {}: probe result not delivered: {}", n.target().podKey(),
                        n.target().container().getName(), e.toString());
            }
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            closed = true;
            containers.values().forEach(DefaultProbes::stop);
            containers.clear();
            changed.signalAll();
            t = timer;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        executor.shutdownNow();
        prober.close();
    }
}
