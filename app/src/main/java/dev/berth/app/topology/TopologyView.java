package dev.berth.app.topology;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.Kinds;
import dev.berth.app.cluster.ResourceCache;
import dev.berth.app.cluster.ResourceKind;
import dev.berth.app.explorer.DetailsPane;
import dev.berth.app.explorer.NamespaceChoice;
import dev.berth.app.fx.FxBatcher;
import dev.berth.app.fx.FxTasks;
import dev.berth.app.topology.canvas.TopologyCanvas;
import dev.berth.app.topology.compose.ClusterSnapshot;
import dev.berth.app.topology.compose.CommandStack;
import dev.berth.app.topology.compose.ComposeController;
import dev.berth.app.topology.compose.DraftSet;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.ObjectChange;
import dev.berth.app.topology.model.TopologyDelta;
import dev.berth.app.topology.model.TopologyElement;
import dev.berth.app.topology.model.TopologyModel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The topology view: the canvas of one namespace (or all, grouped), fed live from the session's
 * caches, with a namespace choice, the workload / by-node switch, search with focus, zoom to fit,
 * and the details pane of the selected element.
 */
public final class TopologyView implements AutoCloseable {
    public static final String ALL_NAMESPACES = NamespaceChoice.ALL;
    /** EndpointSlices are not in the explorer's kinds; the topology reads them for endpoint readiness. */
    public static final ResourceKind ENDPOINT_SLICE = new ResourceKind(Kinds.NETWORK, "EndpointSlice", "discovery.k8s.io", "v1",
            "endpointslices", true);
    static final List<ResourceKind> KINDS = List.of(Kinds.NODE, Kinds.INGRESS, Kinds.SERVICE, ENDPOINT_SLICE, Kinds.DEPLOYMENT,
            Kinds.STATEFUL_SET, Kinds.DAEMON_SET, Kinds.CRON_JOB, Kinds.JOB, Kinds.REPLICA_SET, Kinds.POD, Kinds.CONFIG_MAP,
            Kinds.SECRET, Kinds.PVC);

    private final ClusterSession session;
    private final TopologyCanvas canvas;
    private final DetailsPane details;
    private final BorderPane root = new BorderPane();
    private final ComboBox<String> namespace = new ComboBox<>();
    private final TextField search = new TextField();
    private final Label status = new Label();
    private final ToggleButton byWorkload = new ToggleButton("Workloads");
    private final ToggleButton byNode = new ToggleButton("By node");
    private final ToggleButton composing = new ToggleButton("Compose");
    private final FxTasks tasks;
    private SplitPane split;
    /** The compose tools, made the first time Compose is switched on and kept with their drafts. */
    private ComposeController compose;
    private final FxBatcher<ObjectChange> batcher;
    private final List<Map.Entry<ResourceCache, Consumer<ResourceCache.Change>>> listeners = new ArrayList<>();
    private int searchIndex;
    private String lastSearch = "";

