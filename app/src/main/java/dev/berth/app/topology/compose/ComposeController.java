package dev.berth.app.topology.compose;

import dev.berth.app.fx.FxTasks;
import dev.berth.app.topology.canvas.Hit;
import dev.berth.app.topology.canvas.TopologyCanvas;
import dev.berth.app.topology.model.EdgeType;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.TopologyEdge;
import dev.berth.app.topology.model.TopologyElement;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.ToolBar;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Line;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The compose tools around a topology canvas: a palette (images, templates, kinds) whose items
 * are dragged onto the canvas with in-scene mouse gestures (press on an item, a ghost follows the
 * mouse, release on a target), edges drawn with Shift+drag from a Service or an Ingress, the
 * drafts shown dashed on the canvas with their problems, an inspector for replicas and image,
 * and Undo/Redo (Ctrl+Z, Ctrl+Shift+Z), Validate, Apply (with the diff first), Export and Import.
 */
public final class ComposeController {
    /** What a palette item drops. */
    public record PaletteItem(Type type, String value) {
        public enum Type { IMAGE, TEMPLATE, KIND }

        public String label() {
            return type == Type.TEMPLATE ? Template.valueOf(value).title() : value;
        }
    }

    private final TopologyCanvas canvas;
    private final CommandStack stack;
    private final DraftSet drafts;
    private final FxTasks tasks;
    private final Supplier<KubernetesClient> client;
    private final String namespace;
    private final StackPane root = new StackPane();
    private final BorderPane layout = new BorderPane();
    private final Pane dragLayer = new Pane();
    private final VBox images = new VBox(2);
    private final Label status = new Label("Drag an image, a template or a kind onto the canvas.");
    private final VBox inspector = new VBox(6);
    private final Button undo = new Button("Undo");
    private final Button redo = new Button("Redo");
    private final Map<ElementId, DraftKey> shown = new HashMap<>();
    private final Map<DraftKey, Point2D> dropPoints = new HashMap<>();
    private PaletteItem dragging;
    private Label ghost;
    private ElementId edgeFrom;
    private Line edgeLine;

    public ComposeController(TopologyCanvas canvas, CommandStack stack, FxTasks tasks, Supplier<KubernetesClient> client,
                             String namespace) {
        this.canvas = canvas;
        this.stack = stack;
        this.drafts = stack.drafts();
        this.tasks = tasks;
        this.client = client;
        this.namespace = namespace;
        build();
        drafts.addListener(this::syncCanvas);
        canvas.onSelect(id -> showInspector(id));
    }

    public Node view() {
        return root;
    }

    /** Puts the canvas back in the middle of the compose tools (after it was shown without them). */
    public void attachCanvas() {
        layout.setCenter(canvas);
    }

    public CommandStack stack() {
        return stack;
    }

    public String statusText() {
        return status.getText();
    }

    /** The images offered in the palette (those on the nodes, from Node status.images). */
    public void setImages(List<String> names) {
        images.getChildren().setAll(names.stream().map(n -> item(new PaletteItem(PaletteItem.Type.IMAGE, n))).toList());
    }

