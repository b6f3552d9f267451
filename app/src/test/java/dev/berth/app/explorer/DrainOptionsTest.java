package dev.berth.app.explorer;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DrainOptionsTest {
    @Test
    void defaultsLeaveDaemonSetPodsAndEmptyDirDataAlone() {
        Drain.Options o = Drain.Options.defaults();
        assertThat(o.ignoreDaemonSets()).isTrue();
        assertThat(o.deleteEmptyDirData()).isFalse();
        assertThat(o.force()).isFalse();
        assertThat(o.gracePeriodSeconds()).isNegative();
        assertThat(o.timeout()).isPositive();
        assertThat(o.pollInterval()).isPositive();
    }

    @Test
    void aZeroOrNegativeTimeoutIsRefusedNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> Drain.Options.defaults().withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: Invalid value: PT0S: must be greater than 0");
        assertThatThrownBy(() -> Drain.Options.defaults().withTimeout(Duration.ofSeconds(-3)))
                .hasMessageContaining("timeout: Invalid value: PT-3S");
    }

    @Test
    void aZeroOrNegativePollIntervalIsRefusedNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> Drain.Options.defaults().withPollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pollInterval: Invalid value: PT0S: must be greater than 0");
        assertThatThrownBy(() -> Drain.Options.defaults().withPollInterval(Duration.ofMillis(-1)))
                .hasMessageContaining("pollInterval: Invalid value: PT-0.001S");
    }

    @Test
    void withersChangeOnlyTheirField() {
        Drain.Options o = Drain.Options.defaults().withForce(true).withDeleteEmptyDirData(true)
                .withTimeout(Duration.ofSeconds(30));
        assertThat(o.force()).isTrue();
        assertThat(o.deleteEmptyDirData()).isTrue();
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.ignoreDaemonSets()).isTrue();
        assertThat(o.pollInterval()).isEqualTo(Drain.Options.defaults().pollInterval());
    }
}
