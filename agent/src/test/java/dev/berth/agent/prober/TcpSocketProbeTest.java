package dev.berth.agent.prober;

import dev.berth.core.controller.RecordedEvents;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The TCP probe against a loopback listener, open and then closed. */
class TcpSocketProbeTest {
    private final TcpProber prober = new TcpProber();

    @Test
    void passesWhileThePortAcceptsAndFailsOnceItIsClosed() throws Exception {
        int port;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = listener.getLocalPort();
            assertThat(prober.probe("127.0.0.1", port, Duration.ofSeconds(1))).isEqualTo(ProbeResult.success(""));
        }
        assertThat(prober.probe("127.0.0.1", port, Duration.ofSeconds(1))).isEqualTo(
                ProbeResult.failure("dial tcp 127.0.0.1:" + port + ": connect: connection refused"));
    }

    @Test
    void readinessFollowsTheListenerThroughDefaultProbes() throws Exception {
        FakeClock clock = new FakeClock();
        RecordedEvents events = new RecordedEvents();
        RecordingListener verdicts = new RecordingListener();
        try (DefaultProbes probes = new DefaultProbes(new ExecOnlyRuntime(), verdicts, events, clock)) {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            int port = listener.getLocalPort();
            var container = new ContainerBuilder().withName("db").withImage("busybox")
                    .addNewPort().withName("pg").withContainerPort(port).endPort()
                    .withReadinessProbe(new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString("pg")).endTcpSocket()
                            .withPeriodSeconds(2).withFailureThreshold(1).build())
                    .build();
            probes.add(new ProbeTarget("uid-9", "default/postgres", container, "c1", "127.0.0.1", clock.instant()));
            probes.runDue();
            assertThat(probes.ready("uid-9", "db")).isTrue();

            listener.close();
            clock.advance(Duration.ofSeconds(2));
            probes.runDue();
            assertThat(probes.ready("uid-9", "db")).isFalse();
            assertThat(events.about("postgres")).containsExactly(
                    "Warning Unhealthy: Readiness probe failed: dial tcp 127.0.0.1:" + port + ": connect: connection refused");
            assertThat(verdicts.lines()).containsExactly("db READINESS true", "db READINESS false");
        }
    }
}