    /**
     * The images the nodes report in {@code status.images}, for the palette: each by its tagged
     * names (digest-only names and {@code <none>} left out), once, sorted.
     */
    public static List<String> nodeImages(java.util.Collection<GenericKubernetesResource> nodes) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        for (GenericKubernetesResource n : nodes) {
            List<Map<String, Object>> images = n.get("status", "images");
            for (Map<String, Object> image : images == null ? List.<Map<String, Object>>of() : images) {
                if (image.get("names") instanceof List<?> names) {
                    for (Object name : names) {
                        if (name instanceof String s && !s.contains("@") && !s.contains("<none>")) {
                            out.add(s);
                        }
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private void build() {
        TextField typed = new TextField();
        typed.setId("compose-image-name");
        typed.setPromptText("any image, e.g. nginx:1.27.3");
        Label typedItem = item(new PaletteItem(PaletteItem.Type.IMAGE, ""));
        typedItem.setId("compose-typed-image");
        typedItem.textProperty().bind(typed.textProperty().map(t -> t.isBlank() ? "(type an image above)" : t));
        typed.textProperty().addListener((o, a, b) -> typedItem.setUserData(new PaletteItem(PaletteItem.Type.IMAGE, b.strip())));

        VBox templates = new VBox(2);
        for (Template t : Template.values()) {
            templates.getChildren().add(item(new PaletteItem(PaletteItem.Type.TEMPLATE, t.name())));
        }
        VBox kinds = new VBox(2);
        for (String k : NewObject.KINDS) {
            kinds.getChildren().add(item(new PaletteItem(PaletteItem.Type.KIND, k)));
        }
        VBox palette = new VBox(6,
                new TitledPane("Images", new VBox(4, typed, typedItem, images)),
                new TitledPane("Templates", templates),
                new TitledPane("Kinds", kinds));
        palette.setId("compose-palette");
        palette.setPadding(new Insets(4));
        palette.setPrefWidth(220);

        undo.setId("compose-undo");
        undo.setOnAction(e -> undo());
        redo.setId("compose-redo");
        redo.setOnAction(e -> redo());
        Button validate = new Button("Validate");
        validate.setId("compose-validate");
        validate.setOnAction(e -> validate());
        Button apply = new Button("Apply…");
        apply.setId("compose-apply");
        apply.getStyleClass().add("accent");
        apply.setOnAction(e -> showDiffThenApply());
        Button export = new Button("Export…");
        export.setId("compose-export");
        export.setOnAction(e -> exportDialog());
        Button importFolder = new Button("Import folder…");
        importFolder.setId("compose-import-folder");
        importFolder.setOnAction(e -> importFolder());
        Button importCompose = new Button("Import compose file…");
        importCompose.setId("compose-import-compose");
        importCompose.setOnAction(e -> importCompose());
        ToolBar bar = new ToolBar(undo, redo, validate, apply, export, importFolder, importCompose);

        inspector.setId("compose-inspector");
        inspector.setPadding(new Insets(6));
        inspector.setPrefWidth(260);
        status.setId("compose-status");
        status.setWrapText(true);

        layout.setTop(bar);
        layout.setLeft(new ScrollPane(palette));
        layout.setCenter(canvas);
        ScrollPane inspectorScroll = new ScrollPane(inspector);
        inspectorScroll.setFitToWidth(true);
        inspectorScroll.setPrefWidth(290);
        inspectorScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        layout.setRight(inspectorScroll);
        layout.setBottom(status);
        dragLayer.setMouseTransparent(true);
        dragLayer.setPickOnBounds(false);
        root.getChildren().addAll(layout, dragLayer);

        root.addEventFilter(MouseEvent.MOUSE_PRESSED, this::pressed);
        root.addEventFilter(MouseEvent.MOUSE_DRAGGED, this::dragged);
        root.addEventFilter(MouseEvent.MOUSE_RELEASED, this::released);
        canvas.addGestureHandler(MouseEvent.MOUSE_PRESSED, this::edgePressed);
        canvas.addGestureHandler(MouseEvent.MOUSE_DRAGGED, this::edgeDragged);
        canvas.addGestureHandler(MouseEvent.MOUSE_RELEASED, this::edgeReleased);
        root.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.isShortcutDown() && e.getCode() == KeyCode.Z) {
                if (e.isShiftDown()) redo(); else undo();
                e.consume();
            }
        });
        refreshButtons();
    }

    private Label item(PaletteItem p) {
        Label l = new Label(p.label());
        l.setUserData(p);
        l.getStyleClass().add("compose-palette-item");
        l.setId("palette-" + p.type().name().toLowerCase(java.util.Locale.ROOT) + "-" + Names.label(p.label(), "item"));
        l.setMaxWidth(Double.MAX_VALUE);
        l.setPadding(new Insets(3, 6, 3, 6));
        return l;
    }

    // ---- palette drags: in-scene gestures

    private void pressed(MouseEvent e) {
        PaletteItem p = paletteItemAt(e.getPickResult().getIntersectedNode());
        if (p == null || p.value().isBlank()) {
            return;
        }
        dragging = p;
        ghost = new Label(p.label());
        ghost.setId("compose-ghost");
        ghost.setStyle("-fx-background-color: rgba(80,140,220,0.85); -fx-text-fill: white; -fx-padding: 3 8 3 8;"
                + " -fx-background-radius: 4;");
        dragLayer.getChildren().add(ghost);
        moveGhost(e);
        e.consume();
    }

    private void dragged(MouseEvent e) {
        if (dragging != null) {
            moveGhost(e);
            e.consume();
        }
    }

    private void released(MouseEvent e) {
        if (dragging == null) {
            return;
        }
        PaletteItem p = dragging;
        dragging = null;
        dragLayer.getChildren().remove(ghost);
        ghost = null;
        e.consume();
        Point2D local = canvas.sceneToLocal(e.getSceneX(), e.getSceneY());
        if (local == null || !canvas.getLayoutBounds().contains(local)) {
            status.setText("Dropped outside the canvas: nothing changed.");
            return;
        }
        drop(p, e.getSceneX(), e.getSceneY());
    }

    private void moveGhost(MouseEvent e) {
        Point2D p = dragLayer.sceneToLocal(e.getSceneX(), e.getSceneY());
        ghost.relocate(p.getX() + 8, p.getY() + 8);
    }

    private static PaletteItem paletteItemAt(Node n) {
        for (Node x = n; x != null; x = x.getParent()) {
            if (x.getUserData() instanceof PaletteItem p) {
                return p;
            }
        }
        return null;
    }

    /** What a palette item does when released at a scene point over the canvas. */
    public void drop(PaletteItem p, double sceneX, double sceneY) {
        Hit hit = canvas.hitTest(sceneX, sceneY).orElse(null);
        Point2D world = canvas.sceneToWorld(new Point2D(sceneX, sceneY));
        DraftKey target = hit == null ? null : workloadOf(hit);
        run(() -> {
            switch (p.type()) {
                case IMAGE -> {
                    if (target != null) {
                        String name = stack.execute(new AddSidecar(target, p.value()));
                        status.setText("Added container " + name + " to " + target.shortName() + ".");
                    } else {
                        DraftKey k = stack.execute(new NewDeployment(namespace, p.value()));
                        dropPoints.put(k, world);
                        syncCanvas();
                        status.setText("New Deployment " + k.name() + " (a draft).");
                    }
                }
                case TEMPLATE -> {
                    List<DraftKey> keys = stack.execute(new AddTemplate(Template.valueOf(p.value()), namespace));
                    dropPoints.put(keys.getFirst(), world);
                    syncCanvas();
                    status.setText("Added " + keys.size() + " drafts from the " + Template.valueOf(p.value()).title() + " template.");
                }
                case KIND -> dropKind(p.value(), target, world, sceneX, sceneY);
            }
        });
    }

    private void dropKind(String kind, DraftKey target, Point2D world, double sceneX, double sceneY) {
        boolean attachable = kind.equals("ConfigMap") || kind.equals("Secret") || kind.equals("PersistentVolumeClaim");
        if (!attachable || target == null) {
            DraftKey k = stack.execute(new NewObject(kind, namespace, null));
            dropPoints.put(k, world);
            syncCanvas();
            status.setText("New " + kind + " " + k.name() + " (a draft).");
            return;
        }
        String container = firstContainer(target);
        if (kind.equals("PersistentVolumeClaim")) {
            stack.beginGesture("Mount a new claim in " + target.shortName());
            try {
                DraftKey claim = stack.execute(new NewObject(kind, namespace, null));
                stack.execute(new AttachClaim(target, container, claim, null));
                stack.endGesture();
                status.setText("Claim " + claim.name() + " mounted at " + AttachClaim.defaultMountPath(claim) + ".");
            } catch (RuntimeException ex) {
                stack.cancelGesture();
                throw ex;
            }
            return;
        }
        ContextMenu how = new ContextMenu();
        for (AttachConfig.Mode mode : AttachConfig.Mode.values()) {
            MenuItem mi = new MenuItem(mode == AttachConfig.Mode.ENVIRONMENT ? "As environment variables"
                    : "As files in a volume");
            mi.setId("compose-attach-" + mode.name().toLowerCase(java.util.Locale.ROOT));
            mi.setOnAction(e -> run(() -> {
                stack.beginGesture("Attach a new " + kind + " to " + target.shortName());
                try {
                    DraftKey cfg = stack.execute(new NewObject(kind, namespace, null));
                    stack.execute(new AttachConfig(target, container, cfg, mode, null));
                    stack.endGesture();
                    status.setText(kind + " " + cfg.name() + (mode == AttachConfig.Mode.ENVIRONMENT ? " as environment of "
                            : " mounted at " + AttachConfig.defaultMountPath(cfg) + " in ") + container + ".");
                } catch (RuntimeException ex) {
                    stack.cancelGesture();
                    throw ex;
                }
            }));
            how.getItems().add(mi);
        }
        how.show(canvas, sceneX + canvas.getScene().getWindow().getX(), sceneY + canvas.getScene().getWindow().getY());
    }

    private String firstContainer(DraftKey workload) {
        Workload w = Workload.of(drafts, workload);
        if (w.containers().isEmpty()) {
            throw new CompositionException(workload, dev.berth.core.api.FieldError.required(w.podSpecPath() + ".containers",
                    "the pod has no container to attach to"));
        }
        return w.containers().getFirst().getName();
    }

    /** The workload behind a hit: the element itself, or for a pod cell its box's owner. */
    private DraftKey workloadOf(Hit hit) {
        ElementId id = hit.id();
        if (id.kind().equals("Pod") && hit.container() != null) {
            id = hit.container();
        }
        if (id.kind().equals("ReplicaSet")) {
            TopologyElement rs = canvas.model().get(id);
            GenericKubernetesResource o = rs == null ? null : rs.object();
            if (o != null && o.getMetadata().getOwnerReferences() != null) {
                for (var ref : o.getMetadata().getOwnerReferences()) {
                    if ("Deployment".equals(ref.getKind())) {
                        return new DraftKey("apps", "Deployment", id.namespace(), ref.getName());
                    }
                }
            }
        }
        if (!Workload.KINDS.contains(id.kind())) {
            return null;
        }
        return keyOf(id);
    }

    private DraftKey keyOf(ElementId id) {
        DraftKey k = shown.get(id);
        if (k != null) {
            return k;
        }
        String group = switch (id.kind()) {
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet" -> "apps";
            case "Job", "CronJob" -> "batch";
            case "Ingress" -> "networking.k8s.io";
            default -> "";
        };
        return new DraftKey(group, id.kind(), id.namespace(), id.name());
    }

    // ---- edges: Shift+drag from a Service or an Ingress

    private void edgePressed(MouseEvent e) {
        if (!e.isShiftDown()) {
            return;
        }
        Hit hit = canvas.hitTest(e.getSceneX(), e.getSceneY()).orElse(null);
        if (hit == null || !(hit.kind().equals("Service") || hit.kind().equals("Ingress"))) {
            return;
        }
        edgeFrom = hit.id();
        Point2D p = canvas.overlay().sceneToLocal(e.getSceneX(), e.getSceneY());
        edgeLine = new Line(p.getX(), p.getY(), p.getX(), p.getY());
        edgeLine.setId("compose-edge-preview");
        edgeLine.getStrokeDashArray().setAll(6.0, 4.0);
        edgeLine.setMouseTransparent(true);
        canvas.overlay().getChildren().add(edgeLine);
        e.consume();
    }

    private void edgeDragged(MouseEvent e) {
        if (edgeFrom != null) {
            Point2D p = canvas.overlay().sceneToLocal(e.getSceneX(), e.getSceneY());
            edgeLine.setEndX(p.getX());
            edgeLine.setEndY(p.getY());
            e.consume();
        }
    }

    private void edgeReleased(MouseEvent e) {
        if (edgeFrom == null) {
            return;
        }
        ElementId from = edgeFrom;
        edgeFrom = null;
        canvas.overlay().getChildren().remove(edgeLine);
        edgeLine = null;
        e.consume();
        Hit hit = canvas.hitTest(e.getSceneX(), e.getSceneY()).orElse(null);
        if (hit == null) {
            status.setText("Release an edge on a workload (from a Service) or a Service (from an Ingress).");
            return;
        }
        connect(from, hit);
    }

    /** An edge drawn from {@code from} (a Service or an Ingress) to what was hit. */
    public void connect(ElementId from, Hit to) {
        run(() -> {
            if (from.kind().equals("Service")) {
                DraftKey w = workloadOf(to);
                if (w == null) {
                    status.setText("A Service's edge goes to a workload or a pod.");
                    return;
                }
                var selector = stack.execute(new ConnectService(keyOf(from), w));
                status.setText("Service " + from.name() + " selects " + selector + ".");
            } else if (to.kind().equals("Service")) {
                stack.execute(new ConnectIngress(keyOf(from), keyOf(to.id()), null));
                status.setText("Ingress " + from.name() + " routes / to Service " + to.name() + ".");
            } else {
                status.setText("An Ingress's edge goes to a Service.");
            }
        });
    }

    // ---- drafts on the canvas

    private void syncCanvas() {
        Set<ElementId> now = new HashSet<>();
        for (Draft d : drafts.drafts()) {
            DraftKey k = d.key();
            ElementId id = ElementId.of(k.kind(), k.namespace(), k.name());
            if (d.live() != null || (canvas.model().contains(id) && !canvas.model().isDraft(id))) {
                continue; // a change of a live object: the live element stays; the inspector shows the draft
            }
            now.add(id);
            shown.put(id, k);
            canvas.showDraft(TopologyElement.draft(id, summary(d), d.object()), dropPoints.remove(k));
        }
        for (ElementId id : new ArrayList<>(shown.keySet())) {
            if (!now.contains(id)) {
                shown.remove(id);
                canvas.removeDraft(id);
            }
        }
        for (Draft d : drafts.drafts()) {
            ElementId id = ElementId.of(d.key().kind(), d.key().namespace(), d.key().name());
            if (!now.contains(id)) {
                continue;
            }
            for (TopologyEdge edge : edgesOf(d)) {
                canvas.showDraftEdge(edge);
            }
        }
        refreshButtons();
        ElementId sel = canvas.selected();
        if (sel != null) {
            showInspector(sel);
        }
    }

    private String summary(Draft d) {
        List<DraftSet.Problem> problems = drafts.problems(d.key());
        if (!problems.isEmpty()) {
            return "⚠ " + problems.getFirst() + (problems.size() > 1 ? " (+" + (problems.size() - 1) + ")" : "");
        }
        if (Workload.isWorkload(d.key())) {
            Workload w = Workload.of(d.object());
            return "draft · " + w.containers().size() + (w.containers().size() == 1 ? " container" : " containers");
        }
        return "draft";
    }

    /** Edges from a draft Service (selector) or Ingress (rules) to what they reach, drafts or live. */
    private List<TopologyEdge> edgesOf(Draft d) {
        List<TopologyEdge> out = new ArrayList<>();
        GenericKubernetesResource o = d.object();
        ElementId from = ElementId.of(d.key().kind(), d.key().namespace(), d.key().name());
        if (d.key().kind().equals("Service")) {
            Map<String, String> sel = o.get("spec", "selector");
            if (sel == null || sel.isEmpty()) {
                return out;
            }
            for (String kind : Workload.KINDS) {
                for (GenericKubernetesResource w : drafts.objects(kind, d.key().namespace())) {
                    if (Workload.of(w).podLabels().entrySet().containsAll(sel.entrySet())) {
                        out.add(TopologyEdge.of(from, ElementId.of(kind, d.key().namespace(), w.getMetadata().getName()),
                                EdgeType.SELECTS));
                    }
                }
            }
        } else if (d.key().kind().equals("Ingress")) {
            List<Map<String, Object>> rules = o.get("spec", "rules");
            for (Map<String, Object> r : rules == null ? List.<Map<String, Object>>of() : rules) {
                Object http = r.get("http");
                if (http instanceof Map<?, ?> h && h.get("paths") instanceof List<?> paths) {
                    for (Object p : paths) {
                        if (p instanceof Map<?, ?> pm && pm.get("backend") instanceof Map<?, ?> b
                                && b.get("service") instanceof Map<?, ?> s && s.get("name") instanceof String name) {
                            out.add(TopologyEdge.of(from, ElementId.of("Service", d.key().namespace(), name), EdgeType.ROUTES));
                        }
                    }
                }
            }
        }
        return out;
    }

    // ---- inspector

    private void showInspector(ElementId id) {
        inspector.getChildren().clear();
        if (id == null) {
            return;
        }
        DraftKey key = keyOf(id);
        GenericKubernetesResource o = drafts.object(key);
        if (o == null) {
            return;
        }
        Draft d = drafts.draft(key);
        Label title = new Label(key.kind() + " " + key.name() + (d == null ? "" : " — " + d.state().name().toLowerCase(java.util.Locale.ROOT) + " draft"));
        title.setId("compose-inspector-title");
        inspector.getChildren().add(title);
        ListView<DraftSet.Problem> problems = new ListView<>();
        problems.setId("compose-inspector-problems");
        problems.setPrefHeight(80);
        problems.getItems().setAll(drafts.problems(key));
        problems.setPlaceholder(new Label("No problems found"));
        inspector.getChildren().add(problems);
        if (key.kind().equals("Ingress")) {
            inspector.getChildren().addAll(ingressRules(key, o));
            return;
        }
        if (!Workload.isWorkload(key)) {
            return;
        }
        Workload w = Workload.of(o);
        Label error = new Label();
        error.setId("compose-inspector-error");
        error.setWrapText(true);
        error.getStyleClass().add("danger");
        inspector.getChildren().add(error);
        if (w.hasReplicas()) {
            Integer current = o.get("spec", "replicas") instanceof Number n ? n.intValue() : 1;
            Spinner<Integer> replicas = new Spinner<>(-1000, 1000, current);
            replicas.setEditable(true);
            replicas.setId("compose-inspector-replicas");
            Button set = new Button("Set replicas");
            set.setId("compose-inspector-set-replicas");
            set.setOnAction(e -> edit(error, Edit.replicas(key, replicas.getValue())));
            inspector.getChildren().addAll(new Label("Replicas"), replicas, set);
        }
        for (var c : w.containers()) {
            inspector.getChildren().add(containerPane(key, c, error));
        }
    }

    /** One container's fields: image, ports, environment, resources and probes, each set with its own edit. */
    private TitledPane containerPane(DraftKey key, io.fabric8.kubernetes.api.model.Container c, Label error) {
        String name = c.getName();
        VBox box = new VBox(4);
        TextField image = new TextField(c.getImage());
        image.setId("compose-inspector-image-" + name);
        Button setImage = new Button("Set image of " + name);
        setImage.setOnAction(e -> edit(error, Edit.image(key, name, image.getText())));
        TextField ports = new TextField(c.getPorts() == null ? "" : String.join(", ", c.getPorts().stream()
                .map(pt -> pt.getContainerPort() + (pt.getProtocol() == null || pt.getProtocol().equals("TCP") ? ""
                        : "/" + pt.getProtocol())).toList()));
        ports.setId("compose-inspector-ports-" + name);
        ports.setPromptText("80, 53/UDP");
        ports.setOnAction(e -> parsed(error, () -> Edit.ports(key, name, parsePorts(ports.getText()))));
        box.getChildren().addAll(new Label("Image"), image, setImage, new Label("Ports (Enter to set)"), ports);

        TextArea env = new TextArea(InspectorFields.formatEnv(c.getEnv()));
        env.setId("compose-inspector-env-" + name);
        env.setPromptText("NAME=value, one per line");
        env.setPrefRowCount(3);
        Button setEnv = new Button("Set environment");
        setEnv.setId("compose-inspector-set-env-" + name);
        setEnv.setOnAction(e -> parsed(error, () -> Edit.env(key, name, InspectorFields.parseEnv(env.getText(), c.getEnv()))));
        box.getChildren().addAll(new Label("Environment"), env);
        List<io.fabric8.kubernetes.api.model.EnvVar> sourced = InspectorFields.sourcedEnv(c.getEnv());
        if (!sourced.isEmpty()) {
            Label kept = new Label("From a source (kept): " + String.join(", ", sourced.stream().map(v -> v.getName()).toList()));
            kept.setWrapText(true);
            box.getChildren().add(kept);
        }
        box.getChildren().add(setEnv);

        var r = c.getResources();
        TextField reqCpu = quantityField("compose-inspector-requests-cpu-" + name, InspectorFields.quantity(r, false, "cpu"), "250m");
        TextField reqMem = quantityField("compose-inspector-requests-memory-" + name, InspectorFields.quantity(r, false, "memory"), "128Mi");
        TextField limCpu = quantityField("compose-inspector-limits-cpu-" + name, InspectorFields.quantity(r, true, "cpu"), "1");
        TextField limMem = quantityField("compose-inspector-limits-memory-" + name, InspectorFields.quantity(r, true, "memory"), "256Mi");
        javafx.scene.layout.GridPane resources = new javafx.scene.layout.GridPane(4, 4);
        resources.addRow(0, new Label(""), new Label("CPU"), new Label("Memory"));
        resources.addRow(1, new Label("Requests"), reqCpu, reqMem);
        resources.addRow(2, new Label("Limits"), limCpu, limMem);
        Button setResources = new Button("Set resources");
        setResources.setId("compose-inspector-set-resources-" + name);
        setResources.setOnAction(e -> parsed(error, () -> Edit.resources(key, name,
                InspectorFields.parseResources(reqCpu.getText(), reqMem.getText(), limCpu.getText(), limMem.getText()))));
        box.getChildren().addAll(new Label("Resources"), resources, setResources);

        var mounts = c.getVolumeMounts() == null ? List.<io.fabric8.kubernetes.api.model.VolumeMount>of() : c.getVolumeMounts();
        if (!mounts.isEmpty()) {
            box.getChildren().add(new Label("Mounts (Enter to set)"));
        }
        for (int i = 0; i < mounts.size(); i++) {
            int index = i;
            TextField path = new TextField(mounts.get(i).getMountPath());
            path.setId("compose-inspector-mount-" + name + "-" + mounts.get(i).getName());
            path.setOnAction(e -> edit(error, Edit.mountPath(key, name, index, path.getText())));
            box.getChildren().addAll(new Label(mounts.get(i).getName() + (Boolean.TRUE.equals(mounts.get(i).getReadOnly())
                    ? " (read-only)" : "")), path);
        }
        for (Edit.ProbeKind kind : Edit.ProbeKind.values()) {
            box.getChildren().add(probeRow(key, c, kind, error));
        }
        TitledPane pane = new TitledPane("Container " + name, box);
        pane.setId("compose-inspector-container-" + name);
        return pane;
    }

    /** An Ingress's rules: the host of each (blank for every host, Enter to set) and where its paths go. */
    private List<Node> ingressRules(DraftKey key, GenericKubernetesResource o) {
        List<Node> out = new ArrayList<>();
        Label error = new Label();
        error.setId("compose-inspector-error");
        error.setWrapText(true);
        error.getStyleClass().add("danger");
        out.add(error);
        var ing = Objects2.typed(o, io.fabric8.kubernetes.api.model.networking.v1.Ingress.class);
        var rules = ing.getSpec() == null || ing.getSpec().getRules() == null
                ? List.<io.fabric8.kubernetes.api.model.networking.v1.IngressRule>of() : ing.getSpec().getRules();
        if (rules.isEmpty()) {
            out.add(new Label("No rules yet: draw an edge from this Ingress to a Service."));
        }
        for (int i = 0; i < rules.size(); i++) {
            int index = i;
            var rule = rules.get(i);
            TextField host = new TextField(rule.getHost() == null ? "" : rule.getHost());
            host.setId("compose-inspector-host-" + i);
            host.setPromptText("every host");
            host.setOnAction(e -> edit(error, Edit.ingressHost(key, index, host.getText())));
            List<String> paths = rule.getHttp() == null || rule.getHttp().getPaths() == null ? List.of()
                    : rule.getHttp().getPaths().stream().map(p -> p.getPath() + " → " + (p.getBackend() == null
                            || p.getBackend().getService() == null ? "?" : p.getBackend().getService().getName()
                            + (p.getBackend().getService().getPort() == null ? "" : ":" + (p.getBackend().getService().getPort().getNumber() != null
                            ? p.getBackend().getService().getPort().getNumber() : p.getBackend().getService().getPort().getName())))).toList();
            Label routes = new Label(String.join("\n", paths));
            out.addAll(List.of(new Label("Rule " + (i + 1) + " host (Enter to set)"), host, routes));
        }
        return out;
    }

    private static TextField quantityField(String id, String value, String prompt) {
        TextField f = new TextField(value);
        f.setId(id);
        f.setPromptText(prompt);
        f.setPrefColumnCount(6);
        return f;
    }

    private Node probeRow(DraftKey key, io.fabric8.kubernetes.api.model.Container c, Edit.ProbeKind kind, Label error) {
        String lower = kind.name().toLowerCase(java.util.Locale.ROOT);
        String field = lower + "Probe";
        io.fabric8.kubernetes.api.model.Probe current = switch (kind) {
            case LIVENESS -> c.getLivenessProbe();
            case READINESS -> c.getReadinessProbe();
            case STARTUP -> c.getStartupProbe();
        };
        InspectorFields.ProbeForm form = InspectorFields.formatProbe(current);
        String id = "compose-inspector-" + lower + "-" + c.getName();
        javafx.scene.control.ChoiceBox<InspectorFields.Handler> handler =
                new javafx.scene.control.ChoiceBox<>(javafx.collections.FXCollections.observableArrayList(InspectorFields.Handler.values()));
        handler.setValue(form.handler());
        handler.setId(id + "-handler");
        TextField target = new TextField(form.target());
        target.setId(id + "-target");
        target.setPromptText("8080/healthz, 5432 or a command");
        Spinner<Integer> delay = new Spinner<>(0, 3600, form.initialDelaySeconds() == null ? 0 : form.initialDelaySeconds());
        delay.setEditable(true);
        delay.setPrefWidth(70);
        delay.setId(id + "-delay");
        Spinner<Integer> period = new Spinner<>(1, 3600, form.periodSeconds() == null ? 10 : form.periodSeconds());
        period.setEditable(true);
        period.setPrefWidth(70);
        period.setId(id + "-period");
        Button set = new Button("Set " + lower + " probe");
        set.setId(id + "-set");
        set.setOnAction(e -> parsed(error, () -> Edit.probe(key, c.getName(), kind, InspectorFields.parseProbe(field,
                new InspectorFields.ProbeForm(handler.getValue(), target.getText(),
                        delay.getValue() == 0 && form.initialDelaySeconds() == null ? null : delay.getValue(),
                        period.getValue() == 10 && form.periodSeconds() == null ? null : period.getValue()),
                current))));
        javafx.scene.layout.HBox timing = new javafx.scene.layout.HBox(4, new Label("after"), delay, new Label("s, every"), period, new Label("s"));
        timing.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox row = new VBox(2, new Label(Character.toUpperCase(lower.charAt(0)) + lower.substring(1) + " probe"), handler, target, timing, set);
        return row;
    }

    /** Runs an edit whose arguments are parsed from the fields; a parse error shows like a refused edit. */
    private void parsed(Label error, Supplier<Command<?>> command) {
        try {
            edit(error, command.get());
        } catch (IllegalArgumentException ex) {
            error.setText(ex.getMessage());
        }
    }

    /** "80, 53/UDP" as container ports; a word that is not a port names itself in the error. */
    static List<io.fabric8.kubernetes.api.model.ContainerPort> parsePorts(String text) {
        List<io.fabric8.kubernetes.api.model.ContainerPort> out = new ArrayList<>();
        for (String word : text.split("[,\\s]+")) {
            if (word.isBlank()) {
                continue;
            }
            String[] pp = word.split("/", 2);
            int port;
            try {
                port = Integer.parseInt(pp[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ports: Invalid value: \"" + word + "\": must be a port number, optionally"
                        + " followed by /TCP, /UDP or /SCTP");
            }
            out.add(new io.fabric8.kubernetes.api.model.ContainerPortBuilder().withContainerPort(port)
                    .withProtocol(pp.length > 1 ? pp[1].toUpperCase(java.util.Locale.ROOT) : "TCP").build());
        }
        return out;
    }

    private void edit(Label error, Command<?> command) {
        try {
            stack.execute(command);
            error.setText("");
        } catch (CompositionException ex) {
            error.setText(ex.getMessage());
        }
    }

    // ---- toolbar

    public void undo() {
        if (stack.undo()) {
            status.setText("Undone.");
        }
        refreshButtons();
    }

    public void redo() {
        if (stack.redo()) {
            status.setText("Redone.");
        }
        refreshButtons();
    }

    private void refreshButtons() {
        undo.setDisable(!stack.canUndo());
        redo.setDisable(!stack.canRedo());
        undo.setText(stack.undoName().map(n -> "Undo " + n).orElse("Undo"));
        redo.setText(stack.redoName().map(n -> "Redo " + n).orElse("Redo"));
    }

    /** Dry-runs every draft on the server and shows the problems on the drafts. */
    public void validate() {
        List<Draft> all = drafts.drafts();
        status.setText("Checking " + all.size() + " drafts with the server…");
        tasks.run(() -> new DraftApply(client.get()).validate(all))
                .onSuccess(problems -> {
                    stack.validated(problems);
                    long bad = problems.values().stream().filter(l -> !l.isEmpty()).count();
                    status.setText(bad == 0 ? "The server accepts every draft (dry run)."
                            : bad + " of " + all.size() + " drafts have problems: they are marked on the canvas.");
                })
                .onFailure(e -> status.setText("Cannot reach the server: " + e.getMessage()))
                .start();
    }

    /** Shows the diff of every draft, then applies them all when confirmed. */
    public void showDiffThenApply() {
        List<Draft> all = drafts.drafts();
        if (all.isEmpty()) {
            status.setText("No drafts to apply.");
            return;
        }
        status.setText("Comparing " + all.size() + " drafts with the live objects…");
        tasks.run(() -> new DraftApply(client.get()).diff(all))
                .onSuccess(changes -> {
                    StringBuilder text = new StringBuilder();
                    for (DraftApply.Change c : changes) {
                        text.append("# ").append(c.key()).append(" (").append(c.state().name().toLowerCase(java.util.Locale.ROOT))
                                .append(")\n");
                        c.problems().forEach(p -> text.append("# problem: ").append(p).append('\n'));
                        c.diff().forEach(l -> text.append(l).append('\n'));
                        text.append('\n');
                    }
                    Dialog<ButtonType> dialog = new Dialog<>();
                    dialog.setTitle("Apply " + all.size() + " drafts");
                    TextArea area = new TextArea(text.toString());
                    area.setId("compose-diff");
                    area.setEditable(false);
                    area.setPrefSize(720, 480);
                    dialog.getDialogPane().setContent(area);
                    ButtonType applyType = new ButtonType("Apply", javafx.scene.control.ButtonBar.ButtonData.OK_DONE);
                    dialog.getDialogPane().getButtonTypes().setAll(applyType, ButtonType.CANCEL);
                    dialog.getDialogPane().lookupButton(applyType).setId("compose-diff-apply");
                    dialog.initOwner(root.getScene().getWindow());
                    dialog.setOnHidden(ev -> {
                        if (dialog.getResult() == applyType) {
                            applyAll(false);
                        }
                    });
                    dialog.show();
                })
                .onFailure(e -> status.setText("Cannot compare with the server: " + e.getMessage()))
                .start();
    }

    /** Applies every draft (dependencies first) and reports each result. */
    public void applyAll(boolean force) {
        List<Draft> all = drafts.drafts();
        status.setText("Applying " + all.size() + " drafts…");
        tasks.run(() -> new DraftApply(client.get()).apply(all, force))
                .onSuccess(results -> {
                    stack.applied(results);
                    dropPoints.clear();
                    long failed = results.stream().filter(r -> !r.ok()).count();
                    boolean conflict = results.stream().anyMatch(DraftApply.Result::conflict);
                    status.setText(failed == 0 ? "Applied " + results.size() + " objects: "
                            + String.join(", ", results.stream().map(DraftApply.Result::message).toList()) + "."
                            : failed + " of " + results.size() + " refused: " + String.join("; ", results.stream()
                            .filter(r -> !r.ok()).map(DraftApply.Result::message).toList())
                            + (conflict ? " — apply again to take over the fields another manager owns." : ""));
                })
                .onFailure(e -> status.setText("Cannot apply: " + e.getMessage()))
                .start();
    }

    private void exportDialog() {
        ContextMenu how = new ContextMenu();
        MenuItem one = new MenuItem("One multi-document YAML file…");
        one.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setInitialFileName("topology.yaml");
            File f = fc.showSaveDialog(root.getScene().getWindow());
            if (f != null) export(f.toPath(), false);
        });
        MenuItem folder = new MenuItem("A folder, one file per object…");
        folder.setOnAction(e -> {
            File f = new DirectoryChooser().showDialog(root.getScene().getWindow());
            if (f != null) export(f.toPath(), true);
        });
        how.getItems().addAll(one, folder);
        how.show(root, javafx.geometry.Side.TOP, 0, 0);
    }

