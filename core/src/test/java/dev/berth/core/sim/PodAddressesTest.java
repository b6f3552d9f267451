package dev.berth.core.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PodAddressesTest {
    @Test
    void handsOutAddressesInOrderSkippingNetworkGatewayAndBroadcast() {
        PodAddresses a = new PodAddresses("10.42.3.0/30"); // .0 network, .1 gateway, .2 only, .3 broadcast
        assertThat(a.allocate("ns/a")).isEqualTo("10.42.3.2");
        assertThat(a.allocate("ns/a")).isEqualTo("10.42.3.2");
        assertThat(a.allocate("ns/b")).isNull();
        a.release("ns/a");
        assertThat(a.allocate("ns/b")).isEqualTo("10.42.3.2");
    }

    @Test
    void adoptsAddressesPodsAlreadyCarry() {
        PodAddresses a = new PodAddresses("10.42.0.0/24");
        assertThat(a.adopt("ns/old", "10.42.0.2")).isTrue();
        assertThat(a.adopt("ns/other", "10.42.0.2")).isFalse();
        assertThat(a.adopt("ns/outside", "10.42.1.2")).isFalse();
        assertThat(a.allocate("ns/new")).isEqualTo("10.42.0.3");
    }

    @Test
    void loopbackAddressesAreUniqueAndNeverEndInZeroOr255() {
        assertThat(HollowNodeSpec.loopbackAddress(0)).isEqualTo("127.1.0.1");
        assertThat(HollowNodeSpec.loopbackAddress(253)).isEqualTo("127.1.0.254");
        assertThat(HollowNodeSpec.loopbackAddress(254)).isEqualTo("127.1.1.1");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 70_000; i++) {
            String ip = HollowNodeSpec.loopbackAddress(i);
            assertThat(seen.add(ip)).isTrue();
            assertThat(ip).doesNotEndWith(".0").doesNotEndWith(".255");
        }
    }

    @Test
    void goDurationsParseAsGoWritesThem() {
        assertThat(GoDuration.parse("x", "1m30s")).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(GoDuration.parse("x", "500ms")).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(GoDuration.parse("x", "0")).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GoDuration.parse("metadata.annotations[a]", "soon"))
                .hasMessage("metadata.annotations[a]: value \"soon\" must be a duration like 30s, 1m30s or 500ms");
    }
}
