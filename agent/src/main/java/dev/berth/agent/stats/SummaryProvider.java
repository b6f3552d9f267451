package dev.berth.agent.stats;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.server.GetHandler;
import dev.berth.core.metrics.Summary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The node's resource usage as kubelet's Summary API reports it, read from cgroups and /proc on
 * demand. CPU rates ({@code usageNanoCores}) come from the change of the cumulative counters
 * between this reading and the previous one, over the injected clock's time; a reading taken at
 * the same instant as the previous one reuses the previous rate.
 */
public final class SummaryProvider {
    private static final Logger log = LoggerFactory.getLogger(SummaryProvider.class);
    private static final String NODE_KEY = "\0node";

    private final String nodeName;
    private final ContainerRuntime runtime;
    private final CgroupStats cgroups;
    private final Path dataDir;
    private final Path imageDir;
    private final Clock clock;
    private final Map<String, CpuPoint> lastCpu = new HashMap<>();

    private record CpuPoint(Instant time, long nanos, Long rate) {
    }

    /**
     * @param dataDir  the agent's data directory (nodefs)
     * @param imageDir the runtime's data directory (imagefs), e.g. /var/lib/docker
     */
    public SummaryProvider(String nodeName, ContainerRuntime runtime, CgroupStats cgroups, Path dataDir, Path imageDir,
                           Clock clock) {
        this.nodeName = nodeName;
        this.runtime = runtime;
        this.cgroups = cgroups;
        this.dataDir = dataDir;
        this.imageDir = imageDir;
        this.clock = clock;
    }

    /** Reads the node now. Only a failure to read the machine itself throws; a container that cannot be read is left out and flagged. */
    public synchronized StatsSnapshot snapshot() throws IOException {
        Instant now = clock.instant();
        NodeUsage node = cgroups.node();
        Set<String> seen = new HashSet<>();
        Long nodeRate = rate(NODE_KEY, now, node.cpuUsageNanos(), seen);
        FsUsage nodeFs = FsUsage.of(dataDir);
        FsUsage imageFs = FsUsage.of(imageDir);
        boolean error = false;
        List<ContainerInfo> containers;
        try {
            containers = runtime.listContainers(Map.of());
        } catch (RuntimeException e) {
            log.warn("stats: could not list the containers of node {}: {}", nodeName, e.toString());
            containers = List.of();
            error = true;
        }
        Map<String, List<ContainerInfo>> byPod = new LinkedHashMap<>();
        for (ContainerInfo c : containers) {
            if (c.state() == ContainerState.RUNNING && c.pid() > 0 && !c.label(RuntimeLabels.POD_UID).isEmpty()) {
                byPod.computeIfAbsent(c.label(RuntimeLabels.POD_UID), k -> new ArrayList<>()).add(c);
            }
        }
        List<StatsSnapshot.PodEntry> pods = new ArrayList<>();
        for (var e : byPod.entrySet()) {
            List<StatsSnapshot.ContainerEntry> entries = new ArrayList<>();
            long cpu = 0, usage = 0, ws = 0, rss = 0, faults = 0, major = 0;
            Long podRate = null;
            Instant podStart = null;
            boolean sandboxSeen = false;
            ContainerInfo any = e.getValue().getFirst();
            for (ContainerInfo c : e.getValue()) {
                boolean sandbox = RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE));
                Instant started = c.startedAt() != null ? c.startedAt() : c.createdAt();
                // the pod started with its sandbox; without one, with its first container
                if (sandbox) {
                    podStart = started;
                    sandboxSeen = true;
                } else if (!sandboxSeen && started != null && (podStart == null || started.isBefore(podStart))) {
                    podStart = started;
                }
                Optional<ContainerUsage> read;
                try {
                    read = cgroups.container(c.pid());
                } catch (IOException | RuntimeException ex) {
                    log.warn("stats: could not read the cgroup of container {} (pid {}): {}", c.name(), c.pid(), ex.toString());
                    error = true;
                    continue;
                }
                if (read.isEmpty()) {
                    continue; // it exited since the listing
                }
                ContainerUsage u = read.get();
                Long r = rate(c.id(), now, u.cpuUsageNanos(), seen);
                if (r != null) {
                    podRate = (podRate == null ? 0 : podRate) + r;
                }
                cpu += u.cpuUsageNanos();
                usage += u.memoryUsageBytes();
                ws += u.workingSetBytes();
                rss += u.rssBytes();
                faults += u.pageFaults();
                major += u.majorPageFaults();
                if (!sandbox && !c.label(RuntimeLabels.CONTAINER_NAME).isEmpty()) {
                    entries.add(new StatsSnapshot.ContainerEntry(c.label(RuntimeLabels.CONTAINER_NAME),
                            c.startedAt() != null ? c.startedAt() : c.createdAt(), u, r));
                }
            }
            pods.add(new StatsSnapshot.PodEntry(any.label(RuntimeLabels.POD_NAMESPACE), any.label(RuntimeLabels.POD_NAME),
                    e.getKey(), podStart, entries, new ContainerUsage(cpu, usage, ws, rss, faults, major), podRate));
        }
        lastCpu.keySet().retainAll(seen);
        Instant nodeStart = node.bootTimeEpochSecond() > 0 ? Instant.ofEpochSecond(node.bootTimeEpochSecond()) : null;
        return new StatsSnapshot(now, nodeName, nodeStart, node, nodeRate, nodeFs, imageFs, pods, error);
    }

    /** The Summary as core's metrics pipeline reads it. */
    public Summary summary() throws IOException {
        return snapshot().toSummary();
    }

    private Long rate(String key, Instant now, long nanos, Set<String> seen) {
        seen.add(key);
        CpuPoint last = lastCpu.get(key);
        Long rate = null;
        if (last != null) {
            long dt = Duration.between(last.time(), now).toNanos();
            if (dt <= 0) {
                lastCpu.put(key, last);
                return last.rate();
            }
            long used = nanos - last.nanos();
            // a counter that went backwards was reset (a restarted container): no rate this time
            rate = used < 0 ? null : (long) (used * 1e9 / dt);
        }
        lastCpu.put(key, new CpuPoint(now, nanos, rate));
        return rate;
    }

    /** {@code GET /stats/summary}: the Summary API as kubelet writes it. */
    public GetHandler summaryHandler() {
        return (path, query) -> GetHandler.Response.json(SummaryJson.bytes(snapshot()));
    }

    /** {@code GET /metrics/resource}: kubelet's resource metrics in the Prometheus text format. */
    public GetHandler resourceMetricsHandler() {
        return (path, query) -> {
            StatsSnapshot s;
            try {
                s = snapshot();
            } catch (IOException e) {
                log.warn("stats: could not read node {}: {}", nodeName, e.toString());
                return new GetHandler.Response(200, ResourceMetricsText.CONTENT_TYPE,
                        ResourceMetricsText.scrapeFailed().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return new GetHandler.Response(200, ResourceMetricsText.CONTENT_TYPE,
                    ResourceMetricsText.render(s).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        };
    }
}
