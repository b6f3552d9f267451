package dev.berth.agent.podworker;

import dev.berth.agent.prober.ProbeTarget;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.fake.FakeRuntime;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.berth.agent.podworker.Fixture.await;
import static dev.berth.agent.podworker.Fixture.condition;
import static dev.berth.agent.podworker.Fixture.container;
import static dev.berth.agent.podworker.Fixture.init;
import static dev.berth.agent.podworker.Fixture.running;
import static dev.berth.agent.podworker.Fixture.waitingReason;
import static org.assertj.core.api.Assertions.assertThat;

class PodWorkersTest {
    @TempDir
    Path dir;
    Fixture f;

    @BeforeEach
    void setUp() {
        f = new Fixture(dir);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void runsPodAndReportsRunningReadyAsKubeletDoes() {
        Pod pod = Fixture.simple("web", "Always");
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "True".equals(condition(st, "Ready").getStatus()));

        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(s.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus()).containsExactly(
                "PodReadyToStartContainers=True", "Initialized=True", "Ready=True", "ContainersReady=True",
                "PodScheduled=True");
        assertThat(s.getPodIP()).isEqualTo("10.42.0.2");
        assertThat(s.getPodIPs()).extracting(ip -> ip.getIp()).containsExactly("10.42.0.2");
        assertThat(s.getHostIP()).isEqualTo("192.168.1.10");
        assertThat(s.getStartTime()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(s.getQosClass()).isEqualTo("BestEffort");
        ContainerStatus app = container(s, "app");
        ContainerInfo info = f.current(pod, "app");
        assertThat(app.getContainerID()).isEqualTo("docker://" + info.id());
        assertThat(app.getImageID()).isEqualTo("docker://" + info.imageId());
        assertThat(app.getImage()).isEqualTo(Fixture.IMAGE);
        assertThat(app.getReady()).isTrue();
        assertThat(app.getStarted()).isTrue();
        assertThat(app.getRestartCount()).isZero();
        assertThat(app.getState().getRunning().getStartedAt()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(f.recorded.events).extracting(Recorded.Event::reason, Recorded.Event::message).containsSubsequence(
                org.assertj.core.groups.Tuple.tuple("Pulled", "Container image \"" + Fixture.IMAGE + "\" already present on machine"),
                org.assertj.core.groups.Tuple.tuple("Created", "Created container: app"),
                org.assertj.core.groups.Tuple.tuple("Started", "Started container app"));
        assertThat(f.probes.added).extracting(ProbeTarget::containerId).containsExactly(info.id());
        assertThat(f.probes.added.get(0).podIp()).isEqualTo("10.42.0.2");
        assertThat(f.workers.find("default", "web")).hasValueSatisfying(p -> {
            assertThat(p.podIp()).isEqualTo("10.42.0.2");
            assertThat(p.containerIds()).containsEntry("app", info.id());
            assertThat(p.sandboxId()).isNotEmpty();
        });
        // the sandbox and the container carry the labels that tie them to the pod
        assertThat(info.labels()).containsEntry(RuntimeLabels.POD_UID, pod.getMetadata().getUid())
                .containsEntry(RuntimeLabels.ROLE, RuntimeLabels.ROLE_APP).containsEntry(RuntimeLabels.ATTEMPT, "0")
                .containsKey(RuntimeLabels.SPEC_HASH);
    }

    @Test
    void crashingContainerShowsCrashLoopBackOffDoublingFromTenSeconds() {
        f.runtime.exitOnStart("app", 1);
        Pod pod = Fixture.simple("crash", "Always");
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "CrashLoopBackOff".equals(waitingReason(container(st, "app"))));
        ContainerStatus app = container(s, "app");
        String ref = "crash_default(" + pod.getMetadata().getUid() + ")";
        assertThat(app.getState().getWaiting().getMessage()).isEqualTo("back-off 10s restarting failed container=app pod=" + ref);
        assertThat(app.getRestartCount()).isEqualTo(1);
        assertThat(app.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(app.getLastState().getTerminated().getReason()).isEqualTo("Error");
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("ContainersNotReady");
        assertThat(condition(s, "Ready").getMessage()).isEqualTo("containers with unready status: [app]");
        assertThat(f.recorded.messages("BackOff")).contains("Back-off restarting failed container app in pod " + ref);

        f.clock.advance(Duration.ofSeconds(9));
        f.awaitAnotherBackOff();
        assertThat(f.containers(pod, "app")).hasSize(2);

        f.clock.advance(Duration.ofSeconds(1));
        s = f.awaitStatus(pod, st -> container(st, "app").getRestartCount() == 2
                && "CrashLoopBackOff".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage()).startsWith("back-off 20s ");

        f.clock.advance(Duration.ofSeconds(19));
        f.awaitAnotherBackOff();
        assertThat(container(f.recorded.status(pod.getMetadata().getUid()), "app").getRestartCount()).isEqualTo(2);

        f.clock.advance(Duration.ofSeconds(1));
        s = f.awaitStatus(pod, st -> container(st, "app").getRestartCount() == 3
                && "CrashLoopBackOff".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage()).startsWith("back-off 40s ");
        // kubelet keeps one dead instance besides the newest
        assertThat(f.containers(pod, "app")).hasSize(2);
    }

    @Test
    void backOffIsForgottenAfterTenMinutesOfRunning() {
        Pod pod = Fixture.simple("steady", "Always");
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.runtime.exit(f.current(pod, "app").id(), 2);
        f.awaitStatus(pod, st -> container(st, "app").getRestartCount() == 1 && running(st, "app"));
        f.clock.advance(Duration.ofSeconds(5));
        f.runtime.exit(f.current(pod, "app").id(), 2);
        f.awaitStatus(pod, st -> "CrashLoopBackOff".equals(waitingReason(container(st, "app"))));
        f.clock.advance(Duration.ofSeconds(10));
        f.awaitStatus(pod, st -> container(st, "app").getRestartCount() == 2 && running(st, "app"));

        f.clock.advance(Duration.ofMinutes(11));
        f.runtime.exit(f.current(pod, "app").id(), 2);
        // after a long run the back-off starts over: restarted at once, next back-off 10 s
        PodStatus s = f.awaitStatus(pod, st -> container(st, "app").getRestartCount() == 3 && running(st, "app"));
        assertThat(container(s, "app").getLastState().getTerminated().getExitCode()).isEqualTo(2);
        f.runtime.exit(f.current(pod, "app").id(), 2);
        s = f.awaitStatus(pod, st -> "CrashLoopBackOff".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage()).startsWith("back-off 10s ");
    }

    @Test
    void initContainersRunOneAtATimeInOrder() {
        Pod pod = Fixture.pod("inits").editSpec().withRestartPolicy("Always")
                .addNewInitContainer().withName("first").withImage(Fixture.IMAGE).endInitContainer()
                .addNewInitContainer().withName("second").withImage(Fixture.IMAGE).endInitContainer()
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> init(st, "first").getState().getRunning() != null);
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(condition(s, "Initialized").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Initialized").getReason()).isEqualTo("ContainersNotInitialized");
        assertThat(condition(s, "Initialized").getMessage()).isEqualTo("containers with incomplete status: [first second]");
        assertThat(waitingReason(init(s, "second"))).isEqualTo("PodInitializing");
        assertThat(waitingReason(container(s, "app"))).isEqualTo("PodInitializing");
        assertThat(f.containers(pod, "second")).isEmpty();

        f.runtime.exit(f.current(pod, "first").id(), 0);
        s = f.awaitStatus(pod, st -> init(st, "second").getState().getRunning() != null);
        assertThat(init(s, "first").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(init(s, "first").getReady()).isTrue();
        assertThat(f.containers(pod, "app")).isEmpty();

        f.runtime.exit(f.current(pod, "second").id(), 0);
        s = f.awaitStatus(pod, st -> running(st, "app") && "True".equals(condition(st, "Ready").getStatus()));
        assertThat(condition(s, "Initialized").getStatus()).isEqualTo("True");
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(f.containers(pod, "first")).hasSize(1);
    }

    static Pod withSidecar(String name) {
        return Fixture.pod(name).editSpec().withRestartPolicy("Never")
                .addNewInitContainer().withName("setup").withImage(Fixture.IMAGE).endInitContainer()
                .addNewInitContainer().withName("proxy").withImage(Fixture.IMAGE).withRestartPolicy("Always").endInitContainer()
                .addNewContainer().withName("main").withImage(Fixture.IMAGE).endContainer().endSpec().build();
    }

    @Test
    void sidecarRunsBesideTheContainersIsRestartedAndStopsWhenTheyFinish() {
        Pod pod = withSidecar("sidecar");
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> init(st, "setup").getState().getRunning() != null);
        assertThat(f.containers(pod, "proxy")).isEmpty();
        f.runtime.exit(f.current(pod, "setup").id(), 0);
        PodStatus s = f.awaitStatus(pod, st -> running(st, "main") && "True".equals(condition(st, "Ready").getStatus()));
        assertThat(init(s, "proxy").getState().getRunning()).isNotNull();
        assertThat(init(s, "proxy").getStarted()).isTrue();
        assertThat(init(s, "proxy").getReady()).isTrue();
        assertThat(condition(s, "Initialized").getStatus()).isEqualTo("True");
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(f.probes.added).extracting(ProbeTarget::containerId)
                .contains(f.current(pod, "proxy").id(), f.current(pod, "main").id());

        String main = f.current(pod, "main").id();
        f.runtime.exit(f.current(pod, "proxy").id(), 1);
        s = f.awaitStatus(pod, st -> init(st, "proxy").getRestartCount() == 1 && init(st, "proxy").getState().getRunning() != null);
        assertThat(f.current(pod, "main").id()).isEqualTo(main);
        assertThat(s.getPhase()).isEqualTo("Running");

        f.runtime.exit(main, 0);
        s = f.awaitStatus(pod, st -> "Succeeded".equals(st.getPhase()));
        await().until(() -> f.current(pod, "proxy").state() == ContainerState.EXITED);
        assertThat(f.recorded.messages("Killing")).contains("Stopping container proxy");
        assertThat(f.containers(pod, "main")).hasSize(1);
    }

    @Test
    void sidecarThatHasNotStartedHoldsBackTheNextContainers() {
        Pod pod = withSidecar("slow-sidecar");
        f.probes.started.put(pod.getMetadata().getUid() + "/proxy", false);
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> init(st, "setup").getState().getRunning() != null);
        f.runtime.exit(f.current(pod, "setup").id(), 0);
        PodStatus s = f.awaitStatus(pod, st -> init(st, "proxy").getState().getRunning() != null);
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(condition(s, "Initialized").getMessage()).isEqualTo("containers with incomplete status: [proxy]");
        assertThat(init(s, "proxy").getStarted()).isFalse();
        f.awaitAnotherSync(pod);
        assertThat(f.containers(pod, "main")).isEmpty();

        f.probes.started.put(pod.getMetadata().getUid() + "/proxy", true);
        f.workers.resyncAll();
        s = f.awaitStatus(pod, st -> running(st, "main"));
        assertThat(condition(s, "Initialized").getStatus()).isEqualTo("True");
    }

    @Test
    void deletionStopsTheContainersBeforeTheSidecars() {
        Pod pod = withSidecar("order");
        List<Pod> terminated = new CopyOnWriteArrayList<>();
        f.workers.onTerminated(terminated::add);
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> init(st, "setup").getState().getRunning() != null);
        f.runtime.exit(f.current(pod, "setup").id(), 0);
        f.awaitStatus(pod, st -> running(st, "main"));
        f.workers.terminate(pod);
        await().until(() -> terminated.size() == 1);
        assertThat(f.runtime.stops()).extracting(FakeRuntime.Stop::containerName).filteredOn(n -> !n.isEmpty())
                .containsExactly("main", "proxy");
    }

