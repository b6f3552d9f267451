package dev.berth.core.controller.nodeipam;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrSetTest {
    @Test
    void handsOutSubnetsInOrderAndWrapsAroundToReleasedOnes() {
        CidrSet set = new CidrSet("10.42.0.0/22", 24);
        assertThat(set.size()).isEqualTo(4);
        assertThat(set.cidr(set.allocate())).isEqualTo("10.42.0.0/24");
        assertThat(set.cidr(set.allocate())).isEqualTo("10.42.1.0/24");
        assertThat(set.cidr(set.allocate())).isEqualTo("10.42.2.0/24");
        set.release(set.indexOf("10.42.1.0/24"));
        assertThat(set.cidr(set.allocate())).isEqualTo("10.42.3.0/24");
        assertThat(set.cidr(set.allocate())).isEqualTo("10.42.1.0/24");
        assertThat(set.allocate()).isEqualTo(-1);
    }

    @Test
    void occupiesOnlySubnetsOfItsOwnRangeAndSize() {
        CidrSet set = new CidrSet("10.42.0.0/16", 24);
        assertThat(set.occupy("10.42.7.0/24")).isEqualTo(7);
        assertThat(set.occupy("10.43.0.0/24")).isEqualTo(-1);
        assertThat(set.occupy("10.42.7.0/25")).isEqualTo(-1);
        assertThat(set.occupy("10.42.7.128/24")).isEqualTo(-1);
        assertThat(set.allocatedCount()).isEqualTo(1);
    }

    @Test
    void refusesBadRangesNamingTheValueAndTheRule() {
        assertThatThrownBy(() -> new CidrSet("10.42.0.1/16", 24))
                .hasMessageContaining("10.42.0.1/16").hasMessageContaining("host bits set");
        assertThatThrownBy(() -> new CidrSet("10.42.0.0/16", 12))
                .hasMessageContaining("node CIDR mask size 12");
        assertThatThrownBy(() -> new CidrSet("fd00::/48", 64))
                .hasMessageContaining("fd00::/48").hasMessageContaining("IPv4");
        assertThatThrownBy(() -> new NodeIpamOptions("10.0.0.0/8", 30))
                .hasMessageContaining("difference of prefix lengths must be at most 16");
    }
}
