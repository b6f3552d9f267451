package dev.berth.agent.podworker;

import dev.berth.agent.prober.DefaultProbes;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.fake.FakeRuntime;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.berth.agent.podworker.Fixture.condition;
import static dev.berth.agent.podworker.Fixture.container;
import static dev.berth.agent.podworker.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;

/** Pod workers with the real prober (exec probes on the fake runtime, driven by the fake clock). */
class PodWorkersWithProbesTest {
    @TempDir
    Path dir;
    final FakeClock clock = new FakeClock();
    final FakeRuntime runtime = new FakeRuntime("berth-unit-", Fixture.NODE, clock, "10.42.0.0/24");
    final Recorded recorded = new Recorded();
    final AtomicReference<DefaultProbes> probes = new AtomicReference<>();
    DefaultPodWorkers workers;

    @AfterEach
    void tearDown() {
        workers.close();
    }

    @Test
    void execProbesDriveReadinessAndRestarts() {
        AtomicReference<String> sick = new AtomicReference<>("");
        AtomicBoolean ready = new AtomicBoolean(false);
        runtime.addImage(Fixture.IMAGE);
        runtime.execHandler((c, cmd) -> switch (cmd.get(0)) {
            case "live" -> c.id().equals(sick.get()) ? new ExecResult(1, "dead", false) : new ExecResult(0, "", false);
            case "ready" -> new ExecResult(ready.get() ? 0 : 1, "", false);
            default -> new ExecResult(127, "unknown", false);
        });
        workers = new DefaultPodWorkers(runtime, new FakeVolumes(dir.resolve("v")),
                listener -> {
                    probes.set(new DefaultProbes(runtime, listener, recorded, clock));
                    return probes.get();
                }, recorded, null, recorded, clock,
                new PodWorkerSettings(Fixture.NODE, "192.168.1.10", "net", "10.43.0.10", "cluster.local", dir.resolve("d"),
                        Map.of("cpu", new Quantity("2")), Duration.ofMillis(50), Duration.ofMillis(20)));
        Pod pod = Fixture.pod("probed").editSpec().addNewContainer().withName("app").withImage(Fixture.IMAGE)
                .withNewLivenessProbe().withNewExec().withCommand("live").endExec().withPeriodSeconds(5)
                .withFailureThreshold(1).endLivenessProbe()
                .withNewReadinessProbe().withNewExec().withCommand("ready").endExec().withPeriodSeconds(5).endReadinessProbe()
                .endContainer().endSpec().build();
        workers.sync(pod);
        PodStatus s = await(pod, st -> running(st, "app"));
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");

        ready.set(true);
        clock.advance(Duration.ofSeconds(5));
        probes.get().runDue();
        s = await(pod, st -> "True".equals(condition(st, "Ready").getStatus()));
        assertThat(container(s, "app").getReady()).isTrue();

        // Only this container is unhealthy: its replacement passes, however soon it is probed.
        sick.set(container(s, "app").getContainerID().substring("docker://".length()));
        clock.advance(Duration.ofSeconds(5));
        probes.get().runDue();
        s = await(pod, st -> container(st, "app").getRestartCount() == 1 && running(st, "app"));
        assertThat(recorded.messages("Killing")).containsExactly("Container app failed liveness probe, will be restarted");
        assertThat(recorded.messages("Unhealthy")).anyMatch(m -> m.startsWith("Liveness probe failed"));
    }

    private PodStatus await(Pod pod, java.util.function.Predicate<PodStatus> p) {
        AtomicReference<PodStatus> matched = new AtomicReference<>();
        Fixture.await().until(() -> {
            PodStatus st = recorded.status(pod.getMetadata().getUid());
            if (st != null && p.test(st)) {
                matched.set(st);
                return true;
            }
            return false;
        });
        return matched.get();
    }
}
