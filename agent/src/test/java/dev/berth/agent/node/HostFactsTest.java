package dev.berth.agent.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostFactsTest {
    @TempDir
    Path root;

    private void write(String file, String content) throws Exception {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void readsMachineIdBootIdAndHostname() throws Exception {
        write("etc/machine-id", "3D1219C7C4C5404AAA1F6D2A48ADFDA4\n");
        write("proc/sys/kernel/random/boot_id", "0b5c2a53-8f6e-4a2e-9d0a-5a3c1f1e2d3c\n");
        write("proc/sys/kernel/hostname", "Lab-Host\n");

        HostFacts f = HostFacts.read(root);

        assertThat(f.machineId()).isEqualTo("3D1219C7C4C5404AAA1F6D2A48ADFDA4");
        assertThat(f.systemUuid()).as("machine id as a UUID without firmware").isEqualTo("3d1219c7-c4c5-404a-aa1f-6d2a48adfda4");
        assertThat(f.bootId()).isEqualTo("0b5c2a53-8f6e-4a2e-9d0a-5a3c1f1e2d3c");
        assertThat(f.hostname()).isEqualTo("lab-host");
    }

    @Test
    void prefersTheFirmwareUuid() throws Exception {
        write("etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
        write("sys/class/dmi/id/product_uuid", "4C4C4544-0042-3510-8052-B4C04F4E3132\n");
        assertThat(HostFacts.read(root).systemUuid()).isEqualTo("4c4c4544-0042-3510-8052-b4c04f4e3132");
    }

    @Test
    void findsTheDefaultRouteWithTheLowestMetric() {
        List<String> table = List.of(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
                "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
                "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
                "down0\t00000000\t010200C0\t0002\t0\t0\t1\t00000000\t0\t0\t0");
        assertThat(HostFacts.defaultRouteInterface(table)).contains("eth0");
        assertThat(HostFacts.defaultRouteInterface(table.subList(0, 2))).isEmpty();
    }

    @Test
    void theDefaultRouteOfThisMachineHasAnIpv4Address() throws Exception {
        var iface = HostFacts.defaultRouteInterface(Files.readAllLines(Path.of("/proc/net/route")));
        org.junit.jupiter.api.Assumptions.assumeTrue(iface.isPresent(), "this machine has no default IPv4 route");
        assertThat(HostFacts.defaultRouteAddress(Path.of("/proc")))
                .hasValueSatisfying(ip -> assertThat(ip).matches("\\d+\\.\\d+\\.\\d+\\.\\d+"));
    }

    @Test
    void thresholdsOutsideTheirRangeAreRefusedNamingTheSignal() {
        assertThatThrownBy(() -> new EvictionThresholds(100, 110, 15, 0, Duration.ZERO))
                .hasMessage("nodefs.available threshold must be a percentage from 0 to 100, was 110");
        assertThatThrownBy(() -> new EvictionThresholds(-1, 10, 15, 0, Duration.ZERO))
                .hasMessage("memory.available threshold must not be negative, was -1");
    }
}
