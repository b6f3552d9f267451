package dev.berth.core.apiserver.table;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HumanDurationTest {
    @Test
    void formatsDurationsLikeKubernetes() {
        assertThat(HumanDuration.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(HumanDuration.format(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(HumanDuration.format(Duration.ofSeconds(182))).isEqualTo("3m2s");
        assertThat(HumanDuration.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(HumanDuration.format(Duration.ofMinutes(45))).isEqualTo("45m");
        assertThat(HumanDuration.format(Duration.ofMinutes(200))).isEqualTo("3h20m");
        assertThat(HumanDuration.format(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(HumanDuration.format(Duration.ofHours(53))).isEqualTo("2d5h");
        assertThat(HumanDuration.format(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(HumanDuration.format(Duration.ofDays(365 * 3 + 12))).isEqualTo("3y12d");
        assertThat(HumanDuration.format(Duration.ofDays(365 * 10))).isEqualTo("10y");
    }

    @Test
    void toleratesOneSecondOfClockSkewAndFlagsMore() {
        assertThat(HumanDuration.format(Duration.ofMillis(-1500))).isEqualTo("0s");
        assertThat(HumanDuration.format(Duration.ofSeconds(-3))).isEqualTo("<invalid>");
    }
}
