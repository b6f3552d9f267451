package dev.berth.agent.prober;

import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.controller.RecordedEvents;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Probes against a real container on Docker's default bridge: httpGet and tcpSocket on its IP,
 * exec through {@code docker exec}.
 */
class ProbesDockerIT {
    private static final String PREFIX = TestDocker.runPrefix();
    private static String containerId;
    private static String ip;

    @BeforeAll
    static void startContainer() throws IOException {
        String image = TestDocker.busybox();
        TestDocker.Result run = TestDocker.docker("run", "-d", "--pull", "never", "--name", PREFIX + "web", image,
                "sh", "-c", "mkdir -p /www && echo ok > /www/healthz && httpd -p 8080 -h /www && exec sleep 3600");
        assertThat(run.exit()).as(run.output()).isZero();
        containerId = run.output().strip();
        TestDocker.Result inspect = TestDocker.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", containerId);
        assertThat(inspect.exit()).as(inspect.output()).isZero();
        ip = inspect.output().strip();
        assertThat(ip).isNotEmpty();
    }

    @AfterAll
    static void removeContainer() {
        TestDocker.removeAll(PREFIX);
    }

    private static ExecResult dockerExec(List<String> command) {
        List<String> args = new ArrayList<>(List.of("exec", containerId));
        args.addAll(command);
        try {
            TestDocker.Result r = TestDocker.docker(args.toArray(String[]::new));
            return new ExecResult(r.exit(), r.output(), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void probesARealContainerUntilItsServerGoesAway() {
        FakeClock clock = new FakeClock();
        ExecOnlyRuntime runtime = new ExecOnlyRuntime();
        runtime.answer("cat", ProbesDockerIT::dockerExec);
        RecordedEvents events = new RecordedEvents();
        RecordingListener listener = new RecordingListener();
        var container = new ContainerBuilder().withName("web").withImage("busybox")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .withStartupProbe(new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString("http")).endTcpSocket()
                        .withTimeoutSeconds(5).build())
                .withReadinessProbe(new ProbeBuilder().withNewHttpGet().withPath("/healthz").withPort(new IntOrString("http"))
                        .endHttpGet().withTimeoutSeconds(5).withFailureThreshold(1).build())
                .withLivenessProbe(new ProbeBuilder().withNewExec().withCommand("cat", "/www/healthz").endExec()
                        .withTimeoutSeconds(5).withFailureThreshold(1).build())
                .build();
        try (DefaultProbes probes = new DefaultProbes(runtime, listener, events, clock)) {
            probes.add(new ProbeTarget("uid-web", "default/web", container, containerId, ip, clock.instant()));
            probes.runDue();
            assertThat(probes.started("uid-web", "web")).isTrue();
            assertThat(probes.ready("uid-web", "web")).isTrue();
            clock.advance(Duration.ofSeconds(10));
            probes.runDue();
            assertThat(events.about("web")).isEmpty();
            assertThat(runtime.execsOf("cat")).isEqualTo(1);

            dockerExec(List.of("rm", "/www/healthz"));
            clock.advance(Duration.ofSeconds(10));
            probes.runDue();
            assertThat(probes.ready("uid-web", "web")).isFalse();
            assertThat(events.about("web")).containsExactlyInAnyOrder(
                    "Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404",
                    "Warning Unhealthy: Liveness probe failed: cat: can't open '/www/healthz': No such file or directory\n");
            assertThat(listener.lines()).containsExactlyInAnyOrder(
                    "web STARTUP true", "web READINESS true", "web READINESS false", "web LIVENESS false");

            // the replacement container has no server at all: the startup probe sees the refusal
            dockerExec(List.of("killall", "httpd"));
            probes.add(new ProbeTarget("uid-web", "default/web", container, containerId + "-2", ip, clock.instant()));
            probes.runDue();
            assertThat(probes.started("uid-web", "web")).isFalse();
            assertThat(events.about("web").getLast()).isEqualTo(
                    "Warning Unhealthy: Startup probe failed: dial tcp " + ip + ":8080: connect: connection refused");
        }
    }
}
