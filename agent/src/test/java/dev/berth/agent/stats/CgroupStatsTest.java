package dev.berth.agent.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CgroupStatsTest {
    @TempDir
    Path root;

    @Test
    void readsAV1ContainerFromItsCpuacctAndMemoryHierarchies() throws Exception {
        var f = new CgroupFixtures(root).v1Container(4242, "abc123", 5_000_000_000L, 10_000_000, 3_000_000, 6_000_000);

        assertThat(f.stats().version()).isEqualTo(1);
        assertThat(f.stats().container(4242)).hasValueSatisfying(u -> {
            assertThat(u.cpuUsageNanos()).isEqualTo(5_000_000_000L);
            assertThat(u.memoryUsageBytes()).isEqualTo(10_000_000);
            assertThat(u.workingSetBytes()).as("usage minus total_inactive_file").isEqualTo(7_000_000);
            assertThat(u.rssBytes()).isEqualTo(6_000_000);
            assertThat(u.pageFaults()).isEqualTo(1234);
            assertThat(u.majorPageFaults()).isEqualTo(12);
        });
    }

    @Test
    void readsAV1ContainerWhereCpuAndCpuacctShareAHierarchy() throws Exception {
        var f = new CgroupFixtures(root);
        CgroupFixtures.write(f.proc.resolve("77/cgroup"), "4:memory:/kubepods/pod1/c1\n3:cpu,cpuacct:/kubepods/pod1/c1\n");
        CgroupFixtures.write(f.cgroup.resolve("cpu,cpuacct/kubepods/pod1/c1/cpuacct.usage"), "123\n");
        CgroupFixtures.write(f.cgroup.resolve("memory/kubepods/pod1/c1/memory.usage_in_bytes"), "4096\n");
        CgroupFixtures.write(f.cgroup.resolve("memory/kubepods/pod1/c1/memory.stat"), "inactive_file 8192\nrss 100\n");

        assertThat(f.stats().container(77)).hasValueSatisfying(u -> {
            assertThat(u.cpuUsageNanos()).isEqualTo(123);
            assertThat(u.workingSetBytes()).as("never below zero").isZero();
            assertThat(u.rssBytes()).as("falls back to rss without hierarchy totals").isEqualTo(100);
        });
    }

    @Test
    void readsAV2ContainerFromTheUnifiedHierarchy() throws Exception {
        var f = new CgroupFixtures(root).v2Container(5151, "def456", 2_500_000, 20_000_000, 4_000_000, 12_000_000);

        assertThat(f.stats().version()).isEqualTo(2);
        assertThat(f.stats().container(5151)).hasValueSatisfying(u -> {
            assertThat(u.cpuUsageNanos()).as("usage_usec in nanoseconds").isEqualTo(2_500_000_000L);
            assertThat(u.memoryUsageBytes()).isEqualTo(20_000_000);
            assertThat(u.workingSetBytes()).isEqualTo(16_000_000);
            assertThat(u.rssBytes()).as("anon").isEqualTo(12_000_000);
            assertThat(u.pageFaults()).isEqualTo(777);
            assertThat(u.majorPageFaults()).isEqualTo(7);
        });
    }

    @Test
    void aProcessThatIsGoneHasNoUsage() throws Exception {
        var f = new CgroupFixtures(root).node(1, 1);
        assertThat(f.stats().container(999)).isEmpty();
        assertThatThrownBy(() -> f.stats().container(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pid must be positive, was 0");
    }

    @Test
    void aCgroupFileThatIsNotANumberIsAnErrorNamingTheFile() {
        var f = new CgroupFixtures(root).v1Container(4242, "abc", 1, 1, 0, 0);
        CgroupFixtures.write(f.cgroup.resolve("cpuacct/docker/abc/cpuacct.usage"), "garbage\n");
        assertThatThrownBy(() -> f.stats().container(4242)).hasMessageContaining("cpuacct.usage")
                .hasMessageContaining("\"garbage\", not a number");
    }

    @Test
    void readsTheMachineFromProc() throws Exception {
        var f = new CgroupFixtures(root).node(1000, 500);

        NodeUsage n = f.stats().node();

        assertThat(n.cpuUsageNanos()).as("user+system+softirq ticks at 100 Hz").isEqualTo((1000 + 500 + 100) * 10_000_000L);
        assertThat(n.memoryTotalBytes()).isEqualTo(4L << 30);
        assertThat(n.memoryUsageBytes()).isEqualTo(3L << 30);
        assertThat(n.workingSetBytes()).isEqualTo((3L << 30) - (256L << 20));
        assertThat(n.memoryAvailableBytes()).isEqualTo((1L << 30) + (256L << 20));
        assertThat(n.rssBytes()).isEqualTo(1536L << 20);
        assertThat(n.pageFaults()).isEqualTo(987654);
        assertThat(n.majorPageFaults()).isEqualTo(321);
        assertThat(n.maxPid()).isEqualTo(4194304);
        assertThat(n.processes()).isEqualTo(412);
        assertThat(n.bootTimeEpochSecond()).isEqualTo(1796183341L);
    }

    @Test
    void readsThisMachine() throws Exception {
        NodeUsage n = CgroupStats.host().node();
        assertThat(n.memoryTotalBytes()).isPositive();
        assertThat(n.workingSetBytes()).isPositive().isLessThanOrEqualTo(n.memoryTotalBytes());
        assertThat(n.cpuUsageNanos()).isPositive();
        assertThat(n.maxPid()).isPositive();
    }
}