    @Test
    void failedInitContainerFailsPodWhoseRestartPolicyIsNever() {
        Pod pod = Fixture.pod("initfail").editSpec().withRestartPolicy("Never")
                .addNewInitContainer().withName("setup").withImage(Fixture.IMAGE).endInitContainer()
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        f.runtime.exitOnStart("setup", 3);
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "Failed".equals(st.getPhase()));
        assertThat(init(s, "setup").getState().getTerminated().getExitCode()).isEqualTo(3);
        assertThat(init(s, "setup").getState().getTerminated().getReason()).isEqualTo("Error");
        assertThat(waitingReason(container(s, "app"))).isEqualTo("PodInitializing");
        assertThat(f.containers(pod, "app")).isEmpty();
        assertThat(f.containers(pod, "setup")).hasSize(1);
        // the sandbox of a finished pod is stopped
        await().until(() -> "False".equals(condition(f.recorded.status(pod.getMetadata().getUid()),
                "PodReadyToStartContainers").getStatus()));
    }

    @Test
    void failedInitContainerIsRetriedWithBackOffWhenPodMayRestart() {
        Pod pod = Fixture.pod("initretry").editSpec().withRestartPolicy("Always")
                .addNewInitContainer().withName("setup").withImage(Fixture.IMAGE).endInitContainer()
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        f.runtime.exitOnStart("setup", 1);
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "CrashLoopBackOff".equals(waitingReason(init(st, "setup"))));
        assertThat(s.getPhase()).isEqualTo("Pending");
        f.runtime.clearExitOnStart("setup");
        f.clock.advance(Duration.ofSeconds(10));
        f.awaitStatus(pod, st -> running(st, "app") || init(st, "setup").getState().getRunning() != null);
        f.runtime.exit(f.current(pod, "setup").id(), 0);
        s = f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(init(s, "setup").getRestartCount()).isEqualTo(2);
    }

    @Test
    void restartPoliciesDecideWhatHappensAfterAnExit() {
        Pod onFailure = Fixture.simple("job-ok", "OnFailure");
        Pod never = Fixture.simple("job-bad", "Never");
        f.workers.sync(onFailure);
        f.workers.sync(never);
        f.awaitStatus(onFailure, st -> running(st, "app"));
        f.awaitStatus(never, st -> running(st, "app"));

        f.runtime.exit(f.current(onFailure, "app").id(), 0);
        PodStatus s = f.awaitStatus(onFailure, st -> "Succeeded".equals(st.getPhase()));
        assertThat(container(s, "app").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("PodCompleted");

        f.runtime.exit(f.current(never, "app").id(), 7);
        s = f.awaitStatus(never, st -> "Failed".equals(st.getPhase()));
        assertThat(container(s, "app").getState().getTerminated().getExitCode()).isEqualTo(7);
        assertThat(container(s, "app").getRestartCount()).isZero();
        assertThat(f.containers(never, "app")).hasSize(1);
    }

    @Test
    void finishedPodStaysFinishedWhenTheRuntimeLostItsContainers() {
        Pod pod = Fixture.simple("done", "Never");
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.runtime.exit(f.current(pod, "app").id(), 0);
        PodStatus done = f.awaitStatus(pod, st -> "Succeeded".equals(st.getPhase()));
        f.workers.close();
        for (ContainerInfo c : f.runtime.listContainers(Map.of())) {
            f.runtime.removeContainer(c.id()); // as after a node reboot
        }
        f.recorded.latest.clear();
        Pod fromApi = new PodBuilder(pod).withStatus(done).build();
        f.start();
        f.workers.sync(fromApi);
        PodStatus s = f.awaitStatus(pod, st -> true);
        assertThat(s.getPhase()).isEqualTo("Succeeded");
        assertThat(container(s, "app").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(f.runtime.listContainers(Map.of())).isEmpty();
    }

    @Test
    void oomKilledContainerReportsOomKilled() {
        Pod pod = Fixture.simple("hungry", "Never");
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.runtime.oomKill(f.current(pod, "app").id());
        PodStatus s = f.awaitStatus(pod, st -> "Failed".equals(st.getPhase()));
        assertThat(container(s, "app").getState().getTerminated().getReason()).isEqualTo("OOMKilled");
        assertThat(container(s, "app").getState().getTerminated().getExitCode()).isEqualTo(137);
    }

    @Test
    void gracefulDeletionRunsPreStopThenStopsWithTheGracePeriodAndRemovesEverything() {
        Pod pod = Fixture.pod("bye").editSpec().withTerminationGracePeriodSeconds(45L)
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).withNewLifecycle().withNewPreStop()
                .withNewExec().withCommand("sh", "-c", "drain").endExec().endPreStop().endLifecycle().endContainer()
                .addNewContainer().withName("side").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        List<Pod> terminated = new CopyOnWriteArrayList<>();
        f.workers.onTerminated(terminated::add);
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app") && running(st, "side"));

        Pod deleting = new PodBuilder(pod).editMetadata().withDeletionTimestamp("2026-01-01T00:00:05Z")
                .withDeletionGracePeriodSeconds(20L).endMetadata().build();
        f.workers.sync(deleting);
        await().until(() -> terminated.size() == 1);

        assertThat(f.runtime.execs()).extracting(FakeRuntime.Exec::containerName, FakeRuntime.Exec::command)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("app", List.of("sh", "-c", "drain")));
        assertThat(f.runtime.stops()).filteredOn(st -> !st.containerName().isEmpty())
                .extracting(FakeRuntime.Stop::containerName).containsExactlyInAnyOrder("app", "side");
        assertThat(f.runtime.stops()).filteredOn(st -> st.containerName().equals("side"))
                .extracting(FakeRuntime.Stop::grace).containsExactly(Duration.ofSeconds(20));
        assertThat(f.runtime.stops()).filteredOn(st -> st.containerName().equals("app"))
                .allSatisfy(st -> assertThat(st.grace()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20)));
        assertThat(f.runtime.listContainers(Map.of(RuntimeLabels.POD_UID, pod.getMetadata().getUid()))).isEmpty();
        assertThat(f.volumes.tornDown).containsExactly(pod.getMetadata().getUid());
        assertThat(f.recorded.messages("Killing")).containsExactlyInAnyOrder("Stopping container app", "Stopping container side");
        assertThat(f.workers.podUids()).doesNotContain(pod.getMetadata().getUid());
        assertThat(f.workers.find("default", "bye")).isEmpty();
        PodStatus last = f.recorded.status(pod.getMetadata().getUid());
        assertThat(container(last, "side").getState().getTerminated().getExitCode()).isEqualTo(143);
        assertThat(last.getPhase()).isEqualTo("Failed");
    }

    @Test
    void terminateWithoutDeletionUsesTheTerminationGracePeriod() {
        Pod pod = Fixture.pod("gone").editSpec().withTerminationGracePeriodSeconds(7L)
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        List<Pod> terminated = new CopyOnWriteArrayList<>();
        f.workers.onTerminated(terminated::add);
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.workers.terminate(pod);
        await().until(() -> terminated.size() == 1);
        assertThat(f.runtime.stops()).filteredOn(st -> st.containerName().equals("app"))
                .extracting(FakeRuntime.Stop::grace).containsExactly(Duration.ofSeconds(7));
        assertThat(f.runtime.listContainers(Map.of())).isEmpty();
    }

    @Test
    void lateUpdateOfATerminatedPodStartsNothing() {
        Pod pod = Fixture.simple("late", "Always");
        List<Pod> terminated = new CopyOnWriteArrayList<>();
        f.workers.onTerminated(terminated::add);
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.workers.terminate(pod);
        await().until(() -> terminated.size() == 1);
        f.workers.sync(pod);
        f.workers.resyncAll();
        assertThat(f.workers.podUids()).isEmpty();
        assertThat(f.runtime.listContainers(Map.of())).isEmpty();
        assertThat(terminated).hasSize(1);
    }

    @Test
    void agentRestartAdoptsRunningContainersWithoutRestartingThem() {
        Pod pod = Fixture.pod("adopt").editSpec()
                .addNewInitContainer().withName("setup").withImage(Fixture.IMAGE).endInitContainer()
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> init(st, "setup").getState().getRunning() != null);
        f.runtime.exit(f.current(pod, "setup").id(), 0);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.runtime.exit(f.current(pod, "app").id(), 1);
        PodStatus before = f.awaitStatus(pod, st -> running(st, "app") && container(st, "app").getRestartCount() == 1);
        List<String> idsBefore = f.runtime.listContainers(Map.of()).stream().map(ContainerInfo::id).sorted().toList();
        f.workers.close();

        f.recorded.events.clear();
        f.recorded.latest.clear();
        f.start();
        f.workers.sync(pod);
        PodStatus after = f.awaitStatus(pod, st -> running(st, "app"));

        assertThat(f.runtime.listContainers(Map.of()).stream().map(ContainerInfo::id).sorted().toList())
                .isEqualTo(idsBefore);
        assertThat(container(after, "app").getRestartCount()).isEqualTo(1);
        assertThat(container(after, "app").getContainerID()).isEqualTo(container(before, "app").getContainerID());
        assertThat(container(after, "app").getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(init(after, "setup").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(f.recorded.count("Created") + f.recorded.count("Started") + f.recorded.count("Killing")).isZero();
        assertThat(f.probes.added).extracting(ProbeTarget::containerId)
                .containsExactly(f.current(pod, "app").id());
    }

    @Test
    void failingLivenessProbeRestartsTheContainer() {
        Pod pod = Fixture.simple("live", "Always");
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        String first = f.current(pod, "app").id();
        f.probes.failLiveness(pod.getMetadata().getUid(), "app", first);
        PodStatus s = f.awaitStatus(pod, st -> container(st, "app").getRestartCount() == 1 && running(st, "app"));
        assertThat(f.recorded.messages("Killing")).containsExactly("Container app failed liveness probe, will be restarted");
        assertThat(container(s, "app").getLastState().getTerminated().getContainerID()).isEqualTo("docker://" + first);
        assertThat(f.probes.added).hasSize(2);
    }

    @Test
    void readinessDrivesTheReadyCondition() {
        Pod pod = Fixture.simple("ready", "Always");
        f.probes.ready.put(pod.getMetadata().getUid() + "/app", false);
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "ContainersReady").getMessage()).isEqualTo("containers with unready status: [app]");
        assertThat(container(s, "app").getReady()).isFalse();
        f.clock.advance(Duration.ofSeconds(3));
        f.probes.setReady(pod.getMetadata().getUid(), "app", f.current(pod, "app").id(), true);
        s = f.awaitStatus(pod, st -> "True".equals(condition(st, "Ready").getStatus()));
        assertThat(condition(s, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:03Z");
        assertThat(condition(s, "Initialized").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void imagePullFailureShowsErrImagePullThenImagePullBackOff() {
        String image = "registry.example:5000/team/app:2";
        f.runtime.failPull(image, "manifest unknown");
        Pod pod = Fixture.pod("pull").editSpec().addNewContainer().withName("app").withImage(image).endContainer()
                .endSpec().build();
        f.workers.sync(pod);
        PodStatus s = f.awaitSeen(st -> "ErrImagePull".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage()).isEqualTo("manifest unknown");
        assertThat(f.recorded.messages("Pulling")).contains("Pulling image \"" + image + "\"");
        assertThat(f.recorded.messages("Failed")).contains("Failed to pull image \"" + image + "\": manifest unknown",
                "Error: ErrImagePull");
        s = f.awaitStatus(pod, st -> "ImagePullBackOff".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage()).isEqualTo("Back-off pulling image \"" + image + "\"");
        assertThat(f.runtime.pulls()).hasSize(1);
        assertThat(s.getPhase()).isEqualTo("Pending");

        f.runtime.clearPullFailure(image);
        f.clock.advance(Duration.ofSeconds(10));
        f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(f.runtime.pulls()).extracting(FakeRuntime.Pull::succeeded).containsExactly(false, true);
        assertThat(f.recorded.messages("Pulled")).anyMatch(m -> m.startsWith("Successfully pulled image \"" + image + "\" in "));
    }

    @Test
    void pullPolicyNeverWithoutTheImageIsErrImageNeverPull() {
        Pod pod = Fixture.pod("never").editSpec().addNewContainer().withName("app").withImage("absent/app:1")
                .withImagePullPolicy("Never").endContainer().endSpec().build();
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "ErrImageNeverPull".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage())
                .isEqualTo("Container image \"absent/app:1\" is not present with pull policy of Never");
        assertThat(f.runtime.pulls()).isEmpty();
    }

    @Test
    void latestTagIsPulledEvenWhenPresent() {
        f.runtime.addImage("team/app:latest");
        Pod pod = Fixture.pod("latest").editSpec().addNewContainer().withName("app").withImage("team/app").endContainer()
                .endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(f.runtime.pulls()).extracting(FakeRuntime.Pull::image).containsExactly("team/app");
    }

    @Test
    void activeDeadlineFailsThePod() {
        Pod pod = Fixture.pod("deadline").editSpec().withActiveDeadlineSeconds(30L).addNewContainer().withName("app")
                .withImage(Fixture.IMAGE).endContainer().endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.clock.advance(Duration.ofSeconds(30));
        PodStatus s = f.awaitStatus(pod, st -> "Failed".equals(st.getPhase()));
        assertThat(s.getReason()).isEqualTo("DeadlineExceeded");
        assertThat(s.getMessage()).isEqualTo("Pod was active on the node longer than the specified deadline");
        await().until(() -> f.current(pod, "app").state() == ContainerState.EXITED);
        assertThat(f.recorded.messages("DeadlineExceeded")).isNotEmpty();
    }

    @Test
    void volumeThatCannotBeSetUpKeepsPodContainerCreatingUntilItCan() {
        f.volumes.failure = "MountVolume.SetUp failed for volume \"cfg\" : configmap \"cfg\" not found";
        Pod pod = Fixture.pod("vol").editSpec().addNewVolume().withName("cfg").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).addNewVolumeMount().withName("cfg")
                .withMountPath("/etc/cfg").withReadOnly(true).endVolumeMount().addNewVolumeMount().withName("cfg")
                .withMountPath("/etc/one").withSubPath("one.conf").endVolumeMount().endContainer().endSpec().build();
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "ContainerCreating".equals(waitingReason(container(st, "app"))));
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(f.recorded.messages("FailedMount")).contains(f.volumes.failure);
        assertThat(f.runtime.listContainers(Map.of())).isEmpty();

        f.volumes.failure = null;
        f.awaitStatus(pod, st -> running(st, "app"));
        var spec = f.runtime.spec(f.current(pod, "app").id()).orElseThrow();
        Path volDir = dir.resolve("volumes").resolve(pod.getMetadata().getUid()).resolve("cfg");
        assertThat(spec.mounts()).contains(new dev.berth.agent.runtime.ContainerSpec.Mount(volDir.toString(), "/etc/cfg", true),
                new dev.berth.agent.runtime.ContainerSpec.Mount(volDir.resolve("one.conf").toString(), "/etc/one", false));
    }

    @Test
    void terminationMessageIsReadFromTheFileOrTheLogOnError() throws Exception {
        Pod pod = Fixture.pod("msg").editSpec().withRestartPolicy("Never")
                .addNewContainer().withName("file").withImage(Fixture.IMAGE).endContainer()
                .addNewContainer().withName("logs").withImage(Fixture.IMAGE)
                .withTerminationMessagePolicy("FallbackToLogsOnError").endContainer().endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "file") && running(st, "logs"));
        ContainerInfo file = f.current(pod, "file");
        Path host = Path.of(f.runtime.hostPathOf(file.id(), "/dev/termination-log").orElseThrow());
        Files.writeString(host, "wrote my last words");
        f.runtime.exit(file.id(), 0);
        ContainerInfo logs = f.current(pod, "logs");
        f.runtime.appendLog(logs.id(), "starting\npanic: no config\n");
        f.runtime.exit(logs.id(), 2);
        PodStatus s = f.awaitStatus(pod, st -> "Failed".equals(st.getPhase()));
        assertThat(container(s, "file").getState().getTerminated().getMessage()).isEqualTo("wrote my last words");
        assertThat(container(s, "logs").getState().getTerminated().getMessage()).isEqualTo("starting\npanic: no config\n");
    }

    @Test
    void deadSandboxIsReplacedAndEveryContainerRestarted() {
        Pod pod = Fixture.pod("sandbox").editSpec()
                .addNewInitContainer().withName("setup").withImage(Fixture.IMAGE).endInitContainer()
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> init(st, "setup").getState().getRunning() != null);
        f.runtime.exit(f.current(pod, "setup").id(), 0);
        f.awaitStatus(pod, st -> running(st, "app"));
        String firstApp = f.current(pod, "app").id();
        f.runtime.killSandbox(pod.getMetadata().getUid());
        PodStatus s = f.awaitStatus(pod, st -> init(st, "setup").getRestartCount() == 1);
        assertThat(f.recorded.messages("SandboxChanged")).containsExactly("Pod sandbox changed, it will be killed and re-created.");
        assertThat(f.runtime.inspect(firstApp).state()).isEqualTo(ContainerState.EXITED);
        assertThat(s.getPodIP()).isEqualTo("10.42.0.2");
        f.runtime.exit(f.current(pod, "setup").id(), 0);
        s = f.awaitStatus(pod, st -> running(st, "app") && container(st, "app").getRestartCount() == 1);
        assertThat(s.getPhase()).isEqualTo("Running");
    }

    @Test
    void postStartHookFailureKillsTheContainer() {
        f.runtime.execHandler((c, cmd) -> new ExecResult(1, "no", false));
        Pod pod = Fixture.pod("hook").editSpec().withRestartPolicy("Never").addNewContainer().withName("app")
                .withImage(Fixture.IMAGE).withNewLifecycle().withNewPostStart().withNewExec().withCommand("false").endExec()
                .endPostStart().endLifecycle().endContainer().endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> "Failed".equals(st.getPhase()));
        assertThat(f.recorded.messages("FailedPostStartHook")).singleElement().asString()
                .contains("Exec lifecycle hook ([false]) for Container \"app\"");
        assertThat(f.recorded.messages("Killing")).containsExactly("FailedPostStartHook");
    }

    @Test
    void postStartHttpGetHookCallsTheContainerBeforeItCountsAsStarted() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            calls.add(ex.getRequestURI().getPath() + " " + ex.getRequestHeaders().getFirst("X-Hook"));
            ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/warm") ? 200 : 500, -1);
            ex.close();
        });
        http.start();
        try {
            int port = http.getAddress().getPort();
            Pod pod = Fixture.pod("httphook").editSpec().withRestartPolicy("Never")
                    .addNewContainer().withName("ok").withImage(Fixture.IMAGE).addNewPort().withName("web")
                    .withContainerPort(port).endPort().withNewLifecycle().withNewPostStart().withNewHttpGet()
                    .withHost("127.0.0.1").withPath("/warm").withNewPort("web").addNewHttpHeader("X-Hook", "yes")
                    .endHttpGet().endPostStart().endLifecycle().endContainer()
                    .addNewContainer().withName("bad").withImage(Fixture.IMAGE).withNewLifecycle().withNewPostStart()
                    .withNewHttpGet().withHost("127.0.0.1").withPath("/broken").withNewPort(port).endHttpGet()
                    .endPostStart().endLifecycle().endContainer().endSpec().build();
            f.workers.sync(pod);
            PodStatus s = f.awaitStatus(pod, st -> running(st, "ok")
                    && container(st, "bad").getState().getTerminated() != null);
            assertThat(calls).containsExactlyInAnyOrder("/warm yes", "/broken null");
            assertThat(f.recorded.messages("FailedPostStartHook")).singleElement().asString()
                    .contains("HTTP lifecycle hook (/broken) for Container \"bad\"").contains("HTTP status code 500");
            assertThat(container(s, "bad").getState().getTerminated().getExitCode()).isEqualTo(143);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void failingStartupProbeRestartsTheContainer() {
        Pod pod = Fixture.simple("slow", "Always");
        f.probes.started.put(pod.getMetadata().getUid() + "/app", false);
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(container(s, "app").getStarted()).isFalse();
        assertThat(container(s, "app").getReady()).isFalse();
        f.probes.listener.changed(pod.getMetadata().getUid(), "app", f.current(pod, "app").id(),
                dev.berth.agent.prober.ProbeKind.STARTUP, false, "connection refused");
        f.awaitStatus(pod, st -> container(st, "app").getRestartCount() == 1 && running(st, "app"));
        assertThat(f.recorded.messages("Killing")).containsExactly("Container app failed startup probe, will be restarted");
    }

    @Test
    void changedImageRestartsTheContainer() {
        f.runtime.addImage("berth-test/app:2");
        Pod pod = Fixture.simple("update", "Always");
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        Pod updated = new PodBuilder(pod).editSpec().editFirstContainer().withImage("berth-test/app:2").endContainer()
                .endSpec().build();
        f.workers.sync(updated);
        PodStatus s = f.awaitStatus(updated, st -> running(st, "app") && "berth-test/app:2".equals(container(st, "app").getImage()));
        assertThat(container(s, "app").getRestartCount()).isEqualTo(1);
        assertThat(f.recorded.messages("Killing")).containsExactly("Container app definition changed, will be restarted");
    }

    @Test
    void unsupportedFieldPathIsCreateContainerConfigErrorNamingIt() {
        Pod pod = Fixture.pod("badfield").editSpec().addNewContainer().withName("app").withImage(Fixture.IMAGE)
                .addNewEnv().withName("X").withNewValueFrom().withNewFieldRef().withFieldPath("status.phase").endFieldRef()
                .endValueFrom().endEnv().endContainer().endSpec().build();
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "CreateContainerConfigError".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage()).isEqualTo("unsupported fieldPath: status.phase");
        assertThat(f.recorded.messages("Failed")).contains("Error: unsupported fieldPath: status.phase");
    }

    @Test
    void podWithoutUidIsRefusedWithAClearError() {
        Pod pod = new PodBuilder(Fixture.simple("nouid", "Always")).editMetadata().withUid(null).endMetadata().build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.workers.sync(pod))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pod default/nouid: metadata.uid must be set");
    }
}
