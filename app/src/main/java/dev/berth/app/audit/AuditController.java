package dev.berth.app.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.app.fx.FxBatcher;
import dev.berth.app.fx.FxTasks;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.audit.AuditReader;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The embedded control plane's audit log: every write and every refused request, newest last,
 * following the file as it grows. Filter by text (user, verb, object, result).
 */
public final class AuditController implements AutoCloseable {
    /** How many of the latest events are shown. */
    static final int SHOWN = 20_000;

    /** One audit event as the table shows it. */
    public record Entry(String time, String user, String verb, String object, int code, String result) {
        String text() {
            return String.join(" ", time, user, verb, object, Integer.toString(code), result).toLowerCase(Locale.ROOT);
        }
    }

    private final AuditReader reader;
    private final FxTasks tasks;
    private final ObservableList<Entry> entries = FXCollections.observableArrayList();
    private final FilteredList<Entry> shown = new FilteredList<>(entries);
    private final TableView<Entry> table = new TableView<>(shown);
    private final TextField filter = new TextField();
    private final Label count = new Label();
    private final BorderPane root = new BorderPane();
    private Thread follower;
    private volatile boolean closed;

    public AuditController(Path auditDir, FxTasks tasks) {
        this.reader = new AuditReader(auditDir);
        this.tasks = tasks;
        table.setId("audit-table");
        table.setPlaceholder(new Label("No audit events yet: every write to the cluster and every refused request appears here."));
        table.getColumns().add(column("Time", Entry::time, 210));
        table.getColumns().add(column("User", Entry::user, 200));
        table.getColumns().add(column("Verb", Entry::verb, 90));
        table.getColumns().add(column("Object", Entry::object, 320));
        table.getColumns().add(column("Result", e -> e.code() + (e.result().isEmpty() ? "" : " " + e.result()), 140));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(Entry e, boolean empty) {
                super.updateItem(e, empty);
                getStyleClass().remove("danger");
                if (!empty && e != null && e.code() >= 400) {
                    getStyleClass().add("danger");
                }
            }
        });
        filter.setId("audit-filter");
        filter.setPromptText("Filter by user, verb, object or result");
        filter.textProperty().addListener((obs, o, n) -> applyFilter());
        count.setId("audit-count");
        Button reload = new Button("Reload");
        reload.setId("audit-reload");
        reload.setOnAction(e -> load());
        HBox.setHgrow(filter, Priority.ALWAYS);
        root.setTop(new ToolBar(filter, reload, count));
        root.setCenter(table);
        load();
    }

    public Node view() {
        return root;
    }

    /** Parses one audit line; null when it is not an audit event. */
    public static Entry parse(String line) {
        JsonNode e;
        try {
            e = Json.parse(line.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException ex) {
            return null;
        }
        if (!"Event".equals(e.path("kind").asText())) {
            return null;
        }
        JsonNode ref = e.path("objectRef");
        String object;
        if (ref.isMissingNode()) {
            object = e.path("requestURI").asText();
        } else {
            StringBuilder b = new StringBuilder(ref.path("resource").asText());
            if (ref.hasNonNull("subresource")) b.append('/').append(ref.get("subresource").asText());
            if (ref.hasNonNull("apiGroup") && !ref.get("apiGroup").asText().isEmpty()) b.append('.').append(ref.get("apiGroup").asText());
            b.append(' ');
            if (ref.hasNonNull("namespace")) b.append(ref.get("namespace").asText()).append('/');
            b.append(ref.path("name").asText(""));
            object = b.toString().trim();
        }
        String user = e.path("user").path("username").asText("");
        if (e.has("impersonatedUser")) {
            user += " (as " + e.path("impersonatedUser").path("username").asText() + ")";
        }
        JsonNode status = e.path("responseStatus");
        return new Entry(e.path("stageTimestamp").asText(), user, e.path("verb").asText(), object,
                status.path("code").asInt(0), status.path("reason").asText(""));
    }

    /** Reads the latest events, then follows the file. */
    private void load() {
        stopFollowing();
        tasks.run(() -> reader.last(SHOWN).stream().map(AuditController::parse).filter(java.util.Objects::nonNull).toList())
                .onSuccess(list -> {
                    entries.setAll(list);
                    updateCount();
                    table.scrollTo(Math.max(0, shown.size() - 1));
                    follow();
                })
                .onFailure(e -> table.setPlaceholder(new Label("Cannot read the audit log: " + e.getMessage())))
                .start();
    }

    private void follow() {
        if (closed) {
            return;
        }
        FxBatcher<Entry> batcher = new FxBatcher<>(tasks::ui, this::append);
        follower = Thread.ofVirtual().name("audit-follow").start(() -> {
            try {
                reader.follow(line -> {
                    Entry e = parse(line);
                    if (e != null) batcher.add(e);
                }, Duration.ofMillis(500));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                tasks.ui(() -> table.setPlaceholder(new Label("Cannot follow the audit log: " + e.getMessage())));
            }
        });
    }

    private void append(List<Entry> batch) {
        if (closed) {
            return;
        }
        boolean atEnd = shown.isEmpty() || table.getSelectionModel().isEmpty();
        entries.addAll(batch);
        if (entries.size() > SHOWN) {
            entries.remove(0, entries.size() - SHOWN);
        }
        updateCount();
        if (atEnd) {
            table.scrollTo(Math.max(0, shown.size() - 1));
        }
    }

    private void applyFilter() {
        String f = filter.getText() == null ? "" : filter.getText().trim().toLowerCase(Locale.ROOT);
        shown.setPredicate(f.isEmpty() ? null : e -> e.text().contains(f));
        updateCount();
    }

    private void updateCount() {
        count.setText(shown.size() == entries.size() ? entries.size() + " events" : shown.size() + " of " + entries.size() + " events");
    }

    private void stopFollowing() {
        if (follower != null) {
            follower.interrupt();
            follower = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        stopFollowing();
    }

    private static TableColumn<Entry, String> column(String title, Function<Entry, String> value, double width) {
        TableColumn<Entry, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }
}
