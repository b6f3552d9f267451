package dev.berth.core.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HollowNodesScaleIT {
    static final int NODES = 200;

    @TempDir
    Path dir;

    @Test
    void twoHundredNodesRegisterHeartbeatAndGetAddressesInOneProcess() throws Exception {
        try (SimHarness h = new SimHarness(dir, SimOptions.defaults().withWorkers(16), false)) {
            IntStream.range(0, NODES).forEach(i -> h.sim.add(HollowNodeSpec.of("sim-" + i, i)));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> h.client().nodes().list().getItems().stream()
                    .filter(n -> n.getSpec().getPodCIDR() != null && HollowNodesIT.ready(n)).count() == NODES);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                    h.client().leases().inNamespace(HollowNodes.LEASE_NAMESPACE).list().getItems().size() == NODES);
            assertThat(h.sim.registeredCount()).isEqualTo(NODES);
            assertThat(h.client().nodes().list().getItems()).extracting(n -> n.getSpec().getPodCIDR())
                    .doesNotHaveDuplicates();
            // threads do not grow with nodes: one pool for all of them
            assertThat(Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("sim-")).count()).isLessThanOrEqualTo(16 + 8);
        }
    }
}
