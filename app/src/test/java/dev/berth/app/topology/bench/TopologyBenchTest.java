package dev.berth.app.topology.bench;

import dev.berth.app.topology.model.ObjectChange;
import dev.berth.app.topology.model.TopologyModel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The topology benchmark's options, and the objects it feeds. */
class TopologyBenchTest {
    @Test
    void defaultsSmokeAndChosenSizes() {
        assertThat(TopologyBench.Options.parse(new String[0])).isEqualTo(new TopologyBench.Options(2000, 10, 20, 5, 50, 50));
        assertThat(TopologyBench.Options.parse(new String[] {"--smoke"})).isEqualTo(new TopologyBench.Options(200, 10, 20, 1, 10, 50));
        assertThat(TopologyBench.Options.parse(new String[] {"--workloads", "500", "--pods-per-workload", "4", "--baseline", "5", "--seconds", "2"}))
                .isEqualTo(new TopologyBench.Options(500, 4, 5, 2, 50, 50));
    }

    @Test
    void badValuesAreNamedWithTheRule() {
        assertThatThrownBy(() -> TopologyBench.Options.parse(new String[] {"--workloads", "lots"}))
                .hasMessage("--workloads lots must be a positive whole number");
        assertThatThrownBy(() -> TopologyBench.Options.parse(new String[] {"--seconds", "0"}))
                .hasMessage("--seconds 0 must be a positive whole number");
        assertThatThrownBy(() -> TopologyBench.Options.parse(new String[] {"--baseline"}))
                .hasMessage("--baseline needs a value");
        assertThatThrownBy(() -> TopologyBench.Options.parse(new String[] {"--pods", "3"}))
                .hasMessageStartingWith("unknown option --pods");
    }

    @Test
    void feedsWorkloadsWithTheirPodsServicesAndEndpoints() {
        TopologyModel m = new TopologyModel("bench");
        m.apply(TopologyBench.objects(3, 4, 2));

        assertThat(m.elements().stream().filter(e -> e.isPod()).count()).isEqualTo(12);
        assertThat(m.edges().stream().filter(e -> e.type() == dev.berth.app.topology.model.EdgeType.ENDPOINT && e.ready()).count()).isEqualTo(12);
        assertThat(m.podsOnNode("node-0")).hasSize(6);
        assertThat(TopologyBench.pct(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95)).isEqualTo(10);
        assertThat(TopologyBench.pct(new double[] {1, 2, 3, 4}, 50)).isEqualTo(2);
        assertThat(ObjectChange.upsert("Pod", TopologyBench.pod("p", "rs", "node-0", false)).object().getMetadata().getName()).isEqualTo("p");
    }
}
