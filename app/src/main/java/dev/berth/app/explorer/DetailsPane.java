package dev.berth.app.explorer;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.Kinds;
import dev.berth.app.cluster.ResourceKind;
import dev.berth.app.editor.YamlHighlighter;
import dev.berth.app.editor.YamlText;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import javafx.beans.property.SimpleStringProperty;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The selected object: its conditions, owners and children, its events, and its YAML (Secret
 * values masked until "Reveal values" is pressed).
 */
public final class DetailsPane {
    /** One condition row. */
    public record Condition(String type, String status, String reason, String message, String lastTransition) {}

    private final ClusterSession session;
    private final BorderPane root = new BorderPane();
    private final Label title = new Label("Nothing selected");
    private final TableView<Condition> conditions = new TableView<>();
    private final ListView<String> owners = new ListView<>();
    private final ListView<String> children = new ListView<>();
    private final ListView<String> events = new ListView<>();
    private final CodeArea yaml = new CodeArea();
    private final ToggleButton reveal = new ToggleButton("Reveal values");
    private final TabPane tabs;
    private final List<java.util.function.BiConsumer<ResourceKind, GenericKubernetesResource>> extraTabs = new ArrayList<>();
    private ResourceKind kind;
    private volatile GenericKubernetesResource object;
    /** Child kinds whose caches this pane listens to, so that children appearing later are shown. */
    private final java.util.Set<String> childWatches = new java.util.HashSet<>();
    private final java.util.concurrent.atomic.AtomicBoolean childRefreshPending = new java.util.concurrent.atomic.AtomicBoolean();

    public DetailsPane(ClusterSession session, Consumer<String> onNavigate) {
        this.session = session;
        title.getStyleClass().add("title-4");
        title.setId("details-title");
        addColumn("Type", Condition::type, 110);
        addColumn("Status", Condition::status, 60);
        addColumn("Reason", Condition::reason, 130);
        addColumn("Message", Condition::message, 260);
        conditions.setPlaceholder(new Label("No conditions"));
        conditions.setPrefHeight(150);
        conditions.setMinHeight(120);
        conditions.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        owners.setPlaceholder(new Label("No owners"));
        owners.setPrefHeight(60);
        children.setPlaceholder(new Label("No children"));
        children.setId("details-children");
        children.setPrefHeight(120);
        events.setId("details-events");
        events.setPlaceholder(new Label("No events for this object"));
        yaml.setEditable(false);
        yaml.setId("details-yaml");
        yaml.getStyleClass().add("yaml-area");
        reveal.setId("details-reveal");
        reveal.setOnAction(e -> showYaml());
        VBox summary = new VBox(6, section("Conditions"), conditions, section("Owners"), owners, section("Children"), children);
        // conditions take the room there is; owners and children are short lists
        VBox.setVgrow(conditions, javafx.scene.layout.Priority.ALWAYS);
        summary.setPadding(new Insets(6));
        BorderPane yamlPane = new BorderPane(new VirtualizedScrollPane<>(yaml));
        HBox yamlBar = new HBox(6, reveal);
        yamlBar.setPadding(new Insets(4));
        yamlPane.setTop(yamlBar);
        Tab summaryTab = new Tab("Summary", summary);
        Tab eventsTab = new Tab("Events", events);
        Tab yamlTab = new Tab("YAML", yamlPane);
        yamlTab.setId("details-yaml-tab");
        tabs = new TabPane(summaryTab, eventsTab, yamlTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        HBox header = new HBox(6);
        header.setPadding(new Insets(6));
        header.getChildren().add(title);
        root.setTop(header);
        root.setCenter(tabs);
        root.getStyleClass().add("details-pane");
    }

    private static Label section(String s) {
        Label l = new Label(s);
        l.getStyleClass().add("text-bold");
        return l;
    }

    private void addColumn(String name, java.util.function.Function<Condition, String> f, double width) {
        TableColumn<Condition, String> c = new TableColumn<>(name);
        c.setCellValueFactory(cd -> new SimpleStringProperty(f.apply(cd.getValue())));
        c.setPrefWidth(width);
        conditions.getColumns().add(c);
    }

    public Node view() {
        return root;
    }

    /** Adds a tab (before the YAML) told of every object shown, and of null when nothing is. */
    public void addTab(String name, String id, Node content, java.util.function.BiConsumer<ResourceKind, GenericKubernetesResource> onShow) {
        Tab t = new Tab(name, content);
        t.setId(id);
        tabs.getTabs().add(tabs.getTabs().size() - 1, t);
        extraTabs.add(onShow);
        onShow.accept(kind, object);
    }

    /** Shows {@code o} (or clears the pane for null). */
    public void show(ResourceKind k, GenericKubernetesResource o) {
        if (session.isClosed()) {
            return;
        }
        boolean sameObject = o != null && object != null && java.util.Objects.equals(o.getMetadata().getUid(), object.getMetadata().getUid());
        this.kind = k;
        this.object = o;
        extraTabs.forEach(t -> t.accept(k, o));
        if (!sameObject) {
            reveal.setSelected(false);
        }
        if (o == null) {
            title.setText("Nothing selected");
            title.setGraphic(null);
            conditions.getItems().clear();
            owners.getItems().clear();
            children.getItems().clear();
            events.getItems().clear();
            yaml.clear();
            return;
        }
        String ns = o.getMetadata().getNamespace();
        title.setText(k.kind() + " " + (ns == null || ns.isEmpty() ? "" : ns + "/") + o.getMetadata().getName());
        title.setGraphic(dev.berth.app.shell.KindIcons.forKind(k.kind(), 16));
        conditions.getItems().setAll(conditions(o));
        List<String> ownerList = new ArrayList<>();
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs != null) {
            for (OwnerReference r : refs) {
                ownerList.add(r.getKind() + " " + r.getName() + (Boolean.TRUE.equals(r.getController()) ? " (controller)" : ""));
            }
        }
        owners.getItems().setAll(ownerList);
        renderChildren();
        for (ResourceKind ck : Kinds.childKinds(k)) {
            if (childWatches.add(ck.kind())) {
                session.cache(ck).addListener(this::childChanged);
            }
        }
        events.getItems().setAll(events(o));
        reveal.setVisible(YamlText.isSecret(o));
        showYaml();
    }

