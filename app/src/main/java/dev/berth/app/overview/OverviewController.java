package dev.berth.app.overview;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.Kinds;
import dev.berth.app.cluster.ResourceCache;
import dev.berth.app.fx.FxTasks;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The overview: nodes and their health, pods by phase, workloads not at their desired state,
 * recent warnings, and CPU and memory use from the metrics API when the cluster serves it.
 * Recomputed at most once a second, off the FX thread, however fast the watches deliver.
 */
public final class OverviewController {
    private final ClusterSession session;
    private final FxTasks tasks;
    private final VBox root = new VBox(12);
    private final Label nodes = new Label("…");
    private final Label nodesDetail = new Label();
    private final GridPane phases = new GridPane(12, 4);
    private final ListView<String> lagging = new ListView<>();
    private final ListView<String> warnings = new ListView<>();
    private final ProgressBar cpuBar = new ProgressBar(0);
    private final ProgressBar memBar = new ProgressBar(0);
    private final Label cpu = new Label("Metrics API not checked yet");
    private final Label mem = new Label();
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private final Timeline ticker;
    private int metricsTick;
    private OverviewModel last;

    public OverviewController(ClusterSession session, FxTasks tasks) {
        this.session = session;
        this.tasks = tasks;
        nodes.setId("overview-nodes");
        nodes.getStyleClass().add("title-2");
        phases.setId("overview-phases");
        lagging.setId("overview-lagging");
        lagging.setPlaceholder(new Label("Every workload is at its desired state"));
        lagging.setPrefHeight(150);
        warnings.setId("overview-warnings");
        warnings.setPlaceholder(new Label("No warnings"));
        warnings.setPrefHeight(180);
        cpu.setId("overview-cpu");
        cpuBar.setPrefWidth(220);
        memBar.setPrefWidth(220);
        VBox nodeCard = card("Nodes", nodes, nodesDetail);
        VBox podCard = card("Pods by phase", phases);
        VBox usageCard = card("CPU and memory", new HBox(8, new Label("CPU"), cpuBar), cpu,
                new HBox(8, new Label("Memory"), memBar), mem);
        FlowPane cards = new FlowPane(12, 12, nodeCard, podCard, usageCard);
        root.getChildren().addAll(cards, card("Workloads not at their desired state", lagging),
                card("Recent warnings", warnings));
        root.setPadding(new Insets(12));
        root.setId("overview");
        for (var k : List.of(Kinds.NODE, Kinds.POD, Kinds.DEPLOYMENT, Kinds.STATEFUL_SET, Kinds.DAEMON_SET, Kinds.EVENT)) {
            ResourceCache c = session.cache(k);
            c.addListener(ch -> dirty.set(true));
        }
        ticker = new Timeline(new KeyFrame(Duration.seconds(1), e -> tick()));
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
        tick();
    }

    private static VBox card(String title, Node... content) {
        Label t = new Label(title);
        t.getStyleClass().add("title-4");
        VBox v = new VBox(6, t);
        v.getChildren().addAll(content);
        v.getStyleClass().add("overview-card");
        v.setPadding(new Insets(10));
        v.setMinWidth(260);
        return v;
    }

    public Node view() {
        ScrollPane sp = new ScrollPane(root);
        sp.setFitToWidth(true);
        return sp;
    }

    public OverviewModel last() {
        return last;
    }

    private void tick() {
        if (dirty.getAndSet(false)) {
            tasks.run(() -> OverviewModel.compute(session.cache(Kinds.NODE).list(), session.cache(Kinds.POD).list(),
                            session.cache(Kinds.DEPLOYMENT).list(), session.cache(Kinds.STATEFUL_SET).list(),
                            session.cache(Kinds.DAEMON_SET).list(), session.cache(Kinds.EVENT).list(), 20))
                    .onSuccess(this::show)
                    .start();
        }
        if (metricsTick-- <= 0) {
            metricsTick = 15;
            tasks.run(this::usage).onSuccess(u -> {
                cpuBar.setProgress(u[1] > 0 ? u[0] / u[1] : 0);
                memBar.setProgress(u[3] > 0 ? u[2] / u[3] : 0);
                cpu.setText(String.format("%.2f of %.0f cores in use", u[0], u[1]));
                mem.setText(String.format("%.1f of %.1f GiB in use", u[2] / (1 << 30), u[3] / (1 << 30)));
            }).onFailure(e -> {
                cpu.setText("No metrics: the cluster serves no metrics API (metrics.k8s.io)");
                mem.setText("");
            }).start();
        }
    }

    /** cpu used, cpu capacity (cores), memory used, memory capacity (bytes). */
    private double[] usage() {
        List<NodeMetrics> metrics = session.client().top().nodes().metrics().getItems();
        double cpuUsed = 0;
        double memUsed = 0;
        for (NodeMetrics m : metrics) {
            cpuUsed += amount(m.getUsage().get("cpu"));
            memUsed += amount(m.getUsage().get("memory"));
        }
        double cpuCap = 0;
        double memCap = 0;
        for (var n : session.cache(Kinds.NODE).list()) {
            Map<String, Object> cap = n.get("status", "capacity");
            if (cap != null) {
                cpuCap += amount(cap.get("cpu") == null ? null : new Quantity(cap.get("cpu").toString()));
                memCap += amount(cap.get("memory") == null ? null : new Quantity(cap.get("memory").toString()));
            }
        }
        return new double[] {cpuUsed, cpuCap, memUsed, memCap};
    }

    private static double amount(Quantity q) {
        if (q == null) {
            return 0;
        }
        BigDecimal v = q.getNumericalAmount();
        return v.doubleValue();
    }

    private void show(OverviewModel m) {
        last = m;
        nodes.setText(m.nodesReady() + " of " + m.nodes() + " ready");
        nodesDetail.setText(m.nodesNotReady().isEmpty() ? (m.nodes() == 0 ? "No nodes yet: add one or start simulated nodes" : "All nodes ready")
                : "Not ready: " + String.join(", ", m.nodesNotReady().subList(0, Math.min(8, m.nodesNotReady().size())))
                + (m.nodesNotReady().size() > 8 ? ", …" : ""));
        phases.getChildren().clear();
        int row = 0;
        for (Map.Entry<String, Integer> e : m.podsByPhase().entrySet()) {
            Label name = new Label(e.getKey());
            Label n = new Label(String.valueOf(e.getValue()));
            n.setId("phase-" + e.getKey());
            n.getStyleClass().add("text-bold");
            phases.addRow(row++, name, n);
        }
        lagging.getItems().setAll(m.notAtDesiredState());
        warnings.getItems().setAll(m.recentWarnings());
    }

    public void close() {
        ticker.stop();
    }
}
