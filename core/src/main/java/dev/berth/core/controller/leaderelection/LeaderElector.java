package dev.berth.core.controller.leaderelection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Leader election on a Lease, as client-go's leaderelection package: every replica tries to
 * acquire the lease every retryPeriod; the holder renews it; a standby takes the lease over once
 * it has seen no renewal for leaseDuration (measured on its own clock from when it observed the
 * last change, so clock skew between replicas does not matter); a leader that could not renew for
 * renewDeadline, or that sees another holder, stops leading at once and competes again.
 *
 * <p>{@link #tick()} is one attempt, driven by a loop thread ({@link #start()}) or by a test with
 * a fake clock. The callbacks run on the loop thread: {@code onStartedLeading} must not block;
 * {@code onStoppedLeading} returns once the leader's work has stopped.
 */
public final class LeaderElector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

    /** What happens when leadership changes hands on this replica. */
    public interface Callbacks {
        void startedLeading();

        void stoppedLeading();

        /** Another (or no) replica is now the holder, as observed. */
        default void newLeader(String identity) {
        }
    }

    private final LeaderElectionConfig config;
    private final LeaseLock lock;
    private final Clock clock;
    private final Callbacks callbacks;

    private LeaseRecord observed;
    private Instant observedTime;
    private Instant lastRenew;
    private volatile boolean leading;
    private volatile String observedLeader = "";
    private volatile boolean stopped;
    private volatile boolean halted;
    private Thread loop;

    public LeaderElector(LeaderElectionConfig config, LeaseLock lock, Clock clock, Callbacks callbacks) {
        this.config = Objects.requireNonNull(config, "config");
        this.lock = Objects.requireNonNull(lock, "lock");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
    }

    public LeaderElectionConfig config() {
        return config;
    }

    public String identity() {
        return config.identity();
    }

    /** True while this replica holds the lease and runs the leader's work. */
    public boolean isLeading() {
        return leading;
    }

    /** The holder this replica last observed ("" when none). */
    public String leader() {
        return observedLeader;
    }

    /** Starts competing on a background thread until {@link #close()} or {@link #halt()}. */
    public synchronized LeaderElector start() {
        if (loop != null) {
            throw new IllegalStateException("leader election for " + lock.describe() + " already started");
        }
        log.info("{} competing for lease {}", config.identity(), lock.describe());
        loop = Thread.ofVirtual().name("leader-election-" + config.name()).start(() -> {
            while (!stopped) {
                Duration wait = tick();
                if (!stopped) {
                    LockSupport.parkNanos(wait.toNanos());
                }
            }
        });
        return this;
    }

    /**
     * One attempt to acquire or renew the lease, with the transitions it causes; returns how long
     * to wait before the next one.
     */
    public synchronized Duration tick() {
        if (stopped) {
            return config.retryPeriod();
        }
        Instant attempt = clock.instant();
        Attempt outcome;
        try {
            outcome = tryAcquireOrRenew(attempt);
        } catch (RuntimeException e) {
            log.warn("{}: cannot read or write lease {}: {}", config.identity(), lock.describe(), e.toString());
            outcome = Attempt.FAILED;
        }
        if (stopped) {
            return config.retryPeriod();
        }
        if (leading) {
            if (outcome == Attempt.HOLDING) {
                lastRenew = attempt;
            } else if (outcome == Attempt.HELD_BY_OTHER) {
                stopLeading("lease " + lock.describe() + " is held by " + observedLeader);
            } else if (!clock.instant().isBefore(lastRenew.plus(config.renewDeadline()))) {
                stopLeading("failed to renew lease " + lock.describe() + " within " + config.renewDeadline());
            }
            return leading ? config.retryPeriod() : jittered();
        }
        if (outcome == Attempt.HOLDING) {
            leading = true;
            lastRenew = attempt;
            log.info("{} became leader (lease {}, transitions {})", config.identity(), lock.describe(),
                    observed.leaseTransitions());
            callbacks.startedLeading();
            return config.retryPeriod();
        }
        return jittered();
    }

    private enum Attempt { HOLDING, HELD_BY_OTHER, FAILED }

    private Attempt tryAcquireOrRenew(Instant now) {
        int seconds = (int) config.leaseDuration().toSeconds();
        Optional<LeaseRecord> current = lock.get();
        if (current.isEmpty()) {
            LeaseRecord fresh = new LeaseRecord(config.identity(), seconds, now, now, 0, null);
            if (!lock.create(fresh)) {
                return Attempt.FAILED;
            }
            observe(fresh, now);
            return Attempt.HOLDING;
        }
        LeaseRecord old = current.get();
        if (!old.sameSpec(observed)) {
            observe(old, now);
        }
        boolean mine = config.identity().equals(old.holderIdentity());
        if (!old.holderIdentity().isEmpty() && !mine
                && observedTime.plusSeconds(old.leaseDurationSeconds()).isAfter(now)) {
            return Attempt.HELD_BY_OTHER;
        }
        LeaseRecord next = mine
                ? new LeaseRecord(config.identity(), seconds, old.acquireTime() == null ? now : old.acquireTime(), now,
                old.leaseTransitions(), old.resourceVersion())
                : new LeaseRecord(config.identity(), seconds, now, now, old.leaseTransitions() + 1, old.resourceVersion());
        if (!lock.update(next)) {
            return Attempt.FAILED;
        }
        observe(next, now);
        return Attempt.HOLDING;
    }

    private void observe(LeaseRecord record, Instant now) {
        observed = record;
        observedTime = now;
        if (!record.holderIdentity().equals(observedLeader)) {
            observedLeader = record.holderIdentity();
            if (!observedLeader.equals(config.identity())) {
                log.info("{}: lease {} is held by {}", config.identity(), lock.describe(),
                        observedLeader.isEmpty() ? "nobody" : observedLeader);
            }
            callbacks.newLeader(observedLeader);
        }
    }

    private void stopLeading(String why) {
        leading = false;
        log.warn("{} lost leadership: {}", config.identity(), why);
        callbacks.stoppedLeading();
    }

    private Duration jittered() {
        long base = config.retryPeriod().toNanos();
        long extra = (long) (base * (LeaderElectionConfig.JITTER_FACTOR - 1) * ThreadLocalRandom.current().nextDouble());
        return Duration.ofNanos(base + extra);
    }

    /**
     * Stops competing without releasing the lease and without stopping the leader's work, as a
     * crashed process would leave things: standbys take over once the lease expires.
     */
    public void halt() {
        halted = true;
        stopped = true;
        Thread t = loop;
        if (t != null) {
            t.interrupt();
        }
        log.warn("{} stopped renewing lease {} without releasing it", config.identity(), lock.describe());
    }

    /** Stops competing; a leader stops its work and releases the lease so a standby takes over at once. */
    @Override
    public void close() {
        stopped = true;
        Thread t = loop;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (halted || !leading) {
                return;
            }
            leading = false;
            log.info("{} stopped leading: shutting down", config.identity());
            callbacks.stoppedLeading();
            release();
        }
    }

    private void release() {
        try {
            Optional<LeaseRecord> current = lock.get();
            if (current.isEmpty() || !config.identity().equals(current.get().holderIdentity())) {
                return;
            }
            Instant now = clock.instant();
            if (lock.update(new LeaseRecord("", 1, now, now, current.get().leaseTransitions(),
                    current.get().resourceVersion()))) {
                log.info("{} released lease {}", config.identity(), lock.describe());
            }
        } catch (RuntimeException e) {
            log.warn("{}: cannot release lease {}: {}", config.identity(), lock.describe(), e.toString());
        }
    }
}
