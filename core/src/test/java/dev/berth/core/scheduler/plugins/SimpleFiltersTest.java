package dev.berth.core.scheduler.plugins;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.nodename.NodeName;
import dev.berth.core.scheduler.plugins.nodeports.NodePorts;
import dev.berth.core.scheduler.plugins.noderesources.BalancedAllocation;
import dev.berth.core.scheduler.plugins.noderesources.NodeResourcesFit;
import dev.berth.core.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import dev.berth.core.scheduler.plugins.tainttoleration.TaintToleration;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SimpleFiltersTest {
    static Node node(String name, String cpu, String memory, int pods) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().withAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                        "pods", new Quantity(String.valueOf(pods)), "example.com/gpu", new Quantity("1"))).endStatus().build();
    }

    static Pod pod(String name, String cpu, String memory) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withNewResources()
                .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory))
                .endResources().endContainer().endSpec().build();
    }

    @Test
    void nodeResourcesFitNamesEachInsufficientResourceAndTheirSumsIncludePlacedPods() {
        NodeInfo node = new NodeInfo(node("n", "1", "1Gi", 2));
        assertThat(NodeResourcesFit.insufficientResources(PodInfo.of(pod("a", "600m", "512Mi")), node)).isEmpty();
        PodInfo placed = PodInfo.of(pod("placed", "600m", "512Mi"));
        node.addPod(placed);
        assertThat(NodeResourcesFit.insufficientResources(PodInfo.of(pod("b", "600m", "600Mi")), node))
                .containsExactly("Insufficient cpu", "Insufficient memory");
        node.addPod(PodInfo.of(pod("tiny", "1m", "1Ki")));
        assertThat(NodeResourcesFit.insufficientResources(PodInfo.of(pod("c", "1m", "1Ki")), node)).containsExactly("Too many pods");
        node.removePod(placed);
        assertThat(node.requestedMilliCpu()).isEqualTo(1);
    }

    @Test
    void extendedResourcesAreCheckedByName() {
        NodeInfo node = new NodeInfo(node("n", "1", "1Gi", 10));
        Pod gpu = new PodBuilder(pod("g", "1m", "1Mi")).editSpec().editFirstContainer().editResources()
                .addToRequests("example.com/gpu", new Quantity("2")).endResources().endContainer().endSpec().build();
        Status s = NodeResourcesFit.create().filter(new CycleState(), PodInfo.of(gpu), node);
        assertThat(s.reasons()).containsExactly("Insufficient example.com/gpu");
    }

    @Test
    void leastAllocatedPrefersEmptierNodesAndBalancedPrefersEvenShares() {
        assertThat(NodeResourcesFit.leastAllocated(0, 1000, 0, 1000)).isEqualTo(100);
        assertThat(NodeResourcesFit.leastAllocated(500, 1000, 250, 1000)).isEqualTo((50 + 75) / 2);
        assertThat(NodeResourcesFit.leastAllocated(2000, 1000, 0, 1000)).isEqualTo(50);
        assertThat(BalancedAllocation.balanced(500, 1000, 500, 1000)).isEqualTo(100);
        assertThat(BalancedAllocation.balanced(1000, 1000, 0, 1000)).isEqualTo(50);
        assertThat(BalancedAllocation.balanced(600, 1000, 200, 1000)).isEqualTo(80);
    }

    @Test
    void taintsNeedAMatchingToleration() {
        Taint taint = new TaintBuilder().withKey("node-role").withValue("x").withEffect("NoSchedule").build();
        Toleration equal = new TolerationBuilder().withKey("node-role").withOperator("Equal").withValue("x").build();
        Toleration otherValue = new TolerationBuilder().withKey("node-role").withValue("y").build();
        Toleration exists = new TolerationBuilder().withOperator("Exists").build();
        Toleration wrongEffect = new TolerationBuilder().withKey("node-role").withOperator("Exists").withEffect("NoExecute").build();
        assertThat(TaintToleration.tolerates(equal, taint)).isTrue();
        assertThat(TaintToleration.tolerates(otherValue, taint)).isFalse();
        assertThat(TaintToleration.tolerates(exists, taint)).isTrue();
        assertThat(TaintToleration.tolerates(wrongEffect, taint)).isFalse();
        assertThat(TaintToleration.firstUntolerated(List.of(taint), List.of(otherValue))).contains(taint);
        assertThat(TaintToleration.reason(taint)).isEqualTo("node(s) had untolerated taint {node-role: x}");
        Taint prefer = new TaintBuilder().withKey("spot").withEffect("PreferNoSchedule").build();
        assertThat(TaintToleration.firstUntolerated(List.of(prefer), List.of())).isEmpty();
        assertThat(TaintToleration.countIntolerablePreferNoSchedule(List.of(prefer, taint), List.of())).isEqualTo(1);
    }

    @Test
    void cordonedNodesAreOnlyForPodsToleratingTheUnschedulableTaint() {
        Node cordoned = new NodeBuilder(node("n", "1", "1Gi", 10)).editSpec().withUnschedulable(true).endSpec().build();
        assertThat(NodeUnschedulable.fits(List.of(), cordoned)).isFalse();
        assertThat(NodeUnschedulable.fits(List.of(new TolerationBuilder().withKey(NodeUnschedulable.TAINT_KEY)
                .withOperator("Exists").withEffect("NoSchedule").build()), cordoned)).isTrue();
        assertThat(NodeUnschedulable.fits(List.of(), node("m", "1", "1Gi", 10))).isTrue();
    }

    @Test
    void nodeNameAndHostPorts() {
        Pod named = new PodBuilder(pod("a", "1m", "1Mi")).editSpec().withNodeName("n1").endSpec().build();
        assertThat(NodeName.fits(named, "n1")).isTrue();
        assertThat(NodeName.fits(named, "n2")).isFalse();
        assertThat(NodeName.fits(pod("b", "1m", "1Mi"), "n2")).isTrue();
        PodInfo.HostPort http = new PodInfo.HostPort("0.0.0.0", "TCP", 8080);
        assertThat(NodePorts.fits(List.of(http), List.of(new PodInfo.HostPort("127.0.0.1", "TCP", 8080)))).isFalse();
        assertThat(NodePorts.fits(List.of(http), List.of(new PodInfo.HostPort("0.0.0.0", "TCP", 8081)))).isTrue();
    }
}
