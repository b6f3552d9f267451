package dev.berth.agent.node;

import dev.berth.agent.stats.CgroupStats;
import dev.berth.agent.stats.FsUsage;
import dev.berth.agent.stats.NodeUsage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The eviction signals kubelet judges node pressure by, read at one moment.
 *
 * @param memoryAvailableBytes memory capacity minus the working set (memory.available)
 * @param nodefsAvailableBytes free space of the agent's data directory's filesystem (nodefs.available)
 * @param imagefsAvailableBytes free space of the runtime's filesystem (imagefs.available)
 * @param pidAvailable         pid_max minus the running tasks (pid.available)
 */
public record NodeReadings(long memoryAvailableBytes, long memoryCapacityBytes, long nodefsAvailableBytes,
                           long nodefsCapacityBytes, long imagefsAvailableBytes, long imagefsCapacityBytes,
                           long pidAvailable, long maxPid) {

    /** Where readings come from; tests inject their own. */
    @FunctionalInterface
    public interface Source {
        NodeReadings read() throws IOException;
    }

    /** The machine's readings from /proc and the two filesystems. */
    public static Source host(CgroupStats cgroups, Path dataDir, Path imageDir) {
        return () -> {
            NodeUsage n = cgroups.node();
            FsUsage nodefs = FsUsage.of(dataDir);
            FsUsage imagefs = FsUsage.of(imageDir);
            return new NodeReadings(n.memoryAvailableBytes(), n.memoryTotalBytes(), nodefs.availableBytes(),
                    nodefs.capacityBytes(), imagefs.availableBytes(), imagefs.capacityBytes(),
                    Math.max(0, n.maxPid() - n.processes()), n.maxPid());
        };
    }
}
