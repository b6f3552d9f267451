package dev.berth.app.logs;

import dev.berth.app.fx.FxBatcher;
import dev.berth.app.fx.FxTasks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.BytesLimitTerminateTimeTailPrettyLoggable;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
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
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A pod's logs: container choice, follow, timestamps, the previous instance, and a search that
 * keeps only matching lines. Lines arrive through an {@link FxBatcher}, and the list keeps the last
 * {@value #MAX_LINES}.
 */
public final class LogsController {
    static final int MAX_LINES = 50_000;

    private final KubernetesClient client;
    private final FxTasks tasks;
    private final String namespace;
    private final String pod;
    private final ObservableList<String> lines = FXCollections.observableArrayList();
    private final FilteredList<String> shown = new FilteredList<>(lines);
    private final ListView<String> list = new ListView<>(shown);
    private final ChoiceBox<String> container = new ChoiceBox<>();
    private final CheckBox follow = new CheckBox("Follow");
    private final CheckBox timestamps = new CheckBox("Timestamps");
    private final CheckBox previous = new CheckBox("Previous instance");
    private final TextField search = new TextField();
    private final Label status = new Label();
    private final BorderPane root = new BorderPane();
    private LogWatch watch;

    @SuppressWarnings("unchecked")
    public LogsController(KubernetesClient client, FxTasks tasks, GenericKubernetesResource podObject) {
        this.client = client;
        this.tasks = tasks;
        this.namespace = podObject.getMetadata().getNamespace();
        this.pod = podObject.getMetadata().getName();
        List<String> names = new ArrayList<>();
        Object cs = podObject.get("spec", "containers");
        if (cs instanceof List<?> l) {
            for (Object c : l) {
                if (c instanceof Map<?, ?> m && m.get("name") != null) {
                    names.add(m.get("name").toString());
                }
            }
        }
        container.getItems().setAll(names);
        if (!names.isEmpty()) {
            container.setValue(names.getFirst());
        }
        follow.setSelected(true);
        search.setPromptText("Search");
        search.setId("logs-search");
        list.setId("logs-lines");
        list.getStyleClass().add("logs");
        status.setId("logs-status");
        search.textProperty().addListener((obs, o, n) -> {
            String q = n == null ? "" : n.toLowerCase(Locale.ROOT);
            shown.setPredicate(q.isEmpty() ? null : s -> s.toLowerCase(Locale.ROOT).contains(q));
        });
        Button reload = new Button("Reload");
        reload.setOnAction(e -> start());
        container.valueProperty().addListener((obs, o, n) -> start());
        follow.setOnAction(e -> start());
        timestamps.setOnAction(e -> start());
        previous.setOnAction(e -> start());
        root.setTop(new ToolBar(new Label("Container"), container, follow, timestamps, previous, search, reload));
        root.setCenter(list);
        root.setBottom(status);
        start();
    }

    public Node view() {
        return root;
    }

    public List<String> lines() {
        return List.copyOf(shown);
    }

    private Loggable loggable() {
        ContainerResource c = client.pods().inNamespace(namespace).withName(pod).inContainer(container.getValue());
        BytesLimitTerminateTimeTailPrettyLoggable a = timestamps.isSelected() ? c.usingTimestamps() : c;
        TimeTailPrettyLoggable b = previous.isSelected() ? a.terminated() : a;
        return b.tailingLines(2000);
    }

    /** (Re)starts reading with the current choices. */
    public void start() {
        stop();
        lines.clear();
        if (container.getValue() == null) {
            status.setText("The pod has no containers");
            return;
        }
        Loggable l = loggable();
        status.setText("Reading the logs of " + pod + "/" + container.getValue() + "…");
        if (follow.isSelected() && !previous.isSelected()) {
            FxBatcher<String> batcher = new FxBatcher<>(tasks::ui, this::append);
            tasks.run(() -> l.watchLog(new LineSplitter(batcher::add)))
                    .onSuccess(w -> {
                        watch = w;
                        status.setText("Following " + pod + "/" + container.getValue());
                    })
                    .onFailure(e -> status.setText("Cannot read the logs: " + e.getMessage()))
                    .start();
        } else {
            tasks.run(l::getLog)
                    .onSuccess(text -> {
                        append(text.lines().toList());
                        status.setText(lines.size() + " lines");
                    })
                    .onFailure(e -> status.setText("Cannot read the logs: " + e.getMessage()))
                    .start();
        }
    }

    private void append(List<String> batch) {
        lines.addAll(batch);
        if (lines.size() > MAX_LINES) {
            lines.remove(0, lines.size() - MAX_LINES);
        }
        if (follow.isSelected() && !shown.isEmpty()) {
            list.scrollTo(shown.size() - 1);
        }
    }

    public void stop() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
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
