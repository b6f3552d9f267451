package dev.berth.agent.stats;

/**
 * The machine's readings.
 *
 * @param cpuUsageNanos       cumulative busy CPU time of all CPUs (user, nice, system, irq, softirq, steal)
 * @param memoryTotalBytes    MemTotal
 * @param memoryAvailableBytes total minus working set, as kubelet's memory.available signal
 * @param memoryUsageBytes    total minus free
 * @param workingSetBytes     usage minus inactive file pages
 * @param rssBytes            anonymous pages
 * @param pageFaults          cumulative page faults (/proc/vmstat pgfault)
 * @param majorPageFaults     cumulative major page faults
 * @param maxPid              /proc/sys/kernel/pid_max
 * @param processes           tasks on the machine now (/proc/loadavg)
 * @param bootTimeEpochSecond when the machine booted
 */
public record NodeUsage(long cpuUsageNanos, long memoryTotalBytes, long memoryAvailableBytes, long memoryUsageBytes,
                        long workingSetBytes, long rssBytes, long pageFaults, long majorPageFaults, long maxPid,
                        long processes, long bootTimeEpochSecond) {
}
