package dev.berth.agent.stats;

import dev.berth.core.metrics.Summary;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one reading of the node produced: the machine, its filesystems and the pods'
 * containers. Rates ({@code nanoCores}) are null until two readings exist.
 */
public record StatsSnapshot(Instant time, String nodeName, Instant nodeStartTime, NodeUsage node, Long nodeNanoCores,
                            FsUsage nodeFs, FsUsage imageFs, List<PodEntry> pods, boolean scrapeError) {
    public StatsSnapshot {
        pods = List.copyOf(pods);
    }

    /** A pod: its containers, and its totals (containers plus the sandbox). */
    public record PodEntry(String namespace, String name, String uid, Instant startTime, List<ContainerEntry> containers,
                           ContainerUsage total, Long nanoCores) {
        public PodEntry {
            containers = List.copyOf(containers);
        }
    }

    public record ContainerEntry(String name, Instant startTime, ContainerUsage usage, Long nanoCores) {
    }

    /** The part of the Summary API that core's metrics pipeline reads. */
    public Summary toSummary() {
        String ts = timestamp(time);
        Summary.NodeStats n = new Summary.NodeStats(nodeName, timestamp(nodeStartTime),
                new Summary.CpuStats(ts, nodeNanoCores, node.cpuUsageNanos()),
                new Summary.MemoryStats(ts, node.workingSetBytes(), node.memoryUsageBytes()));
        List<Summary.PodStats> ps = new ArrayList<>();
        for (PodEntry p : pods) {
            List<Summary.ContainerStats> cs = new ArrayList<>();
            for (ContainerEntry c : p.containers()) {
                cs.add(new Summary.ContainerStats(c.name(), timestamp(c.startTime()),
                        new Summary.CpuStats(ts, c.nanoCores(), c.usage().cpuUsageNanos()),
                        new Summary.MemoryStats(ts, c.usage().workingSetBytes(), c.usage().memoryUsageBytes())));
            }
            ps.add(new Summary.PodStats(new Summary.PodReference(p.name(), p.namespace(), p.uid()),
                    timestamp(p.startTime()), cs, new Summary.CpuStats(ts, p.nanoCores(), p.total().cpuUsageNanos()),
                    new Summary.MemoryStats(ts, p.total().workingSetBytes(), p.total().memoryUsageBytes())));
        }
        return new Summary(n, ps);
    }

    /** RFC 3339 in whole seconds, as Kubernetes writes times; null stays null. */
    static String timestamp(Instant at) {
        return at == null ? null : DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    }
}
