package dev.berth.core.controller.leaderelection;

import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeaderElectorTest {
    private final FakeClock clock = new FakeClock();
    private final InMemoryLeaseLock lease = new InMemoryLeaseLock();

    /** Records what the elector told its replica. */
    private static final class Recorder implements LeaderElector.Callbacks {
        final List<String> calls = new ArrayList<>();

        @Override
        public void startedLeading() {
            calls.add("started");
        }

        @Override
        public void stoppedLeading() {
            calls.add("stopped");
        }
    }

    private LeaderElector replica(String id, Recorder r) {
        return new LeaderElector(LeaderElectionConfig.defaults(id).withDurations(Duration.ofSeconds(10),
                Duration.ofSeconds(7), Duration.ofSeconds(2)), lease, clock, r);
    }

    /** Every replica attempts once, then the clock moves by {@code step}. */
    private void round(Duration step, LeaderElector... replicas) {
        for (LeaderElector e : replicas) {
            e.tick();
        }
        clock.advance(step);
    }

    @Test
    void theFirstReplicaCreatesTheLeaseAndTheOtherStandsBy() {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        LeaderElector a = replica("a", ra);
        LeaderElector b = replica("b", rb);
        for (int i = 0; i < 10; i++) {
            round(Duration.ofSeconds(2), a, b);
        }
        assertThat(a.isLeading()).isTrue();
        assertThat(b.isLeading()).isFalse();
        assertThat(b.leader()).isEqualTo("a");
        assertThat(ra.calls).containsExactly("started");
        assertThat(rb.calls).isEmpty();
        LeaseRecord stored = lease.stored();
        assertThat(stored.holderIdentity()).isEqualTo("a");
        assertThat(stored.leaseDurationSeconds()).isEqualTo(10);
        assertThat(stored.leaseTransitions()).isZero();
        assertThat(stored.acquireTime()).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(stored.renewTime()).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:18Z"));
    }

    @Test
    void aStandbyTakesOverOnlyAfterTheLeaseDurationWithoutRenewal() {
        Recorder rb = new Recorder();
        LeaderElector a = replica("a", new Recorder());
        LeaderElector b = replica("b", rb);
        round(Duration.ofSeconds(2), a, b);
        round(Duration.ofSeconds(1), a, b);   // b observes a's renewal at t=2
        // a crashes: from now on only b attempts
        for (int s = 3; s < 12; s++) {
            b.tick();
            assertThat(b.isLeading()).as("at t=%ds", s).isFalse();
            clock.advance(Duration.ofSeconds(1));
        }
        b.tick();   // t=12: 10 s after b last saw the lease change
        assertThat(b.isLeading()).isTrue();
        assertThat(rb.calls).containsExactly("started");
        LeaseRecord stored = lease.stored();
        assertThat(stored.holderIdentity()).isEqualTo("b");
        assertThat(stored.leaseTransitions()).isEqualTo(1);
        assertThat(stored.acquireTime()).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:12Z"));
    }

    @Test
    void aLeaderThatCannotRenewStopsBeforeTheLeaseExpiresAndCompetesAgain() {
        Recorder ra = new Recorder();
        LeaderElector a = replica("a", ra);
        a.tick();
        assertThat(a.isLeading()).isTrue();
        lease.failing = true;
        for (int s = 0; s < 6; s++) {
            clock.advance(Duration.ofSeconds(1));
            a.tick();
            assertThat(a.isLeading()).as("%ds after the last renewal", s + 1).isTrue();
        }
        clock.advance(Duration.ofSeconds(1));
        a.tick();   // 7 s: the renew deadline
        assertThat(a.isLeading()).isFalse();
        assertThat(ra.calls).containsExactly("started", "stopped");

        lease.failing = false;
        clock.advance(Duration.ofSeconds(2));
        a.tick();   // still named holder: takes its own lease back
        assertThat(a.isLeading()).isTrue();
        assertThat(ra.calls).containsExactly("started", "stopped", "started");
        assertThat(lease.stored().leaseTransitions()).isZero();
    }

    @Test
    void aLeaderThatSeesAnotherHolderStopsAtOnce() {
        Recorder ra = new Recorder();
        LeaderElector a = replica("a", ra);
        a.tick();
        LeaseRecord current = lease.stored();
        // someone else wrote the lease (a paused longer than the lease duration, say)
        lease.update(new LeaseRecord("c", 10, clock.instant(), clock.instant(), 1, current.resourceVersion()));
        clock.advance(Duration.ofSeconds(2));
        a.tick();
        assertThat(a.isLeading()).isFalse();
        assertThat(a.leader()).isEqualTo("c");
        assertThat(ra.calls).containsExactly("started", "stopped");
    }

    @Test
    void closingTheLeaderReleasesTheLeaseSoAStandbyTakesOverAtOnce() {
        Recorder ra = new Recorder();
        LeaderElector a = replica("a", ra);
        LeaderElector b = replica("b", new Recorder());
        round(Duration.ofSeconds(2), a, b);
        a.close();
        assertThat(ra.calls).containsExactly("started", "stopped");
        assertThat(lease.stored().holderIdentity()).isEmpty();
        b.tick();
        assertThat(b.isLeading()).isTrue();
        assertThat(lease.stored().leaseTransitions()).isEqualTo(1);
    }

    @Test
    void aHaltedLeaderKeepsTheLeaseUntilItExpires() {
        LeaderElector a = replica("a", new Recorder());
        LeaderElector b = replica("b", new Recorder());
        round(Duration.ofSeconds(2), a, b);
        a.halt();
        a.close();
        assertThat(lease.stored().holderIdentity()).isEqualTo("a");
        b.tick();
        assertThat(b.isLeading()).isFalse();
    }

    @Test
    void refusesDurationsThatCouldLetTwoReplicasLead() {
        LeaderElectionConfig d = LeaderElectionConfig.defaults("x");
        assertThatThrownBy(() -> d.withDurations(Duration.ofSeconds(7), Duration.ofSeconds(7), Duration.ofSeconds(2)))
                .hasMessage("leaseDuration: invalid value PT7S: must be greater than renewDeadline PT7S");
        assertThatThrownBy(() -> d.withDurations(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(2)))
                .hasMessage("renewDeadline: invalid value PT2S: must be greater than retryPeriod*JitterFactor (PT2S * 1.2)");
        assertThatThrownBy(() -> d.withDurations(Duration.ofMillis(1500), Duration.ofSeconds(1), Duration.ofMillis(100)))
                .hasMessageStartingWith("leaseDuration: invalid value PT1.5S: must be a whole number of seconds");
    }

    @Test
    void identitiesDifferForReplicasInOneProcess() {
        String a = LeaderElectionConfig.newIdentity();
        assertThat(a).matches(".+_" + ProcessHandle.current().pid() + "_[0-9a-f-]{36}");
        assertThat(LeaderElectionConfig.newIdentity()).isNotEqualTo(a);
    }
}
