package dev.berth.agent.node;

import dev.berth.agent.testing.InfoRuntime;
import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeStatusReporterTest {
    private static final HostFacts FACTS = new HostFacts("m", "u", "b", "h");

    private NodeStatusReporter reporter(String name, int port) {
        return new NodeStatusReporter(null, new InfoRuntime(name), name, "10.0.0.1", Path.of("/tmp"), port, Map.of(),
                FACTS, () -> null, new FakeClock(), NodeStatusReporter.Options.defaults());
    }

    @Test
    void refusesANodeNameThatIsNotADnsSubdomain() {
        assertThatThrownBy(() -> reporter("Lab_Node", 10250)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("node name \"Lab_Node\" is not a DNS subdomain");
        assertThat(reporter("lab-1.example", 10250).nodeName()).isEqualTo("lab-1.example");
    }

    @Test
    void refusesAPortOutsideTheTcpRange() {
        assertThatThrownBy(() -> reporter("n1", 0)).hasMessage("kubelet port must be within 1-65535, was 0");
    }

    @Test
    void labelsAreKubeletsDefaultsPlusTheGivenOnes() {
        var r = new NodeStatusReporter(null, new InfoRuntime("n1"), "n1", "10.0.0.1", Path.of("/tmp"), 10250,
                Map.of("kubernetes.io/hostname", "override-is-kept", "zone", "a"), FACTS, () -> null, new FakeClock(),
                NodeStatusReporter.Options.defaults());
        assertThat(r.labels()).containsEntry("kubernetes.io/os", "linux").containsEntry("beta.kubernetes.io/arch", "amd64")
                .containsEntry("zone", "a").containsEntry("kubernetes.io/hostname", "override-is-kept");
    }
}