    /** The shown object's children, from the caches of its child kinds; FX thread. */
    private void renderChildren() {
        GenericKubernetesResource o = object;
        if (o == null || kind == null) {
            children.getItems().clear();
            return;
        }
        List<String> childList = new ArrayList<>();
        for (ResourceKind ck : Kinds.childKinds(kind)) {
            for (GenericKubernetesResource c : session.cache(ck).ownedBy(o.getMetadata().getUid())) {
                childList.add(ck.kind() + " " + c.getMetadata().getName());
            }
        }
        childList.sort(Comparator.naturalOrder());
        children.getItems().setAll(childList);
    }

    /** A child kind's cache changed (any thread): re-render the children once if the change is the shown object's. */
    private void childChanged(dev.berth.app.cluster.ResourceCache.Change change) {
        GenericKubernetesResource shown = object;
        if (shown == null || change.object().getMetadata().getOwnerReferences() == null) {
            return;
        }
        boolean ours = change.object().getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> java.util.Objects.equals(r.getUid(), shown.getMetadata().getUid()));
        if (ours && childRefreshPending.compareAndSet(false, true)) {
            javafx.application.Platform.runLater(() -> {
                childRefreshPending.set(false);
                if (!session.isClosed()) renderChildren();
            });
        }
    }

    /** Refreshes when the shown object changed. */
    public void refresh(GenericKubernetesResource latest) {
        if (kind != null && latest != null) {
            show(kind, latest);
        }
    }

    public GenericKubernetesResource object() {
        return object;
    }

    public String yamlText() {
        return yaml.getText();
    }

    private void showYaml() {
        if (object == null) {
            return;
        }
        String text = YamlText.forReading(object, reveal.isSelected());
        yaml.replaceText(text);
        yaml.setStyleSpans(0, YamlHighlighter.highlight(text));
        yaml.moveTo(0);
        yaml.requestFollowCaret();
    }

    @SuppressWarnings("unchecked")
    static List<Condition> conditions(GenericKubernetesResource o) {
        Object list = o.get("status", "conditions");
        List<Condition> out = new ArrayList<>();
        if (list instanceof List<?> l) {
            for (Object x : l) {
                if (x instanceof Map<?, ?> m) {
                    Map<String, Object> c = (Map<String, Object>) m;
                    out.add(new Condition(s(c.get("type")), s(c.get("status")), s(c.get("reason")), s(c.get("message")),
                            s(c.get("lastTransitionTime"))));
                }
            }
        }
        return out;
    }

    private List<String> events(GenericKubernetesResource o) {
        String uid = o.getMetadata().getUid();
        List<GenericKubernetesResource> matching = new ArrayList<>();
        for (GenericKubernetesResource e : session.cache(Kinds.EVENT).list()) {
            if (uid != null && uid.equals(e.get("involvedObject", "uid"))) {
                matching.add(e);
            }
        }
        matching.sort(Comparator.comparing(DetailsPane::eventTime).reversed());
        List<String> out = new ArrayList<>();
        for (GenericKubernetesResource e : matching) {
            Object count = e.get("count");
            out.add(eventTime(e) + "  " + s(e.get("type")) + "  " + s(e.get("reason")) + "  " + s(e.get("message"))
                    + (count instanceof Number n && n.intValue() > 1 ? "  (x" + n + ")" : ""));
        }
        return out;
    }

    private static String eventTime(GenericKubernetesResource e) {
        String t = s(e.get("lastTimestamp"));
        if (t.isEmpty()) {
            t = s(e.get("eventTime"));
        }
        return t.isEmpty() ? s(e.getMetadata().getCreationTimestamp()) : t;
    }

    private static String s(Object o) {
        return o == null ? "" : o.toString();
    }
}