    /** Writes the drafts as manifests: a folder of files or one multi-document file. */
    public void export(Path target, boolean folder) {
        List<GenericKubernetesResource> objects = drafts.drafts().stream().map(Draft::object).toList();
        tasks.run(() -> {
                    if (folder) {
                        return Manifests.writeFolder(target, objects).size();
                    }
                    Manifests.writeFile(target, objects);
                    return objects.size();
                })
                .onSuccess(n -> status.setText("Exported " + n + " objects to " + target + "."))
                .onFailure(e -> status.setText("Cannot export to " + target + ": " + e.getMessage()))
                .start();
    }

    private void importFolder() {
        File f = new DirectoryChooser().showDialog(root.getScene().getWindow());
        if (f != null) importFrom(f.toPath());
    }

    private void importCompose() {
        FileChooser fc = new FileChooser();
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Compose files", "*.yml", "*.yaml"));
        File f = fc.showOpenDialog(root.getScene().getWindow());
        if (f != null) importFrom(f.toPath());
    }

    /** Imports a folder of manifests, or a compose file, as drafts in one undoable step. */
    public void importFrom(Path path) {
        tasks.run(() -> java.nio.file.Files.isDirectory(path) ? Manifests.readFolder(path, namespace)
                        : ComposeImport.read(path, namespace))
                .onSuccess(r -> run(() -> {
                    List<DraftKey> keys = stack.execute(new ImportDrafts(path.getFileName().toString(), r.objects()));
                    status.setText("Imported " + keys.size() + " drafts from " + path.getFileName()
                            + (r.warnings().isEmpty() ? "." : "; " + r.warnings().size() + " warnings: "
                            + String.join(" · ", r.warnings())));
                }))
                .onFailure(e -> status.setText("Cannot read " + path + ": " + e.getMessage()))
                .start();
    }

    private void run(Runnable edit) {
        try {
            edit.run();
        } catch (CompositionException e) {
            status.setText(e.getMessage());
        }
        refreshButtons();
    }
}
