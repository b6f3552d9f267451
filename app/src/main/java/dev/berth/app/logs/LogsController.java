package dev.berth.app.logs;

import dev.berth.app.fx.FxBatcher;
import dev.berth.app.fx.FxTasks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.Loggable;
import io.fabric8.kubernetes.client.dsl.TimeTailPrettyLoggable;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;
import javafx.stage.FileChooser;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Logs of a pod, or of a whole workload with its pods' lines merged: container choice (or all
 * containers), follow, timestamps, the previous instance, a search that keeps only matching
 * lines, and Save…. Lines are read with the runtime's timestamps and kept in time order, so lines
 * of several pods and containers interleave as they happened; each then carries a
 * {@code [pod/container]} tag. A followed workload picks up pods that start later. Lines arrive
 * through an {@link FxBatcher}, and the list keeps the last {@value #MAX_LINES}.
 */
public final class LogsController {
    static final int MAX_LINES = 50_000;
    static final String ALL_CONTAINERS = "All containers";
    private static final int TAIL = 2000;

    private final KubernetesClient client;
    private final FxTasks tasks;
    private final String namespace;
    private final String kind;
    private final String name;
    /** The pods' label selector for a workload; null for a pod. */
    private final Map<String, String> selector;
    private final ObservableList<LogLine> lines = FXCollections.observableArrayList();
    private final FilteredList<LogLine> shown = new FilteredList<>(lines);
    private final ListView<LogLine> list = new ListView<>(shown);
    private final ChoiceBox<String> container = new ChoiceBox<>();
    private final CheckBox follow = new CheckBox("Follow");
    private final CheckBox timestamps = new CheckBox("Timestamps");
    private final CheckBox previous = new CheckBox("Previous instance");
    private final TextField search = new TextField();
    private final Label status = new Label();
    private final BorderPane root = new BorderPane();
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final Set<String> streaming = ConcurrentHashMap.newKeySet();
    private volatile int generation;

    public LogsController(KubernetesClient client, FxTasks tasks, GenericKubernetesResource target) {
        this.client = client;
        this.tasks = tasks;
        this.namespace = target.getMetadata().getNamespace();
        this.kind = target.getKind();
        this.name = target.getMetadata().getName();
        this.selector = "Pod".equals(kind) ? null : selectorOf(target);
        List<String> names = containerNames(target);
        if (names.size() > 1) {
            container.getItems().add(ALL_CONTAINERS);
        }
        container.getItems().addAll(names);
        if (!container.getItems().isEmpty()) {
            container.setValue(container.getItems().getFirst());
        }
        follow.setSelected(true);
        search.setPromptText("Search");
        search.setId("logs-search");
        follow.setId("logs-follow");
        timestamps.setId("logs-timestamps");
        previous.setId("logs-previous");
        list.setId("logs-lines");
        list.getStyleClass().add("logs");
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(LogLine item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : format(item));
            }
        });
        status.setId("logs-status");
        search.textProperty().addListener((obs, o, n) -> {
            String q = n == null ? "" : n.toLowerCase(Locale.ROOT);
            shown.setPredicate(q.isEmpty() ? null : l -> format(l).toLowerCase(Locale.ROOT).contains(q));
        });
        Button reload = new Button("Reload");
        reload.setOnAction(e -> start());
        Button save = new Button("Save…");
        save.setId("logs-save");
        save.setOnAction(e -> saveAs());
        container.valueProperty().addListener((obs, o, n) -> start());
        follow.setOnAction(e -> start());
        timestamps.setOnAction(e -> list.refresh());
        previous.setOnAction(e -> start());
        root.setTop(new ToolBar(new Label("Container"), container, follow, timestamps, previous, search, reload, save));
        root.setCenter(list);
        root.setBottom(status);
        start();
    }

    public Node view() {
        return root;
    }

    /** The search field (tests type into it). */
    TextField searchField() {
        return search;
    }

    /** The "Timestamps" box (tests tick it). */
    CheckBox timestampsBox() {
        return timestamps;
    }

    /** The lines shown, as shown. */
    public List<String> lines() {
        return shown.stream().map(this::format).toList();
    }

    /** Whether lines carry their source: a workload's, or a pod's with all containers chosen. */
    private boolean merged() {
        return selector != null || ALL_CONTAINERS.equals(container.getValue());
    }

    private String format(LogLine l) {
        return l.format(merged(), timestamps.isSelected());
    }

    /** The label selector of a workload's pods: {@code spec.selector.matchLabels}, or the map of a ReplicationController or Service. */
    @SuppressWarnings("unchecked")
    static Map<String, String> selectorOf(GenericKubernetesResource o) {
        Object sel = o.get("spec", "selector");
        if ("CronJob".equals(o.getKind())) {
            sel = o.get("spec", "jobTemplate", "spec", "selector");
        }
        if (sel instanceof Map<?, ?> m && m.get("matchLabels") instanceof Map<?, ?> ml) {
            return Map.copyOf((Map<String, String>) ml);
        }
        if (sel instanceof Map<?, ?> m && !m.containsKey("matchExpressions") && !m.isEmpty()
                && m.values().stream().allMatch(v -> v instanceof String)) {
            return Map.copyOf((Map<String, String>) m);
        }
        return Map.of();
    }

    /** The containers of a pod, or of a workload's pod template. */
    static List<String> containerNames(GenericKubernetesResource o) {
        Object cs = switch (o.getKind() == null ? "" : o.getKind()) {
            case "Pod" -> o.get("spec", "containers");
            case "CronJob" -> o.get("spec", "jobTemplate", "spec", "template", "spec", "containers");
            default -> o.get("spec", "template", "spec", "containers");
        };
        List<String> names = new ArrayList<>();
        if (cs instanceof List<?> l) {
            for (Object c : l) {
                if (c instanceof Map<?, ?> m && m.get("name") != null) {
                    names.add(m.get("name").toString());
                }
            }
        }
        return names;
    }

    private List<String> chosenContainers() {
        String c = container.getValue();
        if (c == null) {
            return List.of();
        }
        if (ALL_CONTAINERS.equals(c)) {
            return container.getItems().stream().filter(n -> !ALL_CONTAINERS.equals(n)).toList();
        }
        return List.of(c);
    }

    /** (Re)starts reading with the current choices. */
    public void start() {
        stop();
        int gen = ++generation;
        lines.clear();
        List<String> containers = chosenContainers();
        if (containers.isEmpty()) {
            status.setText("No containers to read");
            return;
        }
        boolean following = follow.isSelected() && !previous.isSelected();
        FxBatcher<LogLine> batcher = new FxBatcher<>(tasks::ui, batch -> {
            if (gen == generation) {
                append(batch);
            }
        });
        String what = selector == null ? name : kind + " " + name;
        status.setText("Reading the logs of " + what + "…");
        tasks.run(() -> {
                    List<Pod> pods = pods();
                    for (Pod p : pods) {
                        startPod(gen, p, containers, following, batcher);
                    }
                    if (following && selector != null && gen == generation) {
                        open.add(client.pods().inNamespace(namespace).withLabels(selector).watch(new Watcher<Pod>() {
                            @Override
                            public void eventReceived(Action action, Pod pod) {
                                if (action != Action.DELETED && gen == generation) {
                                    startPod(gen, pod, containers, true, batcher);
                                }
                            }

                            @Override
                            public void onClose(WatcherException cause) {
                                // the tab closed or the connection went; Reload starts again
                            }
                        }));
                    }
                    return pods.size();
                })
                .onSuccess(n -> status.setText(selector == null ? (following ? "Following " + name : lines.size() + " lines")
                        : (following ? "Following " : "") + n + (n == 1 ? " pod of " : " pods of ") + what))
                .onFailure(e -> status.setText("Cannot read the logs: " + e.getMessage()))
                .start();
    }

    private List<Pod> pods() {
        if (selector == null) {
            Pod p = client.pods().inNamespace(namespace).withName(name).get();
            return p == null ? List.of() : List.of(p);
        }
        if (selector.isEmpty()) {
            return List.of();
        }
        List<Pod> pods = new ArrayList<>(client.pods().inNamespace(namespace).withLabels(selector).list().getItems());
        pods.sort(java.util.Comparator.comparing(p -> p.getMetadata().getName()));
        return pods;
    }

    /** Starts reading the pod's chosen containers that have started and are not read yet. */
    private void startPod(int gen, Pod pod, List<String> containers, boolean following, FxBatcher<LogLine> batcher) {
        String podName = pod.getMetadata().getName();
        for (String c : containers) {
            if (!started(pod, c) && selector != null) {
                continue; // a merged view picks it up when it starts
            }
            String key = gen + "/" + pod.getMetadata().getUid() + "/" + c;
            if (!streaming.add(key)) {
                continue;
            }
            ContainerResource r = client.pods().inNamespace(namespace).withName(podName).inContainer(c);
            TimeTailPrettyLoggable t = previous.isSelected() ? r.usingTimestamps().terminated() : r.usingTimestamps();
            Loggable l = t.tailingLines(TAIL);
            LineSplitter sink = new LineSplitter(line -> batcher.add(LogLine.parse(podName, c, line)));
            try {
                if (following) {
                    open.add(l.watchLog(sink));
                } else {
                    String text = l.getLog();
                    text.lines().forEach(line -> batcher.add(LogLine.parse(podName, c, line)));
                }
            } catch (RuntimeException e) {
                streaming.remove(key);
                batcher.add(new LogLine(null, null, podName, c, "(cannot read the logs of " + podName + "/" + c + ": "
                        + e.getMessage() + ")"));
            }
        }
    }

    /** Whether {@code container} of {@code pod} has run (so it has logs). */
    private static boolean started(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return false;
        }
        return pod.getStatus().getContainerStatuses().stream().anyMatch(cs -> container.equals(cs.getName())
                && cs.getState() != null && (cs.getState().getRunning() != null || cs.getState().getTerminated() != null
                || (cs.getRestartCount() != null && cs.getRestartCount() > 0)));
    }

    private void append(List<LogLine> batch) {
        List<LogLine> sorted = new ArrayList<>(batch);
        sorted.sort(java.util.Comparator.comparing(LogLine::time, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
        java.time.Instant last = lines.isEmpty() ? null : lines.getLast().time();
        java.time.Instant first = sorted.isEmpty() ? null : sorted.getFirst().time();
        if (last == null || first == null || !last.isAfter(first)) {
            lines.addAll(sorted); // the usual case: newer than everything shown
        } else {
            List<LogLine> merged = new ArrayList<>(lines);
            for (LogLine l : sorted) {
                merged.add(LogLine.insertionPoint(merged, l), l);
            }
            lines.setAll(merged);
        }
        if (lines.size() > MAX_LINES) {
            lines.remove(0, lines.size() - MAX_LINES);
        }
        if (follow.isSelected() && !shown.isEmpty()) {
            list.scrollTo(shown.size() - 1);
        }
    }

    /** Writes the lines shown (search applied) to {@code file}, as UTF-8 text. */
    public void save(Path file) throws IOException {
        Files.write(file, lines(), StandardCharsets.UTF_8);
    }

    private void saveAs() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save logs");
        chooser.setInitialFileName(name + ".log");
        File f = chooser.showSaveDialog(root.getScene() == null ? null : root.getScene().getWindow());
        if (f == null) {
            return;
        }
        List<String> snapshot = lines();
        tasks.run(() -> {
                    Files.write(f.toPath(), snapshot, StandardCharsets.UTF_8);
                    return snapshot.size();
                })
                .onSuccess(n -> status.setText("Saved " + n + " lines to " + f))
                .onFailure(e -> status.setText("Cannot save the logs: " + e.getMessage()))
                .start();
    }

    public void stop() {
        generation++;
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        open.clear();
        streaming.clear();
    }

    /** Cuts a byte stream into lines. */
    static final class LineSplitter extends OutputStream {
        private final java.util.function.Consumer<String> sink;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        LineSplitter(java.util.function.Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                sink.accept(buf.toString(StandardCharsets.UTF_8));
                buf.reset();
            } else {
                buf.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public synchronized void close() {
            if (buf.size() > 0) {
                sink.accept(buf.toString(StandardCharsets.UTF_8));
                buf.reset();
            }
        }
    }
}
