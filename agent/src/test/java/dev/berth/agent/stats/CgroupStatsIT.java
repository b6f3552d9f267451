package dev.berth.agent.stats;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.testing.InfoRuntime;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.metrics.Summary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The cgroups of a real busybox container, read as the agent reads them. */
class CgroupStatsIT {
    private static final String PREFIX = TestDocker.runPrefix();
    private static String id;
    private static long pid;

    @TempDir
    Path data;

    @BeforeAll
    static void startContainer() throws Exception {
        String image = TestDocker.busybox();
        // allocates about 8 MiB in a shell variable, then keeps it while spinning a little CPU now and then
        TestDocker.Result run = TestDocker.docker("run", "-d", "--name", PREFIX + "stats", image, "sh", "-c",
                "x=$(head -c 8388608 /dev/zero | tr '\\0' a); i=0; while true; do i=$((i+1)); if [ $((i % 2000)) = 0 ]; then sleep 1; fi; done");
        assertThat(run.exit()).as(run.output()).isZero();
        id = run.output().strip();
        TestDocker.Result inspect = TestDocker.docker("inspect", "--format", "{{.State.Pid}}", id);
        pid = Long.parseLong(inspect.output().strip());
        assertThat(pid).isPositive();
    }

    @AfterAll
    static void removeContainers() {
        TestDocker.removeAll(PREFIX);
    }

    @Test
    void aRunningContainersCgroupHasMemoryAndCpu() throws Exception {
        CgroupStats stats = CgroupStats.host();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stats.container(pid))
                .hasValueSatisfying(u -> {
                    assertThat(u.memoryUsageBytes()).isGreaterThan(1 << 20);
                    assertThat(u.workingSetBytes()).isPositive().isLessThanOrEqualTo(u.memoryUsageBytes());
                    assertThat(u.rssBytes()).isPositive();
                    assertThat(u.cpuUsageNanos()).isPositive();
                    assertThat(u.pageFaults()).isPositive();
                }));
    }

    @Test
    void theSummaryReportsTheContainerUnderItsPod() throws Exception {
        InfoRuntime runtime = new InfoRuntime("n1");
        runtime.containers.add(new ContainerInfo(id, PREFIX + "stats", TestDocker.BUSYBOX, "sha256:x",
                Map.of(RuntimeLabels.POD_UID, "u1", RuntimeLabels.POD_NAMESPACE, "default", RuntimeLabels.POD_NAME, "busy",
                        RuntimeLabels.CONTAINER_NAME, "main", RuntimeLabels.ROLE, RuntimeLabels.ROLE_APP),
                ContainerState.RUNNING, 0, false, "", Instant.now(), Instant.now(), null, "", pid));
        FakeClock clock = new FakeClock(Instant.now());
        SummaryProvider provider = new SummaryProvider("n1", runtime, CgroupStats.host(), data, data, clock);
        provider.summary();
        clock.advance(Duration.ofSeconds(10));

        Summary s = provider.summary();

        Summary.ContainerStats main = s.pods().getFirst().containers().getFirst();
        assertThat(main.name()).isEqualTo("main");
        assertThat(main.memory().workingSetBytes()).isPositive();
        assertThat(main.cpu().usageCoreNanoSeconds()).isPositive();
        assertThat(main.cpu().usageNanoCores()).isNotNull().isNotNegative();
        assertThat(s.node().memory().workingSetBytes()).isPositive();
    }
}
