package dev.berth.core.sim;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HollowNodesIT {

    @org.junit.jupiter.api.BeforeAll
    static void patience() {
        // a shared build machine can be slow: allow for it, the assertions are about order, not speed
        org.awaitility.Awaitility.setDefaultTimeout(java.time.Duration.ofSeconds(30));
    }

    @org.junit.jupiter.api.AfterAll
    static void resetPatience() {
        org.awaitility.Awaitility.reset();
    }
    @TempDir
    Path dir;
    SimHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new SimHarness(dir, SimOptions.defaults().withJobRunTime(Duration.ofSeconds(30)), false);
        h.sim.add(HollowNodeSpec.of("sim-0", 0));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Node n = h.client().nodes().withName("sim-0").get();
            return n != null && n.getSpec().getPodCIDR() != null && ready(n);
        });
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void registersNodeWithCapacityAddressesConditionsAndLease() {
        Node n = h.client().nodes().withName("sim-0").get();
        assertThat(n.getStatus().getCapacity()).containsEntry("cpu", new Quantity("4"))
                .containsEntry("memory", new Quantity("16Gi")).containsEntry("pods", new Quantity("110"))
                .containsKey("ephemeral-storage");
        assertThat(n.getStatus().getAllocatable()).containsEntry("pods", new Quantity("110"));
        assertThat(n.getStatus().getAddresses()).anySatisfy(a -> {
            assertThat(a.getType()).isEqualTo("InternalIP");
            assertThat(a.getAddress()).isEqualTo("127.1.0.1");
        });
        assertThat(n.getStatus().getConditions()).extracting(NodeCondition::getType)
                .containsExactly("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");
        assertThat(n.getStatus().getConditions()).allSatisfy(c ->
                assertThat(c.getLastHeartbeatTime()).isEqualTo(h.clock.instant().toString()));
        assertThat(n.getStatus().getNodeInfo().getKubeletVersion()).startsWith("v1.");
        assertThat(n.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "sim-0")
                .containsEntry("kubernetes.io/os", "linux");
        assertThat(n.getSpec().getPodCIDR()).isEqualTo("10.42.0.0/24");

        await().until(() -> lease("sim-0") != null);
        Lease lease = lease("sim-0");
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("sim-0");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(h.clock.instant());
        assertThat(lease.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(n.getMetadata().getUid()));
    }

    @Test
    void renewsItsLeaseEveryTenSecondsOfTheInjectedClockUntilStopped() {
        await().until(() -> lease("sim-0") != null);
        Instant first = lease("sim-0").getSpec().getRenewTime().toInstant();
        h.clock.advance(Duration.ofSeconds(10));
        Instant second = h.clock.instant();
        await().until(() -> lease("sim-0").getSpec().getRenewTime().toInstant().equals(second));
        assertThat(second).isAfter(first);

        h.sim.stop("sim-0");
        h.clock.advance(Duration.ofSeconds(10));
        // another node registering and heartbeating goes through the same queue after the stopped one's turn
        h.sim.add(HollowNodeSpec.of("sim-1", 1));
        await().until(() -> lease("sim-1") != null);
        assertThat(lease("sim-0").getSpec().getRenewTime().toInstant()).isEqualTo(second);

        h.sim.resume("sim-0");
        await().until(() -> lease("sim-0").getSpec().getRenewTime().toInstant().equals(h.clock.instant()));
    }

    @Test
    void writesNodeStatusOnlyWhenChangedOrAfterFiveMinutes() {
        String heartbeat = readyCondition(h.client().nodes().withName("sim-0").get()).getLastHeartbeatTime();
        h.clock.advance(Duration.ofSeconds(10));
        Instant renewed = h.clock.instant();
        await().until(() -> lease("sim-0") != null && lease("sim-0").getSpec().getRenewTime().toInstant().equals(renewed));
        assertThat(readyCondition(h.client().nodes().withName("sim-0").get()).getLastHeartbeatTime()).isEqualTo(heartbeat);

        h.clock.advance(Duration.ofMinutes(5));
        await().until(() -> !readyCondition(h.client().nodes().withName("sim-0").get()).getLastHeartbeatTime()
                .equals(heartbeat));
    }

    @Test
    void movesAPodBoundThroughTheBindingSubresourceToRunningAndReady() {
        h.createPod("web", null, Map.of());
        h.client().resource(new BindingBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewTarget().withKind("Node").withName("sim-0").endTarget().build()).inNamespace("default").create();

        await().until(() -> "Running".equals(h.pod("web").getStatus().getPhase()));
        Pod p = h.pod("web");
        assertThat(p.getStatus().getConditions()).extracting(PodCondition::getType, PodCondition::getStatus)
                .contains(org.assertj.core.groups.Tuple.tuple("Ready", "True"),
                        org.assertj.core.groups.Tuple.tuple("ContainersReady", "True"),
                        org.assertj.core.groups.Tuple.tuple("Initialized", "True"),
                        org.assertj.core.groups.Tuple.tuple("PodScheduled", "True"));
        assertThat(p.getStatus().getPodIP()).isEqualTo("10.42.0.2");
        assertThat(p.getStatus().getHostIP()).isEqualTo("127.1.0.1");
        ContainerStatus cs = p.getStatus().getContainerStatuses().getFirst();
        assertThat(cs.getReady()).isTrue();
        assertThat(cs.getStarted()).isTrue();
        assertThat(cs.getRestartCount()).isZero();
        assertThat(cs.getState().getRunning().getStartedAt()).isEqualTo(h.clock.instant().toString());
        assertThat(cs.getContainerID()).matches("sim://[0-9a-f]{64}");
        assertThat(cs.getImageID()).matches("sim://registry.local/app:1@sha256:[0-9a-f]{64}");
    }

    @Test
    void givesPodsOfOneNodeDistinctAddressesInOrder() {
        h.createPod("a", "sim-0", Map.of());
        await().until(() -> h.pod("a").getStatus().getPodIP() != null);
        h.createPod("b", "sim-0", Map.of());
        await().until(() -> h.pod("b").getStatus().getPodIP() != null);
        assertThat(h.pod("a").getStatus().getPodIP()).isEqualTo("10.42.0.2");
        assertThat(h.pod("b").getStatus().getPodIP()).isEqualTo("10.42.0.3");
    }

    @Test
    void jobPodsSucceedAfterTheirRunTimeAndFailingPodsExitWithCodeOne() {
        h.client().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("job-pod").addNewOwnerReference().withApiVersion("batch/v1").withKind("Job")
                .withName("job").withUid("1b4e28ba-2fa1-11d2-883f-0016d3cca427").withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().withNodeName("sim-0").withRestartPolicy("Never")
                .addNewContainer().withName("work").withImage("registry.local/work:1").endContainer().endSpec()
                .build()).create();
        h.createPod("short", "sim-0", Map.of(HollowNodes.COMPLETE_AFTER_ANNOTATION, "10s"));
        h.createPod("broken", "sim-0", Map.of(HollowNodes.FAIL_ANNOTATION, "true"));

        await().until(() -> "Failed".equals(h.pod("broken").getStatus().getPhase()));
        assertThat(h.pod("broken").getStatus().getContainerStatuses().getFirst().getState().getTerminated().getExitCode())
                .isEqualTo(1);
        await().until(() -> "Running".equals(h.pod("job-pod").getStatus().getPhase())
                && "Running".equals(h.pod("short").getStatus().getPhase()));

        h.clock.advance(Duration.ofSeconds(10));
        await().until(() -> "Succeeded".equals(h.pod("short").getStatus().getPhase()));
        assertThat(h.pod("job-pod").getStatus().getPhase()).isEqualTo("Running");

        h.clock.advance(Duration.ofSeconds(20));
        await().until(() -> "Succeeded".equals(h.pod("job-pod").getStatus().getPhase()));
        var terminated = h.pod("job-pod").getStatus().getContainerStatuses().getFirst().getState().getTerminated();
        assertThat(terminated.getExitCode()).isZero();
        assertThat(terminated.getReason()).isEqualTo("Completed");
    }

    @Test
    void finalizesAGracefullyDeletedPodAsKubeletDoes() {
        h.createPod("web", "sim-0", Map.of());
        await().until(() -> "Running".equals(h.pod("web").getStatus().getPhase()));
        h.client().pods().inNamespace("default").withName("web").delete();
        await().until(() -> h.pod("web") == null);
    }

    @Test
    void reportsUsageFromPodAnnotations() {
        h.createPod("busy", "sim-0", Map.of(HollowNodes.CPU_USAGE_ANNOTATION, "250m",
                HollowNodes.MEMORY_USAGE_ANNOTATION, "128Mi"));
        h.createPod("idle", "sim-0", Map.of(HollowNodes.CPU_USAGE_ANNOTATION, "1"));
        await().until(() -> h.sim.usage("sim-0").pods().size() == 2);
        ResourceUsage.Node usage = h.sim.usage("sim-0");
        assertThat(usage.pods()).containsEntry("default/busy", new ResourceUsage(250, 128L * 1024 * 1024));
        assertThat(usage.total()).isEqualTo(new ResourceUsage(1250, 128L * 1024 * 1024));

        h.client().pods().inNamespace("default").withName("busy").delete();
        await().until(() -> h.sim.usage("sim-0").pods().size() == 1);
    }

    private Lease lease(String name) {
        return h.client().leases().inNamespace(HollowNodes.LEASE_NAMESPACE).withName(name).get();
    }

    private static NodeCondition readyCondition(Node n) {
        return n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    static boolean ready(Node n) {
        return n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }
}