    public TopologyView(ClusterSession session, FxTasks tasks, String initialNamespace) {
        this.session = session;
        this.tasks = tasks;
        this.canvas = new TopologyCanvas(tasks);
        this.details = new DetailsPane(session, target -> {});
        this.batcher = new FxBatcher<>(tasks::ui, this::applyBatch);

        namespace.setId("topology-namespace");
        namespace.getItems().add(ALL_NAMESPACES);
        namespace.setValue(initialNamespace == null ? ALL_NAMESPACES : initialNamespace);
        namespace.setOnShowing(e -> refreshNamespaces());
        namespace.valueProperty().addListener((obs, o, n) -> {
            if (n != null && !n.equals(o)) {
                rebuild();
            }
        });
        ToggleGroup modes = new ToggleGroup();
        byWorkload.setToggleGroup(modes);
        byNode.setToggleGroup(modes);
        byWorkload.setId("topology-mode-workloads");
        byNode.setId("topology-mode-nodes");
        byWorkload.setSelected(true);
        modes.selectedToggleProperty().addListener((obs, o, n) -> {
            if (n == null) {
                o.setSelected(true);
            } else {
                canvas.setMode(n == byNode ? TopologyCanvas.Mode.NODES : TopologyCanvas.Mode.WORKLOADS);
            }
        });
        search.setId("topology-search");
        search.setPromptText("Find by name (Enter: next)");
        search.setOnAction(e -> find(search.getText()));
        Button fit = new Button("Fit");
        fit.setId("topology-fit");
        fit.setTooltip(new Tooltip("Zoom to show everything"));
        fit.setOnAction(e -> canvas.zoomToFit());
        Button relayout = new Button("Re-layout");
        relayout.setId("topology-relayout");
        relayout.setTooltip(new Tooltip("Lay everything out again; boxes you moved stay where you put them"));
        relayout.setOnAction(e -> canvas.relayout());
        status.setId("topology-status");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        composing.setId("topology-compose");
        composing.setTooltip(new Tooltip("Compose: drag images, templates and kinds onto the canvas, connect them, then apply"));
        composing.selectedProperty().addListener((obs, o, on) -> setComposing(on));
        ToolBar bar = new ToolBar(namespace, byWorkload, byNode, search, fit, relayout, composing, spacer, status);

        canvas.onSelect(this::selected);
        split = new SplitPane(canvas, details.view());
        split.setDividerPositions(0.72);
        SplitPane.setResizableWithParent(details.view(), false);
        root.setTop(bar);
        root.setCenter(split);
        root.setId("topology-view");

        canvas.setModel(new TopologyModel(namespaceFilter()));
        for (ResourceKind k : KINDS) {
            ResourceCache cache = session.cache(k);
            Consumer<ResourceCache.Change> l = c -> batcher.add(new ObjectChange(k.kind(), c.type() == ResourceCache.Type.DELETED, c.object()));
            listeners.add(Map.entry(cache, l));
            cache.addListener(l);
        }
    }

    public Node view() {
        return root;
    }

    public TopologyCanvas canvas() {
        return canvas;
    }

    public DetailsPane details() {
        return details;
    }

    public TopologyModel model() {
        return canvas.model();
    }

    public void setDark(boolean dark) {
        canvas.setDark(dark);
    }

    /** The namespace shown, null for all. */
    public String namespaceFilter() {
        String v = namespace.getValue();
        return v == null || ALL_NAMESPACES.equals(v) ? null : v;
    }

    /** Shows {@code ns} (null: all namespaces). */
    public void showNamespace(String ns) {
        if (ns != null && !namespace.getItems().contains(ns)) {
            namespace.getItems().add(ns);
        }
        namespace.setValue(ns == null ? ALL_NAMESPACES : ns);
    }

    private void applyBatch(List<ObjectChange> batch) {
        if (session.isClosed()) {
            return;
        }
        TopologyDelta d = canvas.model().apply(batch);
        if (!d.isEmpty()) {
            canvas.apply(d);
            refreshDetails(d);
        }
        updateStatus();
    }

    /** A new namespace choice: a new model from what the caches hold now. */
    private void rebuild() {
        TopologyModel m = new TopologyModel(namespaceFilter());
        List<ObjectChange> all = new ArrayList<>();
        for (Map.Entry<ResourceCache, Consumer<ResourceCache.Change>> e : listeners) {
            String kind = e.getKey().kind().kind();
            for (GenericKubernetesResource o : e.getKey().list()) {
                all.add(ObjectChange.upsert(kind, o));
            }
        }
        m.apply(all);
        canvas.setModel(m);
        details.show(null, null);
        updateStatus();
    }

    private void refreshNamespaces() {
        NamespaceChoice.refresh(namespace, session);
    }

    /** The compose tools, once Compose was switched on; empty before. */
    public java.util.Optional<ComposeController> compose() {
        return java.util.Optional.ofNullable(compose);
    }

