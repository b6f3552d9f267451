package dev.berth.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ingress benchmark's options: defaults, the smoke sizes, and bad values named. */
class IngressBenchTest {
    @Test
    void defaultsAndSmokeSizes() {
        assertThat(IngressBench.Options.parse(new String[0])).isEqualTo(new IngressBench.Options(20, 16, 4, 1024));
        assertThat(IngressBench.Options.parse(new String[] {"--smoke"})).isEqualTo(new IngressBench.Options(2, 4, 2, 32));
        assertThat(IngressBench.Options.parse(new String[] {"--seconds", "5", "--clients", "64", "--transfer-mib", "256"}))
                .isEqualTo(new IngressBench.Options(5, 64, 4, 256));
    }

    @Test
    void badValuesAreNamedWithTheRule() {
        assertThatThrownBy(() -> IngressBench.Options.parse(new String[] {"--clients", "many"}))
                .hasMessage("--clients many must be a positive whole number");
        assertThatThrownBy(() -> IngressBench.Options.parse(new String[] {"--seconds", "0"}))
                .hasMessage("--seconds 0 must be a positive whole number");
        assertThatThrownBy(() -> IngressBench.Options.parse(new String[] {"--rounds"}))
                .hasMessage("--rounds needs a value");
        assertThatThrownBy(() -> IngressBench.Options.parse(new String[] {"--pods", "3"}))
                .hasMessageStartingWith("unknown option --pods");
    }

    @Test
    void percentilesComeFromTheMergedRounds() {
        IngressBench.Sample all = new IngressBench.Sample();
        IngressBench.Sample first = sample(1_000_000, 2_000_000);
        IngressBench.Sample second = sample(3_000_000, 100_000_000);
        all.add(first);
        all.add(second);

        assertThat(all.percentileMs(50)).isEqualTo(2.0);
        assertThat(all.percentileMs(99)).isEqualTo(100.0);
    }

    private static IngressBench.Sample sample(long... nanos) {
        IngressBench.Sample s = new IngressBench.Sample();
        s.addLatenciesForTest(nanos);
        return s;
    }
}
