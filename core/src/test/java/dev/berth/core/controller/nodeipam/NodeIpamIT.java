package dev.berth.core.controller.nodeipam;

import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NodeIpamIT {

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
    TestCluster cluster;
    ControllerContext context;
    NodeIpam ipam;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
    }

    @AfterEach
    void stop() {
        stopIpam();
        cluster.close();
    }

    private void startIpam(NodeIpamOptions options) {
        context = ControllerContext.create(cluster.client(), new FakeClock(), "controller-manager");
        ipam = new NodeIpam(context, options);
        ipam.start();
        context.informers().start();
    }

    private void stopIpam() {
        if (ipam != null) {
            ipam.close();
            context.informers().close();
            ((dev.berth.core.controller.runtime.ApiEventRecorder) context.events()).close();
            ipam = null;
        }
    }

    private void createNode(String name) {
        cluster.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    private String podCidr(String name) {
        Node n = cluster.client().nodes().withName(name).get();
        return n == null || n.getSpec() == null ? null : n.getSpec().getPodCIDR();
    }

    @Test
    void givesEachNodeItsOwnSlash24AndRecoversThemAfterARestart() throws Exception {
        startIpam(NodeIpamOptions.defaults());
        IntStream.range(0, 5).forEach(i -> createNode("node-" + i));
        await().until(() -> IntStream.range(0, 5).allMatch(i -> podCidr("node-" + i) != null));
        List<String> cidrs = IntStream.range(0, 5).mapToObj(i -> podCidr("node-" + i)).toList();
        assertThat(cidrs).doesNotHaveDuplicates().allMatch(c -> c.matches("10\\.42\\.[0-4]\\.0/24"));
        assertThat(cluster.client().nodes().withName("node-0").get().getSpec().getPodCIDRs())
                .containsExactly(podCidr("node-0"));

        stopIpam();
        startIpam(NodeIpamOptions.defaults());
        createNode("node-5");
        await().until(() -> podCidr("node-5") != null);
        assertThat(cidrs).doesNotContain(podCidr("node-5"));
        assertThat(podCidr("node-5")).isEqualTo("10.42.5.0/24");
    }

    @Test
    void reportsCidrNotAvailableWhenExhaustedAndReusesTheSubnetOfADeletedNode() {
        startIpam(new NodeIpamOptions("10.42.0.0/23", 24));
        createNode("a");
        createNode("b");
        await().until(() -> podCidr("a") != null && podCidr("b") != null);
        createNode("c");
        await().until(() -> cluster.client().v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(e -> "CIDRNotAvailable".equals(e.getReason()) && "c".equals(e.getInvolvedObject().getName())
                        && "Node c status is now: CIDRNotAvailable".equals(e.getMessage())));
        assertThat(podCidr("c")).isNull();

        String freed = podCidr("a");
        cluster.client().nodes().withName("a").delete();
        await().until(() -> freed.equals(podCidr("c")));
    }
}
