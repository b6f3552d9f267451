package dev.berth.app.explorer;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.ResourceCache;
import dev.berth.app.cluster.ResourceKind;
import dev.berth.app.editor.EditorController;
import dev.berth.app.editor.YamlText;
import dev.berth.app.fx.FxBatcher;
import dev.berth.app.fx.FxTasks;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The explorer: one kind's objects in a virtualized table fed by its watch, a filter bar (text,
 * label selector, namespace), actions on the selection, and the details pane.
 */
public final class ExplorerController {
    private static final String ALL_NAMESPACES = NamespaceChoice.ALL;
    /** Kinds whose logs open: a pod's, or the merged logs of a workload's pods. */
    private static final java.util.Set<String> LOG_KINDS = java.util.Set.of("Pod", "Deployment", "StatefulSet", "DaemonSet",
            "ReplicaSet", "ReplicationController", "Job");

    private final ClusterSession session;
    private final FxTasks tasks;
    private final Clock clock;
    private final Workbench workbench;
    private final ResourceActions actions;
    private final Rollouts rollouts;
    private final Map<ResourceKind, ResourceTableModel> models = new HashMap<>();
    private final Map<ResourceKind, Consumer<ResourceCache.Change>> feeds = new HashMap<>();
    private final TableView<Row> table = new TableView<>();
    private final TextField text = new TextField();
    private final TextField labels = new TextField();
    private final ComboBox<String> namespace = new ComboBox<>();
    private final Label count = new Label();
    private final Label filterError = new Label();
    private final Label kindError = new Label();
    private final DetailsPane details;
    private final BorderPane root = new BorderPane();
    private final Button scale = button("Scale…", "action-scale", "Set the number of replicas");
    private final Button restart = button("Restart", "action-restart", "Rollout restart: replace every pod");
    private final Button delete = button("Delete…", "action-delete", "Delete (Del)");
    private final Button cordon = button("Cordon", "action-cordon", "Mark the node unschedulable");
    private final Button uncordon = button("Uncordon", "action-uncordon", "Mark the node schedulable");
    private final Button logs = button("Logs", "action-logs", "Show the logs: a pod's, or a workload's pods merged (Ctrl+L)");
    private final Button history = button("History…", "action-history", "Rollout history; roll back to a revision");
    private final Button pause = button("Pause", "action-pause", "Pause the rollout: template changes wait until resumed");
    private final Button resume = button("Resume", "action-resume", "Resume the rollout");
    private final Button drain = button("Drain…", "action-drain", "Cordon the node and evict its pods");
    private final Button addNode = button("Add node…", "action-add-node", "Add a machine as a node over SSH");
    private final Button upgradeNode = button("Upgrade agent…", "action-upgrade-node", "Upgrade the node's agent over SSH");
    private final Button removeNode = button("Remove node…", "action-remove-node", "Drain the node, uninstall its agent and delete it");
    private final Button terminal = button("Terminal…", "action-terminal", "Open a terminal into a container of the pod");
    private final Button portForward = button("Port-forward…", "action-port-forward", "Forward a local port to this object");
    private final Button edit = button("Edit", "action-edit", "Edit the YAML (Ctrl+E)");
    private final Button create = button("New…", "action-new", "A new object of this kind from a template (Ctrl+N)");
    private ResourceKind kind;
    private ResourceTableModel model;
    private String selectedKey;
    /** Set when the connection closed: batches still queued on the FX thread are dropped. */
    private boolean closed;

