package dev.berth.agent.podworker;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.fake.FakeRuntime;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** Pod workers on a fake runtime, a fake clock, fake volumes and probes. */
final class Fixture implements AutoCloseable {
    static final String NODE = "node-1";
    static final String IMAGE = "berth-test/app:1";

    final FakeClock clock = new FakeClock();
    final FakeRuntime runtime;
    final FakeVolumes volumes;
    final Recorded recorded = new Recorded();
    final Path dataDir;
    final KubernetesClient client;
    FakeProbes probes;
    DefaultPodWorkers workers;

    Fixture(Path dir) {
        this(dir, null);
    }

    Fixture(Path dir, KubernetesClient client) {
        this.dataDir = dir.resolve("data");
        this.client = client;
        runtime = new FakeRuntime("berth-unit-", NODE, clock, "10.42.0.0/24");
        runtime.addImage(IMAGE);
        volumes = new FakeVolumes(dir.resolve("volumes"));
        start();
    }

    PodWorkerSettings settings() {
        return new PodWorkerSettings(NODE, "192.168.1.10", "berth-unit-pods", "10.43.0.10", "cluster.local", dataDir,
                Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"), "ephemeral-storage", new Quantity("100Gi")),
                Duration.ofMillis(50), Duration.ofMillis(20));
    }

    /** (Re)starts the pod workers, as an agent restart does. */
    void start() {
        workers = new DefaultPodWorkers(runtime, volumes, listener -> probes = new FakeProbes(listener), recorded, client,
                recorded, clock, settings());
    }

    static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withUid(UUID.nameUUIDFromBytes(name.getBytes()).toString()).endMetadata()
                .withNewSpec().withNodeName(NODE).withServiceAccountName("default").endSpec();
    }

    static Pod simple(String name, String restartPolicy) {
        return pod(name).editSpec().withRestartPolicy(restartPolicy).addNewContainer().withName("app").withImage(IMAGE)
                .withImagePullPolicy("IfNotPresent").endContainer().endSpec().build();
    }

    PodStatus awaitStatus(Pod pod, Predicate<PodStatus> p) {
        java.util.concurrent.atomic.AtomicReference<PodStatus> matched = new java.util.concurrent.atomic.AtomicReference<>();
        await().until(() -> {
            PodStatus s = recorded.status(pod.getMetadata().getUid());
            if (s != null && p.test(s)) {
                matched.set(s);
                return true;
            }
            return false;
        });
        return matched.get();
    }

    /** Waits until some status published so far (not only the latest) matches; for states that pass quickly. */
    PodStatus awaitSeen(Predicate<PodStatus> p) {
        java.util.concurrent.atomic.AtomicReference<PodStatus> matched = new java.util.concurrent.atomic.AtomicReference<>();
        await().until(() -> {
            for (PodStatus s : recorded.history) {
                if (p.test(s)) {
                    matched.set(s);
                    return true;
                }
            }
            return false;
        });
        return matched.get();
    }

    static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10));
    }

    static ContainerStatus container(PodStatus s, String name) {
        return s.getContainerStatuses().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    static ContainerStatus init(PodStatus s, String name) {
        return s.getInitContainerStatuses().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    static PodCondition condition(PodStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    static boolean running(PodStatus s, String name) {
        return s.getContainerStatuses().stream().anyMatch(c -> c.getName().equals(name) && c.getState().getRunning() != null);
    }

    static String waitingReason(ContainerStatus c) {
        return c.getState().getWaiting() == null ? null : c.getState().getWaiting().getReason();
    }

    List<ContainerInfo> containers(Pod pod, String name) {
        return runtime.listContainers(Map.of(RuntimeLabels.POD_UID, pod.getMetadata().getUid(),
                RuntimeLabels.CONTAINER_NAME, name));
    }

    ContainerInfo current(Pod pod, String name) {
        return containers(pod, name).stream()
                .max(java.util.Comparator.comparingInt(c -> Integer.parseInt(c.label(RuntimeLabels.ATTEMPT))))
                .orElseThrow();
    }

    /** Waits for one more sync of the pod: every sync of a backing-off container records one BackOff event. */
    void awaitAnotherBackOff() {
        long before = recorded.count("BackOff");
        workers.resyncAll();
        await().until(() -> recorded.count("BackOff") > before);
    }

    /** Waits until the pod was synced from start to end at least once after this call. */
    void awaitAnotherSync(Pod pod) {
        long before = workers.syncs(pod.getMetadata().getUid());
        workers.resyncAll();
        await().until(() -> workers.syncs(pod.getMetadata().getUid()) >= before + 2);
    }

    @Override
    public void close() {
        workers.close();
    }
}
