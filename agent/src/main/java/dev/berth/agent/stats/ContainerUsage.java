package dev.berth.agent.stats;

/**
 * One container's cgroup readings, as cAdvisor reads them.
 *
 * @param cpuUsageNanos    cumulative CPU time in nanoseconds
 * @param memoryUsageBytes memory usage including page cache
 * @param workingSetBytes  usage minus inactive file pages (never below zero): what eviction and
 *                         {@code kubectl top} use
 * @param rssBytes         anonymous memory
 * @param pageFaults       cumulative page faults
 * @param majorPageFaults  cumulative major page faults
 */
public record ContainerUsage(long cpuUsageNanos, long memoryUsageBytes, long workingSetBytes, long rssBytes,
                             long pageFaults, long majorPageFaults) {
}
