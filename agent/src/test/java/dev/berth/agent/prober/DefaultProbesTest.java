package dev.berth.agent.prober;

import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.core.controller.RecordedEvents;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DefaultProbesTest {
    private static final String UID = "uid-1";

    private final FakeClock clock = new FakeClock();
    private final ExecOnlyRuntime runtime = new ExecOnlyRuntime();
    private final RecordingListener listener = new RecordingListener();
    private final RecordedEvents events = new RecordedEvents();
    private DefaultProbes probes = new DefaultProbes(runtime, listener, events, clock);

    @AfterEach
    void close() {
        probes.close();
    }

    private static ProbeBuilder exec(String program) {
        return new ProbeBuilder().withNewExec().withCommand(program, "1").endExec();
    }

    private static Container container(Probe liveness, Probe readiness, Probe startup) {
        return new ContainerBuilder().withName("app").withImage("busybox")
                .withLivenessProbe(liveness).withReadinessProbe(readiness).withStartupProbe(startup).build();
    }

    private ProbeTarget target(Container container, String containerId) {
        return new ProbeTarget(UID, "default/web", container, containerId, "127.0.0.1", clock.instant());
    }

    private int tick(int seconds) {
        clock.advance(Duration.ofSeconds(seconds));
        return probes.runDue();
    }

    @Test
    void failsLivenessAfterFailureThresholdThenWaitsForTheReplacementContainer() {
        runtime.answer("check", 1, "cat: can't open '/tmp/healthy': No such file or directory\n");
        probes.add(target(container(exec("check").withTerminationGracePeriodSeconds(7L).build(), null, null), "c1"));

        assertThat(probes.runDue()).isEqualTo(1);
        assertThat(tick(10)).isEqualTo(1);
        assertThat(listener.verdicts).isEmpty();
        assertThat(tick(10)).isEqualTo(1);

        assertThat(listener.lines()).containsExactly("app LIVENESS false (grace 7)");
        assertThat(listener.verdicts.getFirst().containerId()).isEqualTo("c1");
        assertThat(listener.verdicts.getFirst().message()).startsWith("cat: can't open");
        assertThat(events.about("web")).hasSize(3).containsOnly(
                "Warning Unhealthy: Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");

        // on hold until the container is replaced
        assertThat(tick(10)).isZero();
        assertThat(tick(10)).isZero();

        runtime.answer("check", 0, "");
        probes.add(target(container(exec("check").build(), null, null), "c2"));
        assertThat(probes.runDue()).isEqualTo(1);
        assertThat(runtime.execs.getLast().containerId()).isEqualTo("c2");
        assertThat(listener.verdicts).hasSize(1); // liveness starts out passing: no change to report
    }

    @Test
    void runsTheFirstProbeAfterTheInitialDelayThenEveryPeriod() {
        runtime.answer("check", 0, "");
        probes.add(target(container(exec("check").withInitialDelaySeconds(15).withPeriodSeconds(5).build(), null, null), "c1"));

        assertThat(probes.runDue()).isZero();
        assertThat(probes.nextDue()).contains(clock.instant().plusSeconds(15));
        assertThat(tick(14)).isZero();
        assertThat(tick(1)).isEqualTo(1);
        assertThat(tick(4)).isZero();
        assertThat(tick(1)).isEqualTo(1);
        // a long pause runs the probe once, not once per missed tick
        assertThat(tick(60)).isEqualTo(1);
        assertThat(runtime.execsOf("check")).isEqualTo(3);
    }

    @Test
    void readinessStartsFalseAndFollowsItsThresholds() {
        runtime.answer("ready", 0, "ok");
        probes.add(target(container(null, exec("ready").withSuccessThreshold(2).withFailureThreshold(2).build(), null), "c1"));
        assertThat(probes.ready(UID, "app")).isFalse();
        assertThat(probes.started(UID, "app")).isTrue();

        probes.runDue();
        assertThat(probes.ready(UID, "app")).isFalse();
        tick(10);
        assertThat(probes.ready(UID, "app")).isTrue();
        assertThat(listener.lines()).containsExactly("app READINESS true");

        runtime.answer("ready", 1, "not yet");
        tick(10);
        assertThat(probes.ready(UID, "app")).isTrue();
        tick(10);
        assertThat(probes.ready(UID, "app")).isFalse();
        assertThat(events.about("web")).containsExactly(
                "Warning Unhealthy: Readiness probe failed: not yet",
                "Warning Unhealthy: Readiness probe failed: not yet");

        // readiness is never put on hold: it comes back by itself
        runtime.answer("ready", 0, "ok");
        tick(10);
        tick(10);
        assertThat(probes.ready(UID, "app")).isTrue();
        assertThat(listener.lines()).containsExactly("app READINESS true", "app READINESS false", "app READINESS true");
    }

    @Test
    void containerWithoutProbesIsStartedAndReadyAndUnknownOnesAreNeither() {
        probes.add(target(container(null, null, null), "c1"));
        assertThat(probes.started(UID, "app")).isTrue();
        assertThat(probes.ready(UID, "app")).isTrue();
        assertThat(probes.nextDue()).isEmpty();
        assertThat(probes.ready(UID, "other")).isFalse();
        assertThat(probes.started("uid-2", "app")).isFalse();
    }

    @Test
    void startupProbeGatesLivenessAndReadinessThenReleasesReadinessAtOnce() {
        runtime.answer("starting", 1, "still starting");
        runtime.answer("alive", 0, "");
        runtime.answer("ready", 0, "");
        probes.add(target(container(exec("alive").build(), exec("ready").build(),
                exec("starting").withPeriodSeconds(5).withFailureThreshold(10).build()), "c1"));

        probes.runDue();
        assertThat(probes.started(UID, "app")).isFalse();
        assertThat(probes.ready(UID, "app")).isFalse();
        assertThat(runtime.execsOf("alive")).isZero();
        assertThat(runtime.execsOf("ready")).isZero();

        runtime.answer("starting", 0, "");
        tick(5);
        assertThat(probes.started(UID, "app")).isTrue();
        assertThat(runtime.execsOf("ready")).isEqualTo(1);
        assertThat(probes.ready(UID, "app")).isTrue();
        assertThat(runtime.execsOf("alive")).isZero();
        assertThat(listener.lines()).containsExactly("app STARTUP true", "app READINESS true");

        tick(5);
        assertThat(runtime.execsOf("alive")).isEqualTo(1);
        tick(10);
        assertThat(runtime.execsOf("starting")).as("a startup probe stops once it passed").isEqualTo(2);
        assertThat(runtime.execsOf("alive")).isEqualTo(2);
        assertThat(events.about("web")).containsExactly("Warning Unhealthy: Startup probe failed: still starting");
    }

    @Test
    void failedStartupProbeAsksForARestartWithTheProbesGracePeriod() {
        runtime.answer("starting", 1, "no");
        probes.add(target(container(null, null,
                exec("starting").withPeriodSeconds(3).withFailureThreshold(2).withTerminationGracePeriodSeconds(5L).build()), "c1"));
        probes.runDue();
        assertThat(listener.verdicts).isEmpty();
        tick(3);
        assertThat(listener.lines()).containsExactly("app STARTUP false (grace 5)");
        assertThat(probes.started(UID, "app")).isFalse();
        assertThat(tick(3)).isZero();
    }

    @Test
    void addingTheSameContainerAgainKeepsItsCount() {
        runtime.answer("check", 1, "bad");
        Container c = container(exec("check").build(), null, null);
        probes.add(target(c, "c1"));
        probes.runDue();
        tick(10);
        probes.add(target(c, "c1"));
        tick(10);
        assertThat(listener.lines()).containsExactly("app LIVENESS false");
    }

    @Test
    void removedContainersAreNoLongerProbed() {
        runtime.answer("check", 0, "");
        probes.add(target(container(exec("check").build(), null, null), "c1"));
        probes.add(new ProbeTarget("uid-2", "default/db", container(exec("check").build(), null, null), "c2", "127.0.0.1",
                clock.instant()));
        assertThat(probes.runDue()).isEqualTo(2);

        probes.remove(UID, "app");
        assertThat(tick(10)).isEqualTo(1);
        assertThat(probes.started(UID, "app")).isFalse();
        probes.removePod("uid-2");
        assertThat(tick(10)).isZero();
        assertThat(probes.nextDue()).isEmpty();
    }

    @Test
    void execProbeThatTimesOutFailsNamingTheCommand() {
        runtime.answer("slow", cmd -> new ExecResult(-1, "", true));
        probes.add(target(container(exec("slow").withTimeoutSeconds(4).withFailureThreshold(1).build(), null, null), "c1"));
        probes.runDue();
        assertThat(runtime.execs.getFirst().timeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(runtime.execs.getFirst().command()).isEqualTo(List.of("slow", "1"));
        assertThat(events.about("web")).containsExactly("Warning Unhealthy: Liveness probe failed: command \"slow 1\" timed out");
        assertThat(listener.lines()).containsExactly("app LIVENESS false");
    }

    @Test
    void keepsAtMostTenKibibytesOfExecOutput() {
        runtime.answer("noisy", 1, "e".repeat(64 * 1024));
        probes.add(target(container(exec("noisy").withFailureThreshold(1).build(), null, null), "c1"));
        probes.runDue();
        assertThat(listener.verdicts.getFirst().message()).hasSize(10 * 1024);
    }

    @Test
    void probeThatCannotRunIsRecordedButNeitherPassesNorFails() {
        runtime.answer("check", cmd -> {
            throw new ContainerRuntimeException("ExecError", "container c1 is not running");
        });
        probes.add(target(container(exec("check").withFailureThreshold(1).build(), exec("check").build(), null), "c1"));
        probes.runDue();
        tick(10);
        assertThat(listener.verdicts).isEmpty();
        assertThat(probes.ready(UID, "app")).isFalse();
        assertThat(runtime.execsOf("check")).as("tried three times per probe, as kubelet").isEqualTo(12);
        assertThat(events.about("web")).containsOnly(
                "Warning Unhealthy: Liveness probe errored: container c1 is not running",
                "Warning Unhealthy: Readiness probe errored: container c1 is not running");
    }

    @Test
    void invalidProbeIsReportedNamingFieldValueAndRuleAndTheOthersStillRun() {
        runtime.answer("check", 0, "");
        probes.add(target(container(exec("check").withSuccessThreshold(2).build(),
                exec("check").withPeriodSeconds(-5).build(), null), "c1"));
        assertThat(events.about("web")).containsExactly(
                "Warning Unhealthy: Liveness probe errored: livenessProbe.successThreshold: Invalid value: 2: must be 1",
                "Warning Unhealthy: Readiness probe errored: readinessProbe.periodSeconds: Invalid value: -5: must be greater than or equal to 0");
        assertThat(probes.runDue()).isZero();
        assertThat(probes.ready(UID, "app")).isFalse();

        probes.add(target(container(new ProbeBuilder().build(), exec("check").build(), null), "c2"));
        assertThat(events.about("web").getLast()).isEqualTo("Warning Unhealthy: Liveness probe errored: livenessProbe: "
                + "Required value: must specify a handler type (exec, httpGet, tcpSocket or grpc)");
        assertThat(probes.runDue()).isEqualTo(1);
        assertThat(probes.ready(UID, "app")).isTrue();

        probes.add(target(container(new ProbeBuilder().withNewTcpSocket().withNewPort(70000).endTcpSocket().build(),
                null, null), "c3"));
        assertThat(events.about("web").getLast()).isEqualTo("Warning Unhealthy: Liveness probe errored: "
                + "livenessProbe.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive");
    }

    @Test
    void listenerThatThrowsDoesNotStopProbing() {
        probes.close();
        probes = new DefaultProbes(runtime, (uid, name, id, kind, success, message) -> {
            throw new IllegalStateException("listener broke");
        }, events, clock);
        runtime.answer("ready", 0, "");
        probes.add(target(container(null, exec("ready").build(), null), "c1"));
        probes.runDue();
        assertThat(probes.ready(UID, "app")).isTrue();
        assertThat(tick(10)).isEqualTo(1);
    }

    @Test
    void runsProbesOnItsOwnTimer() {
        probes.close();
        probes = new DefaultProbes(runtime, listener, events, Clock.systemUTC());
        runtime.answer("check", 1, "down");
        probes.add(new ProbeTarget(UID, "default/web", container(exec("check").withPeriodSeconds(1).withFailureThreshold(2).build(),
                null, null), "c1", "127.0.0.1", Instant.now()));
        probes.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !listener.verdicts.isEmpty());
        assertThat(listener.lines()).containsExactly("app LIVENESS false");
        assertThat(runtime.execsOf("check")).isEqualTo(2);
    }
}
