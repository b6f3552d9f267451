package dev.berth.app.portforward;

import dev.berth.app.fx.FxTasks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.stage.Window;
import javafx.util.Duration;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The port-forwards of the connection in a table (target, local address, status, connections,
 * bytes each way, refreshed every second), with Stop, Remove, Open in browser and Copy address;
 * and the dialog that starts one from a Pod or a Service.
 */
public final class PortForwardsView {
    private final PortForwards forwards;
    private final FxTasks tasks;
    private final Consumer<URI> browser;
    private final BiConsumer<String, Boolean> notify;
    private final ObservableList<PortForward> rows = FXCollections.observableArrayList();
    private final TableView<PortForward> table = new TableView<>(rows);
    private final BorderPane root = new BorderPane();
    private final Button stop = new Button("Stop");
    private final Button remove = new Button("Remove");
    private final Button open = new Button("Open in browser");
    private final Button copy = new Button("Copy address");
    private final Timeline refresh;

    public PortForwardsView(PortForwards forwards, FxTasks tasks, Consumer<URI> browser, BiConsumer<String, Boolean> notify) {
        this.forwards = forwards;
        this.tasks = tasks;
        this.browser = browser;
        this.notify = notify;
        table.setId("port-forwards-table");
        table.setPlaceholder(new Label("No port-forwards: select a Pod or a Service and choose Port-forward…"));
        table.getColumns().add(column("Target", f -> f.target().describe(), 240));
        table.getColumns().add(column("Local address", f -> "127.0.0.1:" + f.localPort(), 150));
        table.getColumns().add(column("Status", PortForwardsView::status, 260));
        table.getColumns().add(column("Connections", f -> f.activeConnections() + " open, " + f.totalConnections() + " in all", 140));
        table.getColumns().add(column("Sent", f -> bytes(f.bytesSent()), 90));
        table.getColumns().add(column("Received", f -> bytes(f.bytesReceived()), 90));
        stop.setId("pf-stop");
        remove.setId("pf-remove");
        open.setId("pf-open");
        copy.setId("pf-copy");
        stop.setOnAction(e -> selected().ifPresent(this::stop));
        remove.setOnAction(e -> selected().ifPresent(f -> {
            forwards.remove(f);
            rows.remove(f);
        }));
        open.setOnAction(e -> selected().ifPresent(f -> browser.accept(f.url())));
        copy.setOnAction(e -> selected().ifPresent(f -> {
            ClipboardContent c = new ClipboardContent();
            c.putString("127.0.0.1:" + f.localPort());
            Clipboard.getSystemClipboard().setContent(c);
        }));
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> updateButtons());
        root.setTop(new ToolBar(stop, remove, open, copy));
        root.setCenter(table);
        root.setId("port-forwards");
        updateButtons();
        rows.setAll(forwards.list());
        refresh = new Timeline(new KeyFrame(Duration.seconds(1), e -> {
            table.refresh();
            updateButtons();
        }));
        refresh.setCycleCount(Timeline.INDEFINITE);
        refresh.play();
    }

    private static TableColumn<PortForward, String> column(String title, Function<PortForward, String> value, double width) {
        TableColumn<PortForward, String> c = new TableColumn<>(title);
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(value.apply(d.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    static String status(PortForward f) {
        return switch (f.status()) {
            case LISTENING -> f.lastError().isEmpty() ? "Forwarding" : "Forwarding (last error: " + f.lastError() + ")";
            case STOPPED -> "Stopped";
            case FAILED -> "Failed: " + f.lastError();
        };
    }

    /** 1.2 KiB, 3.4 MiB: what the table shows. */
    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
        return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    public Node view() {
        return root;
    }

    public TableView<PortForward> table() {
        return table;
    }

    private Optional<PortForward> selected() {
        return Optional.ofNullable(table.getSelectionModel().getSelectedItem());
    }

    private void updateButtons() {
        PortForward f = table.getSelectionModel().getSelectedItem();
        boolean none = f == null;
        boolean listening = !none && f.status() == PortForward.Status.LISTENING;
        stop.setDisable(!listening);
        remove.setDisable(none);
        open.setDisable(!listening);
        copy.setDisable(!listening);
    }

    private void stop(PortForward f) {
        forwards.stop(f);
        table.refresh();
        updateButtons();
        notify.accept("Stopped the port-forward " + f.target().describe(), false);
    }

    /** Asks for the ports, then starts the forward off the FX thread and selects its row. */
    public void startFor(GenericKubernetesResource object, Window owner) {
        Optional<Request> r = ask(object, owner);
        r.ifPresent(req -> start(req.target(), req.localPort()));
    }

    /** Starts forwarding {@code target} (local port null: a free one). */
    public void start(ForwardTarget target, Integer localPort) {
        tasks.run(() -> forwards.start(target, localPort))
                .onSuccess(f -> {
                    rows.add(f);
                    table.getSelectionModel().select(f);
                    notify.accept("Forwarding 127.0.0.1:" + f.localPort() + " to " + target.describe(), false);
                })
                .onFailure(e -> notify.accept("Cannot forward to " + target.describe() + ": " + e.getMessage(), true))
                .start();
    }

    /** What the start dialog returns. */
    public record Request(ForwardTarget target, Integer localPort) {}

    /** The ports a Pod's containers or a Service declare, as "8080 (http)". */
    @SuppressWarnings("unchecked")
    static List<String> declaredPorts(GenericKubernetesResource o) {
        List<String> out = new ArrayList<>();
        Object spec = o.getAdditionalProperties().get("spec");
        if (!(spec instanceof Map<?, ?> s)) return out;
        if ("Service".equals(o.getKind())) {
            if (s.get("ports") instanceof List<?> ports) {
                for (Object p : ports) {
                    if (p instanceof Map<?, ?> m && m.get("port") != null) {
                        out.add(m.get("port") + (m.get("name") == null ? "" : " (" + m.get("name") + ")"));
                    }
                }
            }
        } else if (s.get("containers") instanceof List<?> containers) {
            for (Object c : containers) {
                if (c instanceof Map<?, ?> cm && cm.get("ports") instanceof List<?> ports) {
                    for (Object p : ports) {
                        if (p instanceof Map<?, ?> m && m.get("containerPort") != null) {
                            out.add(m.get("containerPort") + (m.get("name") == null ? "" : " (" + m.get("name") + ")"));
                        }
                    }
                }
            }
        }
        return out;
    }

    private Optional<Request> ask(GenericKubernetesResource o, Window owner) {
        List<String> ports = declaredPorts(o);
        ComboBox<String> remote = new ComboBox<>(FXCollections.observableArrayList(ports));
        remote.setId("pf-remote-port");
        remote.setEditable(true);
        remote.setPromptText("port in the " + o.getKind().toLowerCase(java.util.Locale.ROOT));
        if (!ports.isEmpty()) {
            remote.setValue(ports.getFirst());
        }
        TextField local = new TextField();
        local.setId("pf-local-port");
        local.setPromptText("empty: a free port");
        Label error = new Label();
        error.setId("pf-error");
        error.getStyleClass().add("danger");
        error.setWrapText(true);
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(8);
        g.setPadding(new Insets(8));
        g.addRow(0, new Label(o.getKind() + " port"), remote);
        g.addRow(1, new Label("Local port on 127.0.0.1"), local);
        g.add(error, 0, 2, 2, 1);
        Dialog<Request> d = new Dialog<>();
        String ns = o.getMetadata().getNamespace();
        d.setTitle("Port-forward");
        d.setHeaderText("Forward a local port to " + o.getKind().toLowerCase(java.util.Locale.ROOT) + " " + ns + "/"
                + o.getMetadata().getName() + ". Only this machine can connect (127.0.0.1).");
        ButtonType startButton = new ButtonType("Start", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().setAll(startButton, ButtonType.CANCEL);
        d.getDialogPane().setContent(g);
        d.getDialogPane().setId("pf-dialog");
        d.getDialogPane().lookupButton(startButton).setId("pf-start");
        d.getDialogPane().lookupButton(startButton).addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            try {
                PortForwards.parseRemotePort(remote.getEditor().getText());
                PortForwards.parseLocalPort(local.getText());
            } catch (IllegalArgumentException ex) {
                error.setText(ex.getMessage());
                e.consume();
            }
        });
        d.setResultConverter(b -> b == startButton ? new Request(new ForwardTarget(o.getKind(), ns, o.getMetadata().getName(),
                PortForwards.parseRemotePort(remote.getEditor().getText())), PortForwards.parseLocalPort(local.getText())) : null);
        if (owner != null) {
            d.initOwner(owner);
        }
        return d.showAndWait();
    }

    /** Stops refreshing; the forwards themselves belong to the connection. */
    public void close() {
        refresh.stop();
    }
}
