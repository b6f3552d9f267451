package dev.berth.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The proxy benchmark's options: the issue's sizes by default, small ones on request, bad values named. */
class ProxyBenchTest {
    @Test
    void defaultsAreTheIssuesSizes() {
        ProxyBench.Options o = ProxyBench.Options.parse(new String[0]);
        assertThat(o.services()).containsExactly(1000, 10000);
        assertThat(o.endpoints()).isEqualTo(2);
        assertThat(o.changes()).isEqualTo(20);
        ProxyBench.Options small = ProxyBench.Options.parse(new String[] {"--services", "5,20", "--endpoints", "1",
                "--changes", "3"});
        assertThat(small.services()).isEqualTo(List.of(5, 20));
        assertThat(small.endpoints()).isEqualTo(1);
        assertThat(small.changes()).isEqualTo(3);
    }

    @Test
    void dataPathOptionsDefaultToTheIssuesSizesAndPartsCanBeChosen() {
        ProxyBench.Options o = ProxyBench.Options.parse(new String[0]);
        assertThat(o.bulkMib()).isEqualTo(1024);
        assertThat(o.connections()).isEqualTo(10000);
        assertThat(o.parts()).containsExactly("programming", "data-path");
        ProxyBench.Options dp = ProxyBench.Options.parse(new String[] {"--parts", "data-path", "--bulk-mib", "64",
                "--connections", "500"});
        assertThat(dp.parts()).containsExactly("data-path");
        assertThat(dp.bulkMib()).isEqualTo(64);
        assertThat(dp.connections()).isEqualTo(500);
        assertThatThrownBy(() -> ProxyBench.Options.parse(new String[] {"--parts", "data-path,ipvs"}))
                .hasMessage("--parts ipvs must be one of programming, data-path");
        assertThatThrownBy(() -> ProxyBench.Options.parse(new String[] {"--bulk-mib", "-1"}))
                .hasMessage("--bulk-mib -1 must be a positive whole number");
    }

    @Test
    void badValuesAreNamedWithTheRule() {
        assertThatThrownBy(() -> ProxyBench.Options.parse(new String[] {"--services", "10,many"}))
                .hasMessage("--services many must be a positive whole number");
        assertThatThrownBy(() -> ProxyBench.Options.parse(new String[] {"--endpoints", "0"}))
                .hasMessage("--endpoints 0 must be a positive whole number");
        assertThatThrownBy(() -> ProxyBench.Options.parse(new String[] {"--changes"})).hasMessage("--changes needs a value");
        assertThatThrownBy(() -> ProxyBench.Options.parse(new String[] {"--nodes", "3"}))
                .hasMessageStartingWith("unknown option --nodes");
    }

    @Test
    void isListedAmongTheBenchmarks() {
        assertThat(Benchmarks.all()).containsKey("proxy");
    }
}
