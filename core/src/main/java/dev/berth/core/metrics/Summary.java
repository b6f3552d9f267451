package dev.berth.core.metrics;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * The parts of the kubelet Summary API ({@code GET /stats/summary}) that resource metrics need.
 * Node agents and simulated nodes serve it; the scraper reads it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Summary(NodeStats node, List<PodStats> pods) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NodeStats(String nodeName, String startTime, CpuStats cpu, MemoryStats memory) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PodStats(PodReference podRef, String startTime, List<ContainerStats> containers, CpuStats cpu,
                           MemoryStats memory) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PodReference(String name, String namespace, String uid) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ContainerStats(String name, String startTime, CpuStats cpu, MemoryStats memory) {
    }

    /** {@code usageNanoCores} is the rate; {@code usageCoreNanoSeconds} the cumulative counter. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CpuStats(String time, Long usageNanoCores, Long usageCoreNanoSeconds) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MemoryStats(String time, Long workingSetBytes, Long usageBytes) {
    }
}
