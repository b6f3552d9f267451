package dev.berth.core.controller.nodelifecycle;

import dev.berth.core.sim.HollowNodeSpec;
import dev.berth.core.sim.SimHarness;
import dev.berth.core.sim.SimOptions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NodeLifecycleIT {

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
        h = new SimHarness(dir, SimOptions.defaults(), true);
        h.sim.add(HollowNodeSpec.of("sim-0", 0));
        h.sim.add(HollowNodeSpec.of("sim-1", 1));
        await().atMost(Duration.ofSeconds(60)).until(() -> readyAndAddressed("sim-0") && readyAndAddressed("sim-1"));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void marksAStoppedNodeUnknownTaintsItAndEvictsPodsAfterTheirTolerationSeconds() {
        h.createPod("plain", "sim-0", Map.of()); // the API server adds 5 s tolerations
        createPod("patient", "sim-0", new TolerationBuilder().withKey(Taints.UNREACHABLE).withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(60L).build());
        createPod("forever", "sim-0", new TolerationBuilder().withKey(Taints.UNREACHABLE).withOperator("Exists")
                .withEffect("NoExecute").build());
        h.createPod("elsewhere", "sim-1", Map.of());
        await().until(() -> List.of("plain", "patient", "forever", "elsewhere").stream()
                .allMatch(n -> "Running".equals(h.pod(n).getStatus().getPhase())));
        assertThat(h.pod("plain").getSpec().getTolerations()).extracting(Toleration::getKey, Toleration::getTolerationSeconds)
                .contains(org.assertj.core.groups.Tuple.tuple(Taints.UNREACHABLE, 5L));

        h.sim.stop("sim-0");
        Instant stopped = h.clock.instant();
        advanceKeepingSim1Alive(Duration.ofSeconds(10));
        assertThat(ready(node("sim-0")).getStatus()).isEqualTo("True");
        advanceKeepingSim1Alive(Duration.ofSeconds(6));

        await().until(() -> "Unknown".equals(ready(node("sim-0")).getStatus()));
        Node n = node("sim-0");
        assertThat(n.getStatus().getConditions()).allSatisfy(c -> {
            assertThat(c.getStatus()).isEqualTo("Unknown");
            assertThat(c.getReason()).isEqualTo("NodeStatusUnknown");
            assertThat(c.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        });
        await().until(() -> node("sim-0").getSpec().getTaints() != null && node("sim-0").getSpec().getTaints().size() == 2);
        assertThat(node("sim-0").getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Taints.UNREACHABLE, "NoExecute"),
                        org.assertj.core.groups.Tuple.tuple(Taints.UNREACHABLE, "NoSchedule"));
        assertThat(ready(node("sim-1")).getStatus()).isEqualTo("True");
        assertThat(node("sim-1").getSpec().getTaints()).isNullOrEmpty();
        await().until(() -> List.of("plain", "patient", "forever").stream()
                .allMatch(p -> "False".equals(podReady(h.pod(p)))));
        assertThat(podReady(h.pod("elsewhere"))).isEqualTo("True");

        // the unreachable taint came at stopped+16s: the 5 s tolerations run out at stopped+21s
        advanceKeepingSim1Alive(Duration.ofSeconds(4));
        assertThat(h.pod("plain").getMetadata().getDeletionTimestamp()).isNull();
        h.clock.advance(Duration.ofSeconds(1));
        assertThat(h.clock.instant()).isEqualTo(stopped.plusSeconds(21));
        await().until(() -> h.pod("plain").getMetadata().getDeletionTimestamp() != null);
        assertThat(h.pod("patient").getMetadata().getDeletionTimestamp()).isNull();
        assertThat(h.pod("forever").getMetadata().getDeletionTimestamp()).isNull();
        assertThat(h.pod("elsewhere").getMetadata().getDeletionTimestamp()).isNull();
        await().until(() -> h.client().v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(e -> "TaintManagerEviction".equals(e.getReason())
                        && "Marking for deletion Pod default/plain".equals(e.getMessage())));

        // the node comes back: Ready again, taints gone, the evicted pod finalized, the others ready
        h.sim.resume("sim-0");
        await().until(() -> "True".equals(ready(node("sim-0")).getStatus()));
        await().until(() -> node("sim-0").getSpec().getTaints() == null || node("sim-0").getSpec().getTaints().isEmpty());
        await().until(() -> h.pod("plain") == null);
        await().until(() -> "True".equals(podReady(h.pod("patient"))));
        assertThat(h.pod("patient").getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void evictsPodsThatDoNotTolerateANoExecuteTaintAtOnce() {
        h.createPod("intolerant", "sim-1", Map.of());
        createPod("tolerant", "sim-1", new TolerationBuilder().withKey("example.com/maintenance").withOperator("Exists")
                .withEffect("NoExecute").build());
        await().until(() -> "Running".equals(h.pod("intolerant").getStatus().getPhase())
                && "Running".equals(h.pod("tolerant").getStatus().getPhase()));

        h.client().nodes().withName("sim-1").edit(n -> new NodeBuilder(n).editSpec().addNewTaint()
                .withKey("example.com/maintenance").withValue("true").withEffect("NoExecute").endTaint().endSpec().build());

        await().until(() -> h.pod("intolerant") == null); // deleted, then finalized by the running node
        assertThat(h.pod("tolerant").getMetadata().getDeletionTimestamp()).isNull();
        assertThat(h.pod("tolerant").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void taintsACordonedNodeUnschedulable() {
        h.client().nodes().withName("sim-1").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec().build());
        await().until(() -> node("sim-1").getSpec().getTaints() != null && node("sim-1").getSpec().getTaints().stream()
                .anyMatch(t -> Taints.UNSCHEDULABLE.equals(t.getKey()) && "NoSchedule".equals(t.getEffect())));
        h.client().nodes().withName("sim-1").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(false).endSpec().build());
        await().until(() -> node("sim-1").getSpec().getTaints() == null || node("sim-1").getSpec().getTaints().isEmpty());
    }

    private void advanceKeepingSim1Alive(Duration d) {
        h.clock.advance(d);
        Instant now = h.clock.instant();
        await().until(() -> {
            var lease = h.client().leases().inNamespace("kube-node-lease").withName("sim-1").get();
            // renewed within the last renew interval of 10 s: it is not late
            return lease != null && lease.getSpec().getRenewTime().toInstant().plusSeconds(10).isAfter(now);
        });
    }

    private void createPod(String name, String node, Toleration toleration) {
        h.client().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNodeName(node).withTolerations(toleration)
                .addNewContainer().withName("app").withImage("registry.local/app:1").endContainer()
                .endSpec().build()).create();
    }

    private boolean readyAndAddressed(String name) {
        Node n = node(name);
        return n != null && n.getSpec().getPodCIDR() != null && ready(n) != null && "True".equals(ready(n).getStatus());
    }

    private Node node(String name) {
        return h.client().nodes().withName(name).get();
    }

    private static NodeCondition ready(Node n) {
        return n.getStatus() == null || n.getStatus().getConditions() == null ? null : n.getStatus().getConditions()
                .stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
    }

    private static String podReady(Pod p) {
        return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(c -> c.getStatus()).findFirst().orElse(null);
    }
}