    public ExplorerController(ClusterSession session, FxTasks tasks, Clock clock, Workbench workbench) {
        this.session = session;
        this.tasks = tasks;
        this.clock = clock;
        this.workbench = workbench;
        this.actions = new ResourceActions(session.client(), clock);
        this.rollouts = new Rollouts(session.client());
        this.details = new DetailsPane(session, key -> {});
        table.setId("explorer-table");
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new Label("No objects"));
        table.getSelectionModel().selectedItemProperty().addListener((obs, o, n) -> {
            if (closed) {
                return;
            }
            if (n != null) {
                selectedKey = n.key();
                details.show(kind, n.object());
            }
            updateActions();
        });
        table.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && selected() != null) {
                edit();
            }
        });
        table.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.DELETE && selected() != null) {
                delete();
            }
        });
        text.setId("filter-text");
        text.setPromptText("Filter by text (Ctrl+F)");
        text.textProperty().addListener((obs, o, n) -> applyFilter());
        labels.setId("filter-labels");
        labels.setPromptText("Label selector, e.g. app=web,tier!=db");
        labels.setPrefColumnCount(22);
        labels.textProperty().addListener((obs, o, n) -> applyFilter());
        namespace.setId("filter-namespace");
        namespace.getItems().add(ALL_NAMESPACES);
        namespace.setValue(ALL_NAMESPACES);
        namespace.setOnShowing(e -> refreshNamespaces());
        namespace.valueProperty().addListener((obs, o, n) -> applyFilter());
        filterError.setId("filter-error");
        filterError.getStyleClass().add("danger");
        filterError.setWrapText(true);
        filterError.setManaged(false);
        filterError.setVisible(false);
        count.setId("explorer-count");
        kindError.setId("explorer-kind-error");
        kindError.getStyleClass().add("danger");
        kindError.setManaged(false);
        kindError.setVisible(false);

        create.setOnAction(e -> create());
        edit.setOnAction(e -> edit());
        scale.setOnAction(e -> scale());
        restart.setOnAction(e -> restart());
        delete.setOnAction(e -> delete());
        cordon.setOnAction(e -> cordon(true));
        uncordon.setOnAction(e -> cordon(false));
        logs.setOnAction(e -> logs());
        history.setOnAction(e -> history());
        pause.setOnAction(e -> pause(true));
        resume.setOnAction(e -> pause(false));
        drain.setOnAction(e -> drain());
        addNode.setOnAction(e -> workbench.openNodeWizard(dev.berth.app.nodes.NodeWizard.Mode.ADD, null));
        upgradeNode.setOnAction(e -> nodeWizard(dev.berth.app.nodes.NodeWizard.Mode.UPGRADE));
        removeNode.setOnAction(e -> nodeWizard(dev.berth.app.nodes.NodeWizard.Mode.REMOVE));
        portForward.setOnAction(e -> portForward());
        terminal.setOnAction(e -> terminal());
        delete.getStyleClass().add("danger");

        HBox.setHgrow(text, Priority.ALWAYS);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.SOMETIMES);
        ToolBar filterBar = new ToolBar(text, labels, namespace, spacer, count);
        ToolBar actionBar = new ToolBar(create, edit, scale, restart, history, pause, resume, logs, terminal, portForward, cordon, uncordon, drain,
                addNode, upgradeNode, removeNode, delete);
        VBox top = new VBox(filterBar, filterError, kindError, actionBar);
        VBox.setMargin(filterError, new Insets(0, 8, 4, 8));
        VBox.setMargin(kindError, new Insets(0, 8, 4, 8));
        SplitPane split = new SplitPane(table, details.view());
        split.setId("explorer-split");
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.62);
        root.setTop(top);
        root.setCenter(split);
        ContextMenu menu = new ContextMenu();
        for (Button b : List.of(edit, scale, restart, history, pause, resume, logs, terminal, portForward, cordon, uncordon, drain,
                upgradeNode, removeNode, delete)) {
            MenuItem mi = new MenuItem(b.getText());
            mi.setOnAction(e -> b.fire());
            mi.disableProperty().bind(b.disableProperty());
            mi.visibleProperty().bind(b.visibleProperty());
            menu.getItems().add(mi);
        }
        table.setContextMenu(menu);
        updateActions();
    }

    private static Button button(String text, String id, String tip) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        return b;
    }

    public Node view() {
        return root;
    }

    public ResourceKind kind() {
        return kind;
    }

    public TableView<Row> table() {
        return table;
    }

    public ResourceTableModel model() {
        return model;
    }

    public DetailsPane details() {
        return details;
    }

    public SplitPane split() {
        return (SplitPane) root.getCenter();
    }

    public void focusFilter() {
        text.requestFocus();
        text.selectAll();
    }

    /**
     * Selects the row of {@code key} (namespace/name, or name) in the table shown now, clearing the
     * filters that hide it; when the row has not arrived yet, it is selected as soon as it does.
     */
    public void reveal(String key) {
        text.clear();
        labels.clear();
        namespace.setValue(ALL_NAMESPACES);
        selectedKey = key;
        Row r = model == null ? null : model.get(key);
        if (r != null) {
            table.getSelectionModel().select(r);
            table.scrollTo(r);
            selectedKey = key;
            details.show(kind, r.object());
            updateActions();
        }
    }

    /** The key of the selected row, or of the row waiting to be selected. */
    public String selectedKey() {
        return selectedKey;
    }

    /** Shows the objects of {@code k}; the watch starts on first use and keeps running. */
    public void show(ResourceKind k) {
        this.kind = k;
        this.model = models.computeIfAbsent(k, this::newModel);
        selectedKey = null;
        List<Columns.Column> columns = Columns.of(k);
        table.getSortOrder().clear();
        table.getColumns().clear();
        TableColumn<Row, String> name = new TableColumn<>("Name");
        name.setId("col-name");
        name.setCellValueFactory(cd -> new ReadOnlyStringWrapper(cd.getValue().name()));
        name.setPrefWidth(220);
        name.setComparator(NaturalOrder.INSTANCE);
        table.getColumns().add(name);
        if (k.namespaced()) {
            TableColumn<Row, String> ns = new TableColumn<>("Namespace");
            ns.setCellValueFactory(cd -> new ReadOnlyStringWrapper(cd.getValue().namespace()));
            ns.setPrefWidth(120);
            table.getColumns().add(ns);
        }
        for (int i = 0; i < columns.size(); i++) {
            int index = i;
            TableColumn<Row, String> c = new TableColumn<>(columns.get(i).title());
            c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(cd.getValue().cell(index)));
            c.setComparator(NaturalOrder.INSTANCE);
            c.setPrefWidth(columns.get(i).title().equals("Message") ? 360 : 100);
            table.getColumns().add(c);
        }
        TableColumn<Row, Long> age = new TableColumn<>("Age");
        age.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue().created()));
        age.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(Long item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : Columns.age(item, clock.instant()));
            }
        });
        // newest first when sorted ascending by age
        age.setComparator(Comparator.<Long>reverseOrder());
        age.setPrefWidth(70);
        table.getColumns().add(age);
        table.setItems(model.sorted());
        model.sorted().comparatorProperty().bind(table.comparatorProperty());
        table.getSortOrder().add(name);
        applyFilter();
        ResourceCache cache = session.cache(k);
        kindError.setVisible(false);
        kindError.setManaged(false);
        cache.onError(msg -> tasks.ui(() -> {
            if (kind == k) {
                kindError.setText(msg);
                kindError.setVisible(true);
                kindError.setManaged(true);
            }
        }));
        create.setDisable(false);
        details.show(k, null);
        updateCount();
        updateActions();
    }

    private ResourceTableModel newModel(ResourceKind k) {
        ResourceTableModel m = new ResourceTableModel();
        List<Columns.Column> columns = Columns.of(k);
        FxBatcher<ResourceTableModel.RowChange> batcher = new FxBatcher<>(tasks::ui, batch -> {
            if (closed) {
                return;
            }
            m.apply(batch);
            if (m == model) {
                afterBatch(batch);
            }
        });
        Consumer<ResourceCache.Change> feed = c -> batcher.add(new ResourceTableModel.RowChange(c.type(),
                Row.keyOf(c.object()), c.type() == ResourceCache.Type.DELETED ? null : Columns.row(k, columns, c.object())));
        feeds.put(k, feed);
        session.cache(k).addListener(feed);
        return m;
    }

    private void afterBatch(List<ResourceTableModel.RowChange> batch) {
        updateCount();
        if (selectedKey == null) {
            return;
        }
        boolean touched = false;
        for (ResourceTableModel.RowChange c : batch) {
            if (c.key().equals(selectedKey)) {
                touched = true;
                break;
            }
        }
        if (!touched) {
            return;
        }
        Row r = model.get(selectedKey);
        if (r == null) {
            details.show(kind, null);
            selectedKey = null;
            return;
        }
        Row sel = table.getSelectionModel().getSelectedItem();
        if (sel == null || !sel.key().equals(selectedKey)) {
            String keep = selectedKey;
            table.getSelectionModel().select(r);
            selectedKey = keep;
        }
        details.refresh(r.object());
        updateActions();
    }

    private void applyFilter() {
        if (model == null) {
            return;
        }
        String ns = namespace.getValue();
        try {
            model.setFilter(RowFilter.of(text.getText(), labels.getText(), ALL_NAMESPACES.equals(ns) ? null : ns));
            filterError.setText("");
            filterError.setVisible(false);
            filterError.setManaged(false);
            labels.getStyleClass().remove("error");
        } catch (IllegalArgumentException e) {
            filterError.setText(e.getMessage());
            filterError.setVisible(true);
            filterError.setManaged(true);
            if (!labels.getStyleClass().contains("error")) {
                labels.getStyleClass().add("error");
            }
        }
        updateCount();
    }

    /** The namespace chosen in the filter bar, null for all namespaces. */
    public String namespaceChoice() {
        String ns = namespace.getValue();
        return ns == null || ALL_NAMESPACES.equals(ns) ? null : ns;
    }

    public String filterError() {
        return filterError.isVisible() ? filterError.getText() : "";
    }

    private void refreshNamespaces() {
        NamespaceChoice.refresh(namespace, session);
    }

    private void updateCount() {
        if (model == null) {
            count.setText("");
            return;
        }
        count.setText(model.shown() == model.size() ? model.size() + " " + kind.title().toLowerCase(java.util.Locale.ROOT)
                : model.shown() + " of " + model.size() + " " + kind.title().toLowerCase(java.util.Locale.ROOT));
    }

    private Row selected() {
        return table.getSelectionModel().getSelectedItem();
    }

    private void updateActions() {
        Row r = selected();
        boolean none = r == null || kind == null;
        edit.setDisable(none);
        delete.setDisable(none);
        scale.setVisible(kind != null && kind.scalable());
        scale.setManaged(scale.isVisible());
        scale.setDisable(none);
        restart.setVisible(kind != null && kind.restartable());
        restart.setManaged(restart.isVisible());
        restart.setDisable(none);
        boolean node = kind != null && kind.kind().equals("Node");
        boolean unschedulable = !none && node && Boolean.TRUE.equals(r.object().get("spec", "unschedulable"));
        cordon.setVisible(node);
        cordon.setManaged(node);
        cordon.setDisable(none || unschedulable);
        uncordon.setVisible(node);
        uncordon.setManaged(node);
        uncordon.setDisable(none || !unschedulable);
        drain.setVisible(node);
        drain.setManaged(node);
        drain.setDisable(none);
        addNode.setVisible(node);
        addNode.setManaged(node);
        upgradeNode.setVisible(node);
        upgradeNode.setManaged(node);
        upgradeNode.setDisable(none);
        removeNode.setVisible(node);
        removeNode.setManaged(node);
        removeNode.setDisable(none);
        boolean forwardable = kind != null && (kind.kind().equals("Pod") || kind.kind().equals("Service"));
        portForward.setVisible(forwardable);
        portForward.setManaged(forwardable);
        portForward.setDisable(none);
        boolean revisions = kind != null && Rollouts.hasHistory(kind.kind());
        history.setVisible(revisions);
        history.setManaged(revisions);
        history.setDisable(none);
        boolean deployment = kind != null && kind.kind().equals("Deployment");
        boolean paused = !none && deployment && Boolean.TRUE.equals(r.object().get("spec", "paused"));
        pause.setVisible(deployment);
        pause.setManaged(deployment);
        pause.setDisable(none || paused);
        resume.setVisible(deployment);
        resume.setManaged(deployment);
        resume.setDisable(none || !paused);
        boolean withLogs = kind != null && LOG_KINDS.contains(kind.kind());
        logs.setVisible(withLogs);
        logs.setManaged(withLogs);
        logs.setDisable(none);
        boolean pod = kind != null && kind.kind().equals("Pod");
        terminal.setVisible(pod);
        terminal.setManaged(pod);
        terminal.setDisable(none);
        create.setDisable(kind == null);
    }

    public void create() {
        if (kind == null) {
            return;
        }
        String ns = ALL_NAMESPACES.equals(namespace.getValue()) ? "default" : namespace.getValue();
        workbench.openEditor("New " + kind.kind(), EditorController.template(kind.kind(), kind.apiVersion(), ns, kind.namespaced()));
    }

    public void edit() {
        Row r = selected();
        if (r == null) {
            return;
        }
        GenericKubernetesResource o = r.object();
        if (YamlText.isSecret(o) && !confirm("Edit Secret " + r.key(),
                "The editor shows this Secret's values in clear text.", "Edit")) {
            return;
        }
        workbench.openEditor(kind.kind() + " " + r.key(), YamlText.forEditing(o));
    }

    public void scale() {
        Row r = selected();
        if (r == null || !kind.scalable()) {
            return;
        }
        long current = Columns.num(r.object(), "spec", "replicas");
        TextInputDialog d = new TextInputDialog(String.valueOf(current));
        d.setTitle("Scale " + kind.kind());
        d.setHeaderText("Replicas of " + kind.kind().toLowerCase(java.util.Locale.ROOT) + " " + r.key());
        d.getEditor().setId("scale-replicas");
        d.initOwner(root.getScene() == null ? null : root.getScene().getWindow());
        Optional<String> answer = d.showAndWait();
        if (answer.isEmpty()) {
            return;
        }
        int replicas;
        try {
            replicas = Integer.parseInt(answer.get().trim());
            if (replicas < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            workbench.notify("replicas: invalid value \"" + answer.get().trim() + "\": must be a whole number, 0 or more", true);
            return;
        }
        ResourceKind k = kind;
        tasks.run(() -> {
                    actions.scale(k, r.namespace(), r.name(), replicas);
                    return replicas;
                })
                .onSuccess(n -> workbench.notify("Scaled " + k.kind().toLowerCase(java.util.Locale.ROOT) + "/" + r.name()
                        + " to " + n + " replicas", false))
                .onFailure(e -> workbench.notify("Cannot scale " + r.key() + ": " + e.getMessage(), true))
                .start();
    }

    public void restart() {
        Row r = selected();
        if (r == null || !kind.restartable()) {
            return;
        }
        if (!confirm("Restart " + kind.kind() + " " + r.key(), "Every pod of " + r.name()
                + " is replaced, following its update strategy.", "Restart")) {
            return;
        }
        ResourceKind k = kind;
        tasks.run(() -> {
                    actions.restart(k, r.namespace(), r.name());
                    return true;
                })
                .onSuccess(x -> workbench.notify("Restarted " + k.kind().toLowerCase(java.util.Locale.ROOT) + "/" + r.name(), false))
                .onFailure(e -> workbench.notify("Cannot restart " + r.key() + ": " + e.getMessage(), true))
                .start();
    }

    public void delete() {
        Row r = selected();
        if (r == null) {
            return;
        }
        Dialog<ButtonType> d = new Dialog<>();
        d.setTitle("Delete " + kind.kind());
        d.setHeaderText("Delete " + kind.kind().toLowerCase(java.util.Locale.ROOT) + " " + r.key() + "?");
        ChoiceBox<DeletionPropagation> cascade = new ChoiceBox<>();
        cascade.setId("delete-cascade");
        cascade.getItems().setAll(DeletionPropagation.BACKGROUND, DeletionPropagation.FOREGROUND, DeletionPropagation.ORPHAN);
        cascade.setValue(DeletionPropagation.BACKGROUND);
        Label explain = new Label();
        explain.setWrapText(true);
        explain.setPrefWidth(360);
        Runnable say = () -> explain.setText(switch (cascade.getValue()) {
            case BACKGROUND -> "Deletes it now; the garbage collector then deletes what it owns.";
            case FOREGROUND -> "Deletes what it owns first; it goes once they are gone.";
            case ORPHAN -> "Deletes only it; what it owns stays, without an owner.";
        });
        cascade.valueProperty().addListener((obs, o, n) -> say.run());
        say.run();
        GridPane g = new GridPane(8, 8);
        g.addRow(0, new Label("Dependents"), cascade);
        g.add(explain, 0, 1, 2, 1);
        d.getDialogPane().setContent(g);
        ButtonType deleteButton = new ButtonType("Delete", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().setAll(deleteButton, ButtonType.CANCEL);
        d.getDialogPane().lookupButton(deleteButton).getStyleClass().add("danger");
        d.initOwner(root.getScene() == null ? null : root.getScene().getWindow());
        if (d.showAndWait().orElse(ButtonType.CANCEL) != deleteButton) {
            return;
        }
        ResourceKind k = kind;
        DeletionPropagation p = cascade.getValue();
        tasks.run(() -> {
                    actions.delete(k, r.object(), p);
                    return true;
                })
                .onSuccess(x -> workbench.notify("Deleted " + k.kind().toLowerCase(java.util.Locale.ROOT) + "/" + r.name()
                        + " (" + p.name().toLowerCase(java.util.Locale.ROOT) + ")", false))
                .onFailure(e -> workbench.notify("Cannot delete " + r.key() + ": " + e.getMessage(), true))
                .start();
    }

    public void cordon(boolean on) {
        Row r = selected();
        if (r == null || !kind.kind().equals("Node")) {
            return;
        }
        tasks.run(() -> {
                    actions.cordon(r.name(), on);
                    return on;
                })
                .onSuccess(x -> workbench.notify("node/" + r.name() + (on ? " cordoned" : " uncordoned"), false))
                .onFailure(e -> workbench.notify("Cannot " + (on ? "cordon " : "uncordon ") + r.name() + ": " + e.getMessage(), true))
                .start();
    }

    /** The rollout history of the selected Deployment, StatefulSet or DaemonSet, with roll back. */
    public void history() {
        Row r = selected();
        if (r == null || !Rollouts.hasHistory(kind.kind())) {
            return;
        }
        String k = kind.kind();
        tasks.run(() -> rollouts.history(k, r.namespace(), r.name()))
                .onSuccess(revisions -> {
                    var chosen = RolloutDialogs.history(root.getScene() == null ? null : root.getScene().getWindow(),
                            "Rollout history of " + k + " " + r.key(), revisions);
                    chosen.ifPresent(rev -> tasks.run(() -> rollouts.undo(k, r.namespace(), r.name(), rev.number()))
                            .onSuccess(said -> workbench.notify(said, false))
                            .onFailure(e -> workbench.notify("Cannot roll back " + r.key() + ": " + e.getMessage(), true))
                            .start());
                })
                .onFailure(e -> workbench.notify("Cannot read the rollout history of " + r.key() + ": " + e.getMessage(), true))
                .start();
    }

    /** Rolls the selected workload back to its previous revision, as {@code kubectl rollout undo}. */
    public void undo() {
        Row r = selected();
        if (r == null || !Rollouts.hasHistory(kind.kind())) {
            return;
        }
        String k = kind.kind();
        if (!confirm("Undo the rollout of " + k + " " + r.key(), "The previous revision's pod template is rolled out again.",
                "Roll back")) {
            return;
        }
        tasks.run(() -> rollouts.undo(k, r.namespace(), r.name(), 0))
                .onSuccess(said -> workbench.notify(said, false))
                .onFailure(e -> workbench.notify("Cannot roll back " + r.key() + ": " + e.getMessage(), true))
                .start();
    }

    /** Pauses or resumes the selected Deployment's rollout. */
    public void pause(boolean on) {
        Row r = selected();
        if (r == null || !kind.kind().equals("Deployment")) {
            return;
        }
        tasks.run(() -> rollouts.pause(r.namespace(), r.name(), on))
                .onSuccess(said -> workbench.notify(said, false))
                .onFailure(e -> workbench.notify("Cannot " + (on ? "pause " : "resume ") + r.key() + ": " + e.getMessage(), true))
                .start();
    }

    /** Drains the selected node: shows what would happen, then cordons and evicts with progress in notifications. */
    public void drain() {
        Row r = selected();
        if (r == null || !kind.kind().equals("Node")) {
            return;
        }
        Drain drainer = new Drain(session.client(), clock);
        // the plan is shown with the most permissive flags so that each pod's fate is listed; the
        // flags the person picks decide what is blocked
        tasks.run(() -> drainer.plan(r.name(), Drain.Options.defaults()))
                .onSuccess(plan -> RolloutDialogs.drainOptions(root.getScene() == null ? null : root.getScene().getWindow(),
                        r.name(), plan).ifPresent(options -> tasks.run(() -> {
                            drainer.run(r.name(), options, line -> javafx.application.Platform.runLater(
                                    () -> workbench.notify(line, line.startsWith("error") || line.startsWith("Warning"))));
                            return true;
                        })
                        .onSuccess(x -> workbench.notify("node/" + r.name() + " drained", false))
                        .onFailure(e -> workbench.notify(e.getMessage(), true))
                        .start()))
                .onFailure(e -> workbench.notify("Cannot drain " + r.name() + ": " + e.getMessage(), true))
                .start();
    }

    public void logs() {
        Row r = selected();
        if (r != null && LOG_KINDS.contains(kind.kind())) {
            workbench.openLogs(r.object());
        }
    }

    /** The containers of the selected Pod (none when no pod is selected). */
    public List<String> selectedContainers() {
        Row r = selected();
        if (r == null || kind == null || !kind.kind().equals("Pod")) {
            return List.of();
        }
        return containerNames(r.object());
    }

    static List<String> containerNames(GenericKubernetesResource pod) {
        List<String> out = new java.util.ArrayList<>();
        if (pod.get("spec", "containers") instanceof List<?> containers) {
            for (Object c : containers) {
                if (c instanceof java.util.Map<?, ?> m && m.get("name") instanceof String n) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** Opens a terminal into the selected pod; asks which container when it has several. */
    public void terminal() {
        Row r = selected();
        if (r == null || !kind.kind().equals("Pod")) {
            return;
        }
        List<String> containers = containerNames(r.object());
        if (containers.size() <= 1) {
            workbench.openTerminal(r.object(), containers.isEmpty() ? null : containers.getFirst());
            return;
        }
        javafx.scene.control.ChoiceDialog<String> choose = new javafx.scene.control.ChoiceDialog<>(containers.getFirst(), containers);
        choose.setTitle("Terminal");
        choose.setHeaderText("Open a terminal into which container of " + r.name() + "?");
        choose.setContentText("Container");
        choose.initOwner(root.getScene() == null ? null : root.getScene().getWindow());
        choose.showAndWait().ifPresent(c -> workbench.openTerminal(r.object(), c));
    }

    /** Opens a terminal into {@code container} of the selected pod. */
    public void terminal(String container) {
        Row r = selected();
        if (r != null && kind.kind().equals("Pod")) {
            workbench.openTerminal(r.object(), container);
        }
    }

    /** Starts a port-forward to the selected Pod or Service. */
    public void portForward() {
        Row r = selected();
        if (r != null && (kind.kind().equals("Pod") || kind.kind().equals("Service"))) {
            workbench.openPortForward(r.object());
        }
    }

    /** Opens the node wizard to upgrade or remove the selected node. */
    public void nodeWizard(dev.berth.app.nodes.NodeWizard.Mode mode) {
        Row r = selected();
        if (r != null && kind.kind().equals("Node")) {
            workbench.openNodeWizard(mode, r.object());
        }
    }

    private boolean confirm(String title, String message, String action) {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, message, new ButtonType(action, ButtonBar.ButtonData.OK_DONE),
                ButtonType.CANCEL);
        a.setTitle(title);
        a.setHeaderText(title);
        a.initOwner(root.getScene() == null ? null : root.getScene().getWindow());
        return a.showAndWait().map(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE).orElse(false);
    }

    /** Stops feeding the tables; the caches themselves belong to the session. */
    public void close() {
        closed = true;
        feeds.forEach((k, f) -> session.cache(k).removeListener(f));
        feeds.clear();
    }

    /** Numbers compare as numbers inside strings: pod-2 before pod-10, 9/10 before 10/10. */
    static final class NaturalOrder implements Comparator<String> {
        static final NaturalOrder INSTANCE = new NaturalOrder();

        @Override
        public int compare(String a, String b) {
            int i = 0;
            int j = 0;
            while (i < a.length() && j < b.length()) {
                char ca = a.charAt(i);
                char cb = b.charAt(j);
                if (Character.isDigit(ca) && Character.isDigit(cb)) {
                    int si = i;
                    int sj = j;
                    while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                    while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                    String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                    String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                    int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                    if (c != 0) {
                        return c;
                    }
                } else {
                    if (ca != cb) {
                        return Character.compare(ca, cb);
                    }
                    i++;
                    j++;
                }
            }
            return Integer.compare(a.length() - i, b.length() - j);
        }
    }
}