    /**
     * Switches the compose tools (palette, inspector, drafts, apply) around the canvas on or off.
     * Drafts are kept while they are off. They compose into the namespace shown, or default.
     */
    public void setComposing(boolean on) {
        if (composing.isSelected() != on) {
            composing.setSelected(on);
            return;
        }
        if (!on) {
            split.getItems().set(0, canvas);
            return;
        }
        if (compose != null) {
            compose.attachCanvas();
            split.getItems().set(0, compose.view());
            return;
        }
        String ns = namespaceFilter() == null ? "default" : namespaceFilter();
        composing.setDisable(true);
        status.setText("Reading " + ns + " to compose in it…");
        var client = session.client();
        tasks.run(() -> Map.entry(ClusterSnapshot.of(client, ns),
                        ComposeController.nodeImages(client.genericKubernetesResources("v1", "Node").list().getItems())))
                .onSuccess(read -> {
                    composing.setDisable(false);
                    status.setText("");
                    if (!composing.isSelected()) {
                        return;
                    }
                    compose = new ComposeController(canvas, new CommandStack(new DraftSet(read.getKey())), tasks,
                            session::client, ns);
                    compose.setImages(read.getValue());
                    split.getItems().set(0, compose.view());
                })
                .onFailure(e -> {
                    composing.setDisable(false);
                    composing.setSelected(false);
                    status.setText("Cannot compose in " + ns + ": " + e.getMessage());
                })
                .start();
    }

    private void selected(ElementId id) {
        TopologyElement e = id == null ? null : canvas.model().get(id);
        if (e == null || e.object() == null) {
            details.show(null, null);
            return;
        }
        ResourceKind k = Kinds.byKind(e.kind()).orElse(null);
        if (k != null) {
            details.show(k, e.object());
        }
    }

    private void refreshDetails(TopologyDelta d) {
        ElementId sel = canvas.selected();
        if (sel == null) {
            return;
        }
        for (TopologyElement e : d.restyled()) {
            if (e.id().equals(sel) && e.object() != null) {
                details.refresh(e.object());
            }
        }
    }

    /**
     * Focuses the next element whose name contains {@code text} (ignoring case): workloads, Services
     * and Ingresses before pods. Says in the status label when nothing matches.
     */
    public boolean find(String text) {
        String q = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (q.isEmpty()) {
            return false;
        }
        List<TopologyElement> matches = new ArrayList<>();
        for (TopologyElement e : canvas.model().elements()) {
            if (e.name().toLowerCase(Locale.ROOT).contains(q)) {
                matches.add(e);
            }
        }
        matches.sort(java.util.Comparator.comparing((TopologyElement e) -> e.isPod() ? 1 : 0)
                .thenComparing(e -> e.name().toLowerCase(Locale.ROOT).equals(q) ? 0 : 1)
                .thenComparing(TopologyElement::id));
        if (matches.isEmpty()) {
            status.setText("Nothing named like \"" + text.trim() + "\" here");
            return false;
        }
        searchIndex = q.equals(lastSearch) ? (searchIndex + 1) % matches.size() : 0;
        lastSearch = q;
        TopologyElement target = matches.get(searchIndex);
        boolean ok = canvas.focus(target.id());
        status.setText((searchIndex + 1) + " of " + matches.size() + ": " + target.id());
        return ok;
    }

    private void updateStatus() {
        if (!lastSearch.isEmpty()) {
            return;
        }
        long pods = canvas.model().elements().stream().filter(TopologyElement::isPod).count();
        status.setText(canvas.model().size() - pods + " objects, " + pods + " pods");
    }

    @Override
    public void close() {
        for (Map.Entry<ResourceCache, Consumer<ResourceCache.Change>> e : listeners) {
            e.getKey().removeListener(e.getValue());
        }
        listeners.clear();
    }
}
