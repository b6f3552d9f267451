package dev.berth.app.metrics;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.Kinds;
import dev.berth.app.cluster.ResourceKind;
import dev.berth.app.fx.FxTasks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CPU and memory charts of the selected pod, workload or node, for the details pane. One sampler
 * per connection reads the metrics API every {@link #INTERVAL} on a worker; the charts show the
 * selected object's series (the last hour) and say why when there is nothing to show.
 */
public final class MetricsView {
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    public static final int CAPACITY = 360;
    static final Set<String> KINDS = Set.of("Pod", "Node", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob");

    private final ClusterSession session;
    private final FxTasks tasks;
    private final Clock clock;
    private final MetricsSampler sampler;
    private final Label message = new Label();
    private final NumberAxis cpuTime = timeAxis();
    private final NumberAxis memoryTime = timeAxis();
    private final LineChart<Number, Number> cpu = new LineChart<>(cpuTime, new NumberAxis());
    private final LineChart<Number, Number> memory = new LineChart<>(memoryTime, new NumberAxis());
    private final VBox root = new VBox(6, message, cpu, memory);
    private final Timeline ticker;
    private final AtomicBoolean sampling = new AtomicBoolean();
    private SeriesKey shown;

    public MetricsView(ClusterSession session, FxTasks tasks, Clock clock) {
        this(session, tasks, clock, new MetricsSampler(MetricsSource.of(session.client()), clock, INTERVAL, CAPACITY,
                (ns, name) -> workloadsOf(session, ns, name)));
    }

    MetricsView(ClusterSession session, FxTasks tasks, Clock clock, MetricsSampler sampler) {
        this.session = session;
        this.tasks = tasks;
        this.clock = clock;
        this.sampler = sampler;
        message.setId("metrics-message");
        message.getStyleClass().add("metrics-message");
        message.setWrapText(true);
        setUp(cpu, "metrics-cpu", "CPU (millicores)");
        setUp(memory, "metrics-memory", "Memory (MiB)");
        root.setPadding(new Insets(6));
        ticker = new Timeline(new KeyFrame(javafx.util.Duration.seconds(1), e -> tick()));
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
        render();
    }

    private static NumberAxis timeAxis() {
        NumberAxis a = new NumberAxis();
        a.setLabel("minutes ago");
        a.setAutoRanging(false);
        a.setLowerBound(-CAPACITY * INTERVAL.toSeconds() / 60.0);
        a.setUpperBound(0);
        a.setTickUnit(10);
        return a;
    }

    private static void setUp(LineChart<Number, Number> chart, String id, String title) {
        chart.setId(id);
        chart.setTitle(title);
        chart.setAnimated(false);
        chart.setCreateSymbols(false);
        chart.setLegendVisible(false);
        chart.setMinHeight(140);
        chart.setPrefHeight(180);
        VBox.setVgrow(chart, Priority.ALWAYS);
    }

    public Node view() {
        return root;
    }

    public MetricsSampler sampler() {
        return sampler;
    }

    /** Shows the charts of {@code o} (null: nothing selected). */
    public void show(ResourceKind k, GenericKubernetesResource o) {
        shown = o == null || k == null || !KINDS.contains(k.kind()) ? null
                : new SeriesKey(k.kind(), k.namespaced() ? o.getMetadata().getNamespace() : "", o.getMetadata().getName());
        render();
    }

    private void tick() {
        if (sampling.compareAndSet(false, true)) {
            tasks.run(sampler::sampleIfDue).onDone(() -> {
                sampling.set(false);
                render();
            }).start();
        }
    }

    /** What the message line says now. */
    public String message() {
        return message.getText();
    }

    private void render() {
        String why = sampler.unavailable();
        List<MetricsSampler.Sample> samples = shown == null ? List.of() : sampler.series(shown);
        if (shown == null) {
            message.setText("CPU and memory are charted for pods, workloads and nodes");
        } else if (why != null && samples.isEmpty()) {
            message.setText(why);
        } else if (samples.isEmpty()) {
            message.setText(sampler.lastSample() == null ? "Waiting for the first sample from the metrics API…"
                    : "No metrics for " + shown.kind() + " " + shown.name() + " yet (it has no running pods, or the metrics API has not measured it)");
        } else {
            message.setText((why != null ? why + " " : "") + "Sampled every " + sampler.interval().toSeconds() + " s; latest "
                    + String.format("%.0f millicores, %.1f MiB", samples.getLast().cpuCores() * 1000,
                    samples.getLast().memoryBytes() / (1 << 20)));
        }
        boolean hasData = !samples.isEmpty();
        cpu.setVisible(hasData);
        cpu.setManaged(hasData);
        memory.setVisible(hasData);
        memory.setManaged(hasData);
        Instant now = clock.instant();
        cpu.getData().setAll(series(samples, now, s -> s.cpuCores() * 1000));
        memory.getData().setAll(series(samples, now, s -> s.memoryBytes() / (1 << 20)));
    }

    private static List<XYChart.Series<Number, Number>> series(List<MetricsSampler.Sample> samples, Instant now,
                                                               java.util.function.ToDoubleFunction<MetricsSampler.Sample> value) {
        if (samples.isEmpty()) {
            return List.of();
        }
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        List<XYChart.Data<Number, Number>> points = new ArrayList<>(samples.size());
        for (MetricsSampler.Sample x : samples) {
            points.add(new XYChart.Data<>(-Duration.between(x.time(), now).toMillis() / 60_000.0, value.applyAsDouble(x)));
        }
        s.getData().setAll(points);
        return List.of(s);
    }

    /** The workloads a pod belongs to, up its controller chain (ReplicaSet, then Deployment; Job, then CronJob). */
    static List<SeriesKey> workloadsOf(ClusterSession session, String namespace, String pod) {
        List<SeriesKey> out = new ArrayList<>();
        if (session.isClosed()) {
            return out;
        }
        GenericKubernetesResource o = session.cache(Kinds.POD).get(namespace, pod);
        for (int depth = 0; o != null && depth < 3; depth++) {
            OwnerReference c = controller(o);
            if (c == null || !KINDS.contains(c.getKind())) {
                break;
            }
            out.add(new SeriesKey(c.getKind(), namespace, c.getName()));
            ResourceKind next = switch (c.getKind()) {
                case "ReplicaSet" -> Kinds.REPLICA_SET;
                case "Job" -> Kinds.JOB;
                default -> null;
            };
            o = next == null ? null : session.cache(next).get(namespace, c.getName());
        }
        return out;
    }

    private static OwnerReference controller(GenericKubernetesResource o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs != null) {
            for (OwnerReference r : refs) {
                if (Boolean.TRUE.equals(r.getController())) {
                    return r;
                }
            }
        }
        return null;
    }

    public void close() {
        ticker.stop();
    }
}
