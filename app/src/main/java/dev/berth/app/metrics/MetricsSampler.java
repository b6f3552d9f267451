package dev.berth.app.metrics;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * CPU and memory over time per node, pod and workload, sampled from the metrics API every
 * {@code interval} into one bounded ring buffer per series. A workload's sample is the sum of its
 * pods' samples of the same round. When the metrics API cannot be read (404: the cluster serves
 * none; 503: not ready yet; or any other failure) the round adds nothing and {@link #unavailable()}
 * says why, until a later round succeeds. A series whose object was not in the last round stops
 * growing and is dropped once all its samples are older than the buffer's span.
 * Thread-safe: {@link #sampleIfDue()} runs on a worker, views read the series from the FX thread.
 */
public final class MetricsSampler {
    /** One measurement: CPU in cores, memory in bytes. */
    public record Sample(Instant time, double cpuCores, double memoryBytes) {}

    private final MetricsSource source;
    private final Clock clock;
    private final Duration interval;
    private final int capacity;
    private final BiFunction<String, String, List<SeriesKey>> workloadsOfPod;
    private final Map<SeriesKey, RingBuffer<Sample>> series = new HashMap<>();
    private Instant nextDue;
    private volatile String unavailable;
    private volatile Instant lastSample;

    /**
     * @param workloadsOfPod the workloads a pod (namespace, name) belongs to, e.g. its ReplicaSet and that one's Deployment
     */
    public MetricsSampler(MetricsSource source, Clock clock, Duration interval, int capacity,
                          BiFunction<String, String, List<SeriesKey>> workloadsOfPod) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: must be positive, was " + interval);
        }
        this.interval = interval;
        this.capacity = capacity;
        this.workloadsOfPod = Objects.requireNonNull(workloadsOfPod, "workloadsOfPod");
        new RingBuffer<>(capacity); // checks the capacity
    }

    public Duration interval() {
        return interval;
    }

    /** Takes a sample when the interval has passed since the last round (or none was taken); true if it tried. */
    public boolean sampleIfDue() {
        Instant now = clock.instant();
        synchronized (this) {
            if (nextDue != null && now.isBefore(nextDue)) {
                return false;
            }
            nextDue = now.plus(interval);
        }
        sample(now);
        return true;
    }

    private void sample(Instant now) {
        List<NodeMetrics> nodes;
        List<PodMetrics> pods;
        try {
            nodes = source.nodes();
            pods = source.pods();
        } catch (KubernetesClientException e) {
            unavailable = why(e);
            return;
        } catch (RuntimeException e) {
            unavailable = "Cannot read the metrics API (metrics.k8s.io): " + e.getMessage();
            return;
        }
        Map<SeriesKey, double[]> round = new HashMap<>();
        for (NodeMetrics n : nodes) {
            round.put(SeriesKey.node(n.getMetadata().getName()), new double[] {
                    amount(n.getUsage().get("cpu")), amount(n.getUsage().get("memory"))});
        }
        for (PodMetrics p : pods) {
            double cpu = 0;
            double memory = 0;
            for (ContainerMetrics c : p.getContainers()) {
                cpu += amount(c.getUsage().get("cpu"));
                memory += amount(c.getUsage().get("memory"));
            }
            String ns = p.getMetadata().getNamespace();
            String name = p.getMetadata().getName();
            round.put(SeriesKey.pod(ns, name), new double[] {cpu, memory});
            for (SeriesKey w : new LinkedHashSet<>(workloadsOfPod.apply(ns, name))) {
                double[] sum = round.computeIfAbsent(w, k -> new double[2]);
                sum[0] += cpu;
                sum[1] += memory;
            }
        }
        synchronized (this) {
            for (Map.Entry<SeriesKey, double[]> e : round.entrySet()) {
                series.computeIfAbsent(e.getKey(), k -> new RingBuffer<>(capacity))
                        .add(new Sample(now, e.getValue()[0], e.getValue()[1]));
            }
            Instant horizon = now.minus(interval.multipliedBy(capacity));
            series.values().removeIf(b -> b.toList().getLast().time().isBefore(horizon));
        }
        unavailable = null;
        lastSample = now;
    }

    static String why(KubernetesClientException e) {
        return switch (e.getCode()) {
            case 404 -> "No metrics: the cluster serves no metrics API (metrics.k8s.io answered 404 Not Found). "
                    + "Berth's own control plane serves it; on other clusters install metrics-server.";
            case 503 -> "No metrics yet: the metrics API is not available (503 Service Unavailable); it is tried again every sampling round.";
            case 401, 403 -> "No metrics: not allowed to read metrics.k8s.io (" + e.getCode() + ")";
            default -> "Cannot read the metrics API (metrics.k8s.io): "
                    + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage());
        };
    }

    private static double amount(Quantity q) {
        return q == null ? 0 : q.getNumericalAmount().doubleValue();
    }

    /** The samples of {@code key}, oldest first; empty when there are none. */
    public synchronized List<Sample> series(SeriesKey key) {
        RingBuffer<Sample> b = series.get(key);
        return b == null ? List.of() : b.toList();
    }

    public synchronized Set<SeriesKey> keys() {
        return Set.copyOf(series.keySet());
    }

    /** Why the last round added nothing, or null when it succeeded (or none ran yet). */
    public String unavailable() {
        return unavailable;
    }

    /** When the last successful round was taken, or null. */
    public Instant lastSample() {
        return lastSample;
    }
}
