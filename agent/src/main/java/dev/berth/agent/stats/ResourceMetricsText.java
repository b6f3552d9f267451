package dev.berth.agent.stats;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * kubelet's {@code /metrics/resource}: the metrics the resource metrics pipeline needs, in the
 * Prometheus text exposition format (0.0.4), with kubelet's names, help texts, labels and
 * sample timestamps (milliseconds since the epoch, the time of the reading).
 */
final class ResourceMetricsText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private ResourceMetricsText() {
    }

    private record Sample(String labels, String value) {
    }

    private static final class Family {
        final String name, help, type;
        final List<Sample> samples = new ArrayList<>();

        Family(String name, String type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        void add(String labels, String value) {
            samples.add(new Sample(labels, value));
        }
    }

    static String render(StatsSnapshot s) {
        String ts = " " + s.time().toEpochMilli();
        Family containerCpu = new Family("container_cpu_usage_seconds_total", "counter",
                "[STABLE] Cumulative cpu time consumed by the container in core-seconds");
        Family containerMem = new Family("container_memory_working_set_bytes", "gauge",
                "[STABLE] Current working set of the container in bytes");
        Family containerStart = new Family("container_start_time_seconds", "gauge",
                "[STABLE] Start time of the container since unix epoch in seconds");
        Family nodeCpu = new Family("node_cpu_usage_seconds_total", "counter",
                "[STABLE] Cumulative cpu time consumed by the node in core-seconds");
        Family nodeMem = new Family("node_memory_working_set_bytes", "gauge",
                "[STABLE] Current working set of the node in bytes");
        Family podCpu = new Family("pod_cpu_usage_seconds_total", "counter",
                "[STABLE] Cumulative cpu time consumed by the pod in core-seconds");
        Family podMem = new Family("pod_memory_working_set_bytes", "gauge",
                "[STABLE] Current working set of the pod in bytes");
        nodeCpu.add("", seconds(s.node().cpuUsageNanos()) + ts);
        nodeMem.add("", s.node().workingSetBytes() + ts);
        for (StatsSnapshot.PodEntry p : s.pods()) {
            String podLabels = "{namespace=\"" + escape(p.namespace()) + "\",pod=\"" + escape(p.name()) + "\"}";
            podCpu.add(podLabels, seconds(p.total().cpuUsageNanos()) + ts);
            podMem.add(podLabels, p.total().workingSetBytes() + ts);
            for (StatsSnapshot.ContainerEntry c : p.containers()) {
                String labels = "{container=\"" + escape(c.name()) + "\",namespace=\"" + escape(p.namespace())
                        + "\",pod=\"" + escape(p.name()) + "\"}";
                containerCpu.add(labels, seconds(c.usage().cpuUsageNanos()) + ts);
                containerMem.add(labels, c.usage().workingSetBytes() + ts);
                if (c.startTime() != null) {
                    long millis = c.startTime().toEpochMilli();
                    containerStart.add(labels, BigDecimal.valueOf(millis).movePointLeft(3).stripTrailingZeros()
                            .toPlainString() + ts);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (Family f : List.of(containerCpu, containerMem, containerStart, nodeCpu, nodeMem, podCpu, podMem)) {
            write(out, f);
        }
        writeScrapeError(out, s.scrapeError());
        return out.toString();
    }

    /** The answer when even the machine could not be read: only the error gauge, set. */
    static String scrapeFailed() {
        StringBuilder out = new StringBuilder();
        writeScrapeError(out, true);
        return out.toString();
    }

    /**
     * kubelet 1.29 renamed {@code scrape_error} to {@code resource_scrape_error}; both are written
     * so that scrapers configured for either name find it.
     */
    private static void writeScrapeError(StringBuilder out, boolean error) {
        Family current = new Family("resource_scrape_error", "gauge",
                "[STABLE] 1 if there was an error while getting container metrics, 0 otherwise");
        current.add("", error ? "1" : "0");
        write(out, current);
        Family old = new Family("scrape_error", "gauge",
                "[ALPHA] (Deprecated since 1.29.0) 1 if there was an error while getting container metrics, 0 otherwise");
        old.add("", error ? "1" : "0");
        write(out, old);
    }

    private static void write(StringBuilder out, Family f) {
        out.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
        out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
        for (Sample s : f.samples) {
            out.append(f.name).append(s.labels()).append(' ').append(s.value()).append('\n');
        }
    }

    private static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    /** Label values escape backslash, double quote and line feed. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
