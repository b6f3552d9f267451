package dev.berth.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The podstart benchmark's options: defaults from the node agent issue, and bad values named. */
class PodStartBenchTest {
    @Test
    void defaultsAreTheIssuesSizes() {
        PodStartBench.Options o = PodStartBench.Options.parse(new String[0]);
        assertThat(o.pods()).isEqualTo(100);
        assertThat(o.rate()).isEqualTo(5.0);
        assertThat(o.replicas()).isEqualTo(50);
        assertThat(o.swarm()).isTrue();
        assertThat(PodStartBench.Options.parse(new String[] {"--pods", "3", "--rate", "0.5", "--no-swarm"}))
                .satisfies(p -> {
                    assertThat(p.pods()).isEqualTo(3);
                    assertThat(p.rate()).isEqualTo(0.5);
                    assertThat(p.swarm()).isFalse();
                });
    }

    @Test
    void badValuesAreNamedWithTheRule() {
        assertThatThrownBy(() -> PodStartBench.Options.parse(new String[] {"--rate", "fast"}))
                .hasMessage("--rate fast must be a positive number");
        assertThatThrownBy(() -> PodStartBench.Options.parse(new String[] {"--pods", "-2"}))
                .hasMessage("--pods -2 must be a positive number");
        assertThatThrownBy(() -> PodStartBench.Options.parse(new String[] {"--replicas"}))
                .hasMessage("--replicas needs a value");
        assertThatThrownBy(() -> PodStartBench.Options.parse(new String[] {"--nodes", "3"}))
                .hasMessageStartingWith("unknown option --nodes");
    }
}
