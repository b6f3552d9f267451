package dev.berth.app.topology.canvas;

import dev.berth.app.fx.FxTasks;
import dev.berth.app.topology.layout.Box;
import dev.berth.app.topology.layout.Sizes;
import dev.berth.app.topology.layout.TopologyLayout;
import dev.berth.app.topology.model.EdgeType;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.Health;
import dev.berth.app.topology.model.TopologyDelta;
import dev.berth.app.topology.model.TopologyEdge;
import dev.berth.app.topology.model.TopologyElement;
import dev.berth.app.topology.model.TopologyModel;
import javafx.animation.AnimationTimer;
import javafx.event.EventHandler;
import javafx.event.EventType;
import javafx.geometry.Point2D;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.input.ZoomEvent;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The topology canvas: layers drawn bottom to top (grid, edges, nodes, overlay), one skin per kind,
 * pan (drag the background), zoom (wheel, pinch, {@link #zoomToFit}), a minimap, moving boxes by
 * dragging them (moved boxes are pinned), selection, and a brief highlight of what changed.
 * Drawing is immediate-mode on canvases the size of the view: only what is visible is drawn, and
 * pods are cells drawn inside their container, so 20,000 pods cost what the visible ones cost.
 *
 * <h2>The seam for the compose tools</h2>
 * <ul>
 *   <li>{@link #hitTest(double, double)}: the element under a scene point (kind, namespace, name,
 *       draft or not, its bounds; a pod inside a grid names its container).</li>
 *   <li>{@link #sceneToWorld(Point2D)} / {@link #worldToScene(Point2D)}: coordinate conversion.</li>
 *   <li>{@link #showDraft(TopologyElement, Point2D)}, {@link #showDraftEdge(TopologyEdge)},
 *       {@link #removeDraft(ElementId)}: draft elements and edges, drawn dashed, placed where given.</li>
 *   <li>{@link #addGestureHandler(EventType, EventHandler)}: mouse handlers that run before the
 *       canvas's own pan, move and select; a handler that consumes the event stops those.</li>
 *   <li>{@link #overlay()}: a pane above the layers for in-place editors and drag previews.</li>
 * </ul>
 * FX thread only.
 */
public final class TopologyCanvas extends Region {
    public enum Mode { WORKLOADS, NODES }

    /** The box of the node view that holds pods not scheduled yet. */
    public static final ElementId UNSCHEDULED = ElementId.of("Node", "", "(not scheduled)");
    private static final long FLASH_NANOS = 700_000_000L;
    /**
     * Below this zoom boxes are drawn in their compact form, batched: corners under 2.5 pixels, pod
     * cells under 3.5 (squares, as the pod skin draws them under 8), and no text (from 0.6 on).
     */
    static final double COMPACT_SCALE = 0.25;
    private static final Health[] HEALTHS = Health.values();
    private static final Color DARK_PAPER = Color.web("#1c2128");
    private static final Color LIGHT_PAPER = Color.web("#f6f8fa");

    private final Canvas gridLayer = new Canvas();
    private final Canvas edgeLayer = new Canvas();
    private final Canvas nodeLayer = new Canvas();
    private final Canvas overlayLayer = new Canvas();
    private final Pane overlay = new Pane();
    private final Canvas minimap = new Canvas(200, 130);
    private final Viewport viewport = new Viewport();
    private final Batches batches = new Batches();
    private final List<Box> deferred = new ArrayList<>();
    private final List<TopologyElement> deferredElements = new ArrayList<>();
    private final int[] healthCounts = new int[Health.values().length];
    private Color backgroundPaper;
    private final Skins skins = new Skins();
    private final FxTasks tasks;
    private final Map<ElementId, Box> boxes = new LinkedHashMap<>();
    private final Map<ElementId, Box> pinned = new HashMap<>();
    private final Map<ElementId, Long> flashes = new HashMap<>();
    private final List<Consumer<ElementId>> selectListeners = new ArrayList<>();
    private TopologyModel model = new TopologyModel(null);
    private Mode mode = Mode.WORKLOADS;
    private ElementId selected;
    private boolean dark;
    private boolean dirty = true;
    private long now = System.nanoTime();
    private int layoutGeneration;
    private boolean layoutRunning;
    private boolean placeAgain;
    private boolean fitAfterLayout = true;
    private LongConsumer frameListener = n -> {};
    private SkinContext skinContext;
    private javafx.scene.image.Image minimapImage;
    private List<TopologyEdge> drawnEdges;
    private TopologyModel drawnEdgesModel;
    private int minimapVersion;
    // gestures
    private ElementId dragging;
    private double dragDx;
    private double dragDy;
    private double lastX;
    private double lastY;
    private boolean panning;
    private boolean draggedSincePress;

    public TopologyCanvas(FxTasks tasks) {
        this.tasks = tasks;
        getStyleClass().add("topology-canvas");
        setId("topology-canvas");
        overlay.setPickOnBounds(false);
        minimap.setId("topology-minimap");
        overlay.getChildren().add(minimap);
        getChildren().addAll(gridLayer, edgeLayer, nodeLayer, overlayLayer, overlay);
        for (Canvas c : List.of(gridLayer, edgeLayer, nodeLayer, overlayLayer)) {
            c.setMouseTransparent(true);
        }
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(widthProperty());
        clip.heightProperty().bind(heightProperty());
        setClip(clip);
        setMinSize(200, 150);
        installGestures();
        new AnimationTimer() {
            @Override
            public void handle(long t) {
                now = t;
                if (dirty || !flashes.isEmpty()) {
                    render();
                }
            }
        }.start();
    }

    // ---- model and mode

    public TopologyModel model() {
        return model;
    }

    /** Shows a new model (another namespace): everything is laid out anew; pinned positions stay. */
    public void setModel(TopologyModel m) {
        this.model = m;
        boxes.clear();
        flashes.clear();
        selected = null;
        fitAfterLayout = true;
        relayout();
    }

    public Mode mode() {
        return mode;
    }

    /** Switches between the workload view and the pods-by-node view. */
    public void setMode(Mode m) {
        if (m != mode) {
            mode = m;
            boxes.clear();
            fitAfterLayout = true;
            relayout();
        }
    }

    public void setDark(boolean d) {
        dark = d;
        dirty = true;
    }

    public Viewport viewport() {
        return viewport;
    }

    public Skins skins() {
        return skins;
    }

    /** The boxes on the canvas now, in world coordinates. */
    public Map<ElementId, Box> boxes() {
        return java.util.Collections.unmodifiableMap(boxes);
    }

    public Optional<Box> boxOf(ElementId id) {
        return Optional.ofNullable(boxes.get(id));
    }

    /** Whether a layout or placement is being computed. */
    public boolean layoutRunning() {
        return layoutRunning;
    }

    /** Told the nanoseconds each frame took to draw (for the benchmark). */
    public void onFrame(LongConsumer listener) {
        this.frameListener = listener;
    }

    public void onSelect(Consumer<ElementId> listener) {
        selectListeners.add(listener);
    }

    public ElementId selected() {
        return selected;
    }

    public void select(ElementId id) {
        selected = id;
        dirty = true;
        selectListeners.forEach(l -> l.accept(id));
    }

    // ---- changes

    /**
     * Applies what the model said changed: restyles only redraw (with a short highlight), pods that
     * join a container only redraw its grid (growing its box if it is full), and only new boxes are
     * placed, next to the others, which do not move.
     */
    public void apply(TopologyDelta d) {
        for (TopologyElement e : d.restyled()) {
            flashes.put(e.id(), now);
        }
        for (TopologyElement e : d.added()) {
            flashes.put(e.id(), now);
        }
        for (ElementId id : d.removed()) {
            flashes.remove(id);
        }
        if (!d.edgesAdded().isEmpty() || !d.edgesRemoved().isEmpty() || !d.added().isEmpty() || !d.removed().isEmpty()
                || !d.regrouped().isEmpty()) {
            drawnEdges = null;
        }
        for (ElementId c : d.regrouped()) {
            grow(c);
        }
        if (mode == Mode.NODES && !boxes.containsKey(UNSCHEDULED) && d.regrouped().isEmpty() == false && !model.podsOnNode("").isEmpty()) {
            reconcile();
        }
        if (!d.added().isEmpty() || !d.removed().isEmpty()) {
            place(affected(d));
        }
        dirty = true;
    }

    /**
     * The elements whose box may have to come or go after {@code d}: those added or removed, the pods
     * of containers added (they move into the grid) and of containers removed (they get boxes).
     */
    private Set<ElementId> affected(TopologyDelta d) {
        Set<ElementId> out = new HashSet<>(d.removed());
        for (TopologyElement e : d.added()) {
            out.add(e.id());
            out.addAll(podsIn(e.id()));
        }
        for (ElementId gone : d.removed()) {
            if (TopologyModel.CONTAINERS.contains(gone.kind())) {
                out.addAll(model.podsOf(gone));
            }
        }
        return out;
    }

    /** Drops and places the boxes of {@code ids} only: a change costs what it touches, not what the canvas holds. */
    private void place(Set<ElementId> ids) {
        if (layoutRunning) {
            placeAgain = true;
            return;
        }
        List<TopologyLayout.Item> missing = new ArrayList<>();
        for (ElementId id : ids) {
            TopologyElement e = model.get(id);
            if (e == null || !boxed(e)) {
                boxes.remove(id);
            } else if (!boxes.containsKey(id)) {
                missing.add(item(e));
            }
        }
        placeMissing(missing);
    }

    /** The elements that get a box of their own in the current mode. */
    private boolean boxed(TopologyElement e) {
        if (mode == Mode.NODES) {
            return "Node".equals(e.kind());
        }
        if ("Node".equals(e.kind())) {
            return false;
        }
        return !e.isPod() || !model.isContained(e.id());
    }

    /** Drops boxes whose element is gone and places the elements that have none (level-triggered). */
    private void reconcile() {
        boxes.keySet().removeIf(id -> !id.equals(UNSCHEDULED) && (!model.contains(id) || !boxed(model.get(id))));
        if (layoutRunning) {
            placeAgain = true;
            return;
        }
        List<TopologyLayout.Item> missing = new ArrayList<>();
        for (TopologyElement e : model.elements()) {
            if (boxed(e) && !boxes.containsKey(e.id())) {
                missing.add(item(e));
            }
        }
        if (mode == Mode.NODES && !boxes.containsKey(UNSCHEDULED) && !model.podsOnNode("").isEmpty()) {
            missing.add(item(unscheduled()));
        }
        placeMissing(missing);
    }

    private void placeMissing(List<TopologyLayout.Item> missing) {
        if (missing.isEmpty()) {
            return;
        }
        List<TopologyLayout.Item> drafted = new ArrayList<>();
        for (TopologyLayout.Item i : missing) {
            Box p = pinned.get(i.id());
            if (p != null) {
                boxes.put(i.id(), new Box(i.id(), p.x(), p.y(), i.width(), i.height()));
                flashes.put(i.id(), now);
            } else {
                drafted.add(i);
            }
        }
        if (drafted.isEmpty()) {
            return;
        }
        if (mode == Mode.NODES) {
            placeNodes(drafted);
            return;
        }
        Map<ElementId, Box> snapshot = new LinkedHashMap<>(boxes);
        List<TopologyEdge> edgeList = layoutEdges();
        int gen = layoutGeneration;
        layoutRunning = true;
        tasks.run(() -> TopologyLayout.place(snapshot, drafted, edgeList))
                .onSuccess(placed -> {
                    if (gen != layoutGeneration) {
                        return;
                    }
                    for (Box b : placed.values()) {
                        if (model.contains(b.id()) && !boxes.containsKey(b.id())) {
                            boxes.put(b.id(), b);
                            flashes.put(b.id(), now);
                        }
                    }
                    fitOnce();
                    dirty = true;
                })
                .onFailure(e -> org.slf4j.LoggerFactory.getLogger(TopologyCanvas.class).warn("placing new boxes failed", e))
                .onDone(this::layoutDone)
                .start();
    }

    /** The first time there is something to show, show all of it. */
    private void fitOnce() {
        if (fitAfterLayout && !boxes.isEmpty()) {
            fitAfterLayout = false;
            zoomToFit();
        }
    }

    private void layoutDone() {
        layoutRunning = false;
        if (placeAgain) {
            placeAgain = false;
            reconcile();
        }
    }

    /** Lays out everything anew (pinned boxes stay), off the FX thread. */
    public void relayout() {
        layoutGeneration++;
        int gen = layoutGeneration;
        boxes.clear();
        dirty = true;
        if (mode == Mode.NODES) {
            layoutRunning = false;
            reconcile();
            fitOnce();
            return;
        }
        List<TopologyLayout.Item> items = new ArrayList<>();
        for (TopologyElement e : model.elements()) {
            if (boxed(e)) {
                items.add(item(e));
            }
        }
        List<TopologyEdge> edgeList = layoutEdges();
        Map<ElementId, Box> pins = new HashMap<>(pinned);
        layoutRunning = true;
        placeAgain = false;
        tasks.run(() -> TopologyLayout.layout(items, edgeList, pins))
                .onSuccess(result -> {
                    if (gen != layoutGeneration) {
                        return;
                    }
                    boxes.clear();
                    for (Box b : result.values()) {
                        if (model.contains(b.id())) {
                            boxes.put(b.id(), b);
                        }
                    }
                    fitOnce();
                    dirty = true;
                    placeAgain = true;   // what changed while it ran
                })
                .onFailure(e -> org.slf4j.LoggerFactory.getLogger(TopologyCanvas.class).warn("topology layout failed", e))
                .onDone(() -> {
                    if (gen == layoutGeneration) {
                        layoutDone();
                    }
                })
                .start();
    }

    private List<TopologyEdge> layoutEdges() {
        List<TopologyEdge> out = new ArrayList<>();
        for (TopologyEdge e : model.edges()) {
            if (e.type() != EdgeType.ENDPOINT && !model.isContained(e.to())) {
                out.add(e);
            }
        }
        return out;
    }

    private TopologyLayout.Item item(TopologyElement e) {
        int pods = podsIn(e.id()).size();
        return new TopologyLayout.Item(e, Sizes.width(e, pods), Sizes.height(e, pods));
    }

    private TopologyElement unscheduled() {
        return new TopologyElement(UNSCHEDULED, false, Health.PROGRESSING, "pods waiting for a node", null, null, null);
    }

    /** Node view: nodes in rows by name, new ones after the last. */
    private void placeNodes(List<TopologyLayout.Item> items) {
        items.sort(java.util.Comparator.comparing(TopologyLayout.Item::id));
        double maxRowWidth = 1400;
        double x = 0;
        double y = boxes.values().stream().mapToDouble(Box::maxY).max().orElse(-TopologyLayout.GROUP_GAP) + TopologyLayout.GROUP_GAP;
        double rowH = 0;
        for (TopologyLayout.Item i : items) {
            if (x > 0 && x + i.width() > maxRowWidth) {
                x = 0;
                y += rowH + TopologyLayout.ROW_GAP;
                rowH = 0;
            }
            boxes.put(i.id(), new Box(i.id(), x, y, i.width(), i.height()));
            flashes.put(i.id(), now);
            x += i.width() + TopologyLayout.COLUMN_GAP / 3;
            rowH = Math.max(rowH, i.height());
        }
        dirty = true;
    }

    /** A container whose pods no longer fit grows; boxes it would cover move down, nothing else moves. */
    private void grow(ElementId container) {
        Box b = boxes.get(container);
        TopologyElement e = container.equals(UNSCHEDULED) ? unscheduled() : model.get(container);
        if (b == null || e == null) {
            return;
        }
        int pods = podsIn(container).size();
        if (Sizes.fits(b.height(), pods) && b.width() >= Sizes.width(e, pods)) {
            return;
        }
        Box bigger = b.withSize(Math.max(b.width(), Sizes.width(e, pods)), Math.max(b.height(), Sizes.height(e, pods)));
        boxes.put(container, bigger);
        pushDown(bigger, new HashSet<>(Set.of(container)));
    }

    private void pushDown(Box by, Set<ElementId> moved) {
        for (Box o : new ArrayList<>(boxes.values())) {
            if (!moved.contains(o.id()) && o.overlaps(by, 0) && o.y() >= by.y()) {
                Box down = o.at(o.x(), by.maxY() + TopologyLayout.ROW_GAP);
                boxes.put(o.id(), down);
                if (pinned.containsKey(o.id())) {
                    pinned.put(o.id(), down);
                }
                moved.add(o.id());
                pushDown(down, moved);
            }
        }
    }

    List<ElementId> podsIn(ElementId container) {
        if (mode == Mode.NODES) {
            return container.equals(UNSCHEDULED) ? model.podsOnNode("") : "Node".equals(container.kind())
                    ? model.podsOnNode(container.name()) : List.of();
        }
        return TopologyModel.CONTAINERS.contains(container.kind()) ? model.podsOf(container) : List.of();
    }

    private double flashOf(ElementId id) {
        Long t = flashes.get(id);
        return t == null ? 0 : Math.max(0, 1 - (double) (now - t) / FLASH_NANOS);
    }

    // ---- the seam: hit testing, coordinates, drafts, gestures

    /** The element under a point in scene coordinates: a pod cell before its container, a box, else empty. */
    public Optional<Hit> hitTest(double sceneX, double sceneY) {
        Point2D w = sceneToWorld(new Point2D(sceneX, sceneY));
        return hitAtWorld(w.getX(), w.getY());
    }

    /** The element under a point in world coordinates. */
    public Optional<Hit> hitAtWorld(double wx, double wy) {
        List<Box> all = new ArrayList<>(boxes.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            Box b = all.get(i);
            if (!b.contains(wx, wy)) {
                continue;
            }
            List<ElementId> pods = podsIn(b.id());
            if (!pods.isEmpty() && wy >= b.y() + Sizes.HEADER) {
                int cols = Sizes.columns(pods.size());
                int col = (int) Math.floor((wx - b.x() - Sizes.PAD) / Sizes.CELL);
                int row = (int) Math.floor((wy - b.y() - Sizes.HEADER) / Sizes.CELL);
                int index = row * cols + col;
                if (col >= 0 && col < cols && row >= 0 && index < pods.size()) {
                    ElementId pod = pods.get(index);
                    return Optional.of(new Hit(pod, model.isDraft(pod), Skins.cellOf(b, pod, index, pods.size()), b.id()));
                }
            }
            return Optional.of(new Hit(b.id(), model.isDraft(b.id()), b, null));
        }
        return Optional.empty();
    }

    public Point2D sceneToWorld(Point2D scene) {
        Point2D local = sceneToLocal(scene);
        return new Point2D(viewport.toWorldX(local.getX()), viewport.toWorldY(local.getY()));
    }

    public Point2D worldToScene(Point2D world) {
        return localToScene(viewport.toScreenX(world.getX()), viewport.toScreenY(world.getY()));
    }

    /** Where the centre of an element is drawn, in scene coordinates (a pod: its cell). */
    public Optional<Point2D> sceneCenterOf(ElementId id) {
        Box b = boxes.get(id);
        if (b == null && id.kind().equals("Pod")) {
            ElementId c = mode == Mode.NODES ? nodeBoxOf(id) : model.containerOf(id);
            Box cb = c == null ? null : boxes.get(c);
            if (cb != null) {
                List<ElementId> pods = podsIn(c);
                int i = pods.indexOf(id);
                if (i >= 0) {
                    b = Skins.cellOf(cb, id, i, pods.size());
                }
            }
        }
        return b == null ? Optional.empty() : Optional.of(worldToScene(new Point2D(b.centerX(), b.centerY())));
    }

    private ElementId nodeBoxOf(ElementId pod) {
        TopologyElement p = model.get(pod);
        if (p == null || p.pod() == null) {
            return null;
        }
        return p.pod().node() == null ? UNSCHEDULED : ElementId.of("Node", "", p.pod().node());
    }

    /** Shows a draft element with its box's top-left corner at {@code world} (pinned there). */
    public void showDraft(TopologyElement draft, Point2D world) {
        TopologyDelta d = model.putDraft(draft);
        if (world != null) {
            pinned.put(draft.id(), new Box(draft.id(), world.getX(), world.getY(), 0, 0));
        }
        apply(d);
    }

    public void showDraftEdge(TopologyEdge edge) {
        apply(model.putDraftEdge(edge));
    }

    public void removeDraft(ElementId id) {
        pinned.remove(id);
        apply(model.removeDraft(id));
    }

    /**
     * Adds a mouse handler that runs before the canvas's own (pan, move, select). Consume the event
     * to keep the canvas from handling it, e.g. while a palette item is dragged over it.
     */
    public <T extends MouseEvent> void addGestureHandler(EventType<T> type, EventHandler<? super T> handler) {
        addEventFilter(type, handler);
    }

    public <T extends MouseEvent> void removeGestureHandler(EventType<T> type, EventHandler<? super T> handler) {
        removeEventFilter(type, handler);
    }

    /** A pane above every layer, in scene-local coordinates of the canvas, for previews and editors. */
    public Pane overlay() {
        return overlay;
    }

    /** Moves an element's box to a world position and pins it there. */
    public void moveTo(ElementId id, double wx, double wy) {
        Box b = boxes.get(id);
        if (b != null) {
            Box moved = b.at(wx, wy);
            boxes.put(id, moved);
            pinned.put(id, moved);
            dirty = true;
        }
    }

    public boolean isPinned(ElementId id) {
        return pinned.containsKey(id);
    }

    // ---- view

    public void zoomToFit() {
        if (boxes.isEmpty()) {
            return;
        }
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Box b : boxes.values()) {
            minX = Math.min(minX, b.x());
            minY = Math.min(minY, b.y());
            maxX = Math.max(maxX, b.maxX());
            maxY = Math.max(maxY, b.maxY());
        }
        viewport.fit(minX, minY, maxX, maxY, Math.max(getWidth(), 200), Math.max(getHeight(), 150));
        dirty = true;
    }

    /** Centres an element, zooms in if it is too small to read, selects it and highlights it. */
    public boolean focus(ElementId id) {
        Box b = boxes.get(id);
        if (b == null && id.kind().equals("Pod")) {
            ElementId c = mode == Mode.NODES ? nodeBoxOf(id) : model.containerOf(id);
            Box cb = c == null ? null : boxes.get(c);
            List<ElementId> pods = c == null ? List.of() : podsIn(c);
            int i = pods.indexOf(id);
            b = cb == null || i < 0 ? null : Skins.cellOf(cb, id, i, pods.size());
        }
        if (b == null) {
            return false;
        }
        if (viewport.scale() < 1) {
            viewport.set(1, viewport.tx(), viewport.ty());
        }
        viewport.centerOn(b.centerX(), b.centerY(), getWidth(), getHeight());
        flashes.put(id, now);
        select(id);
        dirty = true;
        return true;
    }

    public void zoomBy(double factor) {
        viewport.zoomAt(factor, getWidth() / 2, getHeight() / 2);
        dirty = true;
    }

    public void panBy(double dx, double dy) {
        viewport.panBy(dx, dy);
        dirty = true;
    }

    /** Marks the canvas for drawing on the next pulse. */
    public void invalidate() {
        dirty = true;
    }

    private void installGestures() {
        addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getButton() != MouseButton.PRIMARY) {
                return;
            }
            lastX = e.getX();
            lastY = e.getY();
            draggedSincePress = false;
            if (minimap.getBoundsInParent().contains(e.getX(), e.getY())) {
                minimapJump(e.getX(), e.getY());
                return;
            }
            Optional<Hit> hit = hitTest(e.getSceneX(), e.getSceneY());
            if (hit.isPresent() && hit.get().container() == null) {
                Box b = hit.get().bounds();
                dragging = b.id();
                dragDx = viewport.toWorldX(e.getX()) - b.x();
                dragDy = viewport.toWorldY(e.getY()) - b.y();
            } else {
                dragging = null;
                panning = hit.isEmpty();
            }
            hit.ifPresentOrElse(h -> select(h.id()), () -> select(null));
        });
        addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (minimap.getBoundsInParent().contains(e.getX(), e.getY()) && dragging == null && !panning) {
                minimapJump(e.getX(), e.getY());
                return;
            }
            draggedSincePress = true;
            if (dragging != null) {
                moveTo(dragging, viewport.toWorldX(e.getX()) - dragDx, viewport.toWorldY(e.getY()) - dragDy);
            } else if (panning) {
                panBy(e.getX() - lastX, e.getY() - lastY);
            }
            lastX = e.getX();
            lastY = e.getY();
        });
        addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            dragging = null;
            panning = false;
        });
        addEventHandler(ScrollEvent.SCROLL, e -> {
            if (e.getDeltaY() != 0) {
                viewport.zoomAt(Math.exp(e.getDeltaY() * 0.0025), e.getX(), e.getY());
                dirty = true;
                e.consume();
            }
        });
        addEventHandler(ZoomEvent.ZOOM, e -> {
            viewport.zoomAt(e.getZoomFactor(), e.getX(), e.getY());
            dirty = true;
            e.consume();
        });
    }

    private double[] worldBounds() {
        double minX = 0, minY = 0, maxX = 1, maxY = 1;
        boolean first = true;
        for (Box b : boxes.values()) {
            if (first) {
                minX = b.x();
                minY = b.y();
                maxX = b.maxX();
                maxY = b.maxY();
                first = false;
            } else {
                minX = Math.min(minX, b.x());
                minY = Math.min(minY, b.y());
                maxX = Math.max(maxX, b.maxX());
                maxY = Math.max(maxY, b.maxY());
            }
        }
        return new double[] {minX, minY, maxX, maxY};
    }

    private void minimapJump(double x, double y) {
        double[] wb = worldBounds();
        double mx = minimap.getLayoutX();
        double my = minimap.getLayoutY();
        double k = minimapScale(wb);
        double wx = wb[0] + (x - mx - 4) / k;
        double wy = wb[1] + (y - my - 4) / k;
        viewport.centerOn(wx, wy, getWidth(), getHeight());
        dirty = true;
    }

    private double minimapScale(double[] wb) {
        return Math.min((minimap.getWidth() - 8) / Math.max(1, wb[2] - wb[0]), (minimap.getHeight() - 8) / Math.max(1, wb[3] - wb[1]));
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        for (Canvas c : List.of(gridLayer, edgeLayer, nodeLayer, overlayLayer)) {
            if (c.getWidth() != w || c.getHeight() != h) {
                c.setWidth(w);
                c.setHeight(h);
                dirty = true;
            }
        }
        overlay.resizeRelocate(0, 0, w, h);
        minimap.relocate(w - minimap.getWidth() - 12, h - minimap.getHeight() - 12);
    }

    // ---- drawing

    private void render() {
        long start = System.nanoTime();
        dirty = false;
        flashes.values().removeIf(t -> now - t > FLASH_NANOS);
        double w = getWidth();
        double h = getHeight();
        double wx0 = viewport.toWorldX(0);
        double wy0 = viewport.toWorldY(0);
        double ww = w / viewport.scale();
        double wh = h / viewport.scale();
        batches.clear();
        drawGrid(w, h);
        if (skinContext == null || skinContext.model != model) {
            skinContext = new SkinContext(nodeLayer.getGraphicsContext2D(), viewport, model, this::podsIn, this::flashOf);
        }
        SkinContext ctx = skinContext;
        ctx.selected = selected;
        ctx.dark = dark;
        drawEdges(ctx, wx0, wy0, ww, wh, w, h);
        GraphicsContext g = nodeLayer.getGraphicsContext2D();
        g.clearRect(0, 0, w, h);
        GraphicsContext o = overlayLayer.getGraphicsContext2D();
        // the highlight layer is shown only while something is highlighted: a hidden layer costs no compositing
        boolean highlighting = !flashes.isEmpty();
        if (highlighting || overlayLayer.isVisible()) {
            o.clearRect(0, 0, w, h);
        }
        overlayLayer.setVisible(highlighting);
        // zoomed out, boxes of the built-in skins are drawn in their compact form, in batches; the
        // others (drafts, the selection, old ReplicaSets, skins registered from outside) by their skin, on top
        boolean compact = viewport.scale() < COMPACT_SCALE;
        // a selected pod is outlined by its skin: its container is drawn by its skin too
        ElementId selectedContainer = selected == null || !"Pod".equals(selected.kind()) ? null
                : mode == Mode.NODES ? nodeBoxOf(selected) : model.containerOf(selected);
        deferred.clear();
        for (Box b : boxes.values()) {
            if (!b.intersects(wx0, wy0, ww, wh)) {
                continue;
            }
            TopologyElement e = b.id().equals(UNSCHEDULED) ? unscheduled() : model.get(b.id());
            if (e == null) {
                continue;
            }
            if (viewport.scale() * b.width() < 12) {
                // a box a few pixels wide: its health colour is all that can be seen
                batches.fill(SkinContext.health(e.health())).add(viewport.toScreenX(b.x()), viewport.toScreenY(b.y()),
                        Math.max(1, b.width() * viewport.scale()), Math.max(1, b.height() * viewport.scale()));
                continue;
            }
            Color accent = compact ? skins.compactAccent(e.kind()) : null;
            if (accent != null && !e.draft() && !ctx.selected(e.id()) && !faded(e) && !e.id().equals(selectedContainer)) {
                compactBox(ctx, e, b, accent);
            } else {
                deferred.add(b);
                deferredElements.add(e);
            }
        }
        batches.drawRects(g);
        for (int i = 0; i < deferred.size(); i++) {
            Box b = deferred.get(i);
            TopologyElement e = deferredElements.get(i);
            skins.forKind(e.kind()).draw(ctx, e, b);
        }
        deferredElements.clear();
        drawFlashes(o, wx0, wy0, ww, wh);
        drawMinimap(ctx);
        frameListener.accept(System.nanoTime() - start);
    }

    /** An old ReplicaSet of a rollout: its skin draws it faded. */
    private static boolean faded(TopologyElement e) {
        return e.rollout() != null && e.rollout().role() == dev.berth.app.topology.model.Rollout.Role.OLD;
    }

    /**
     * A box as its skin draws it when zoomed out below {@link #COMPACT_SCALE} (no text, no icon,
     * corners too small to round, pods as squares or bars), into the batches.
     */
    private void compactBox(SkinContext c, TopologyElement e, Box b, Color accent) {
        double s = viewport.scale();
        double x = viewport.toScreenX(b.x());
        double y = viewport.toScreenY(b.y());
        double w = b.width() * s;
        double h = b.height() * s;
        double arc = 10 * s;
        batches.fill(c.surface()).add(x, y, w, h);
        batches.fill(accent).add(x, y + arc / 2, Math.max(1, 4 * s), Math.max(0, h - arc));
        batches.stroke(SkinContext.health(e.health()), e.health() == Health.OK ? 1 : 2).add(x, y, w, h);
        if (!Sizes.isContainer(e)) {
            return;
        }
        List<ElementId> pods = podsIn(e.id());
        if (pods.isEmpty()) {
            return;
        }
        double cell = Sizes.CELL * s;
        double x0 = viewport.toScreenX(b.x() + Sizes.PAD);
        double y0 = viewport.toScreenY(b.y() + Sizes.HEADER);
        if (cell < 2.5) {
            // too small for cells: one bar per health, in proportion
            int[] counts = healthCounts;
            java.util.Arrays.fill(counts, 0);
            for (ElementId p : pods) {
                TopologyElement pe = model.get(p);
                counts[(pe == null ? Health.UNKNOWN : pe.health()).ordinal()]++;
            }
            double barWidth = (b.width() - 2 * Sizes.PAD) * s;
            double bx = x0;
            for (Health health : HEALTHS) {
                double part = barWidth * counts[health.ordinal()] / pods.size();
                if (part > 0) {
                    batches.cell(SkinContext.health(health)).add(bx, y0, part, Math.max(1, cell));
                }
                bx += part;
            }
            return;
        }
        // cells under 8 pixels are squares (see PodSkin.cell)
        int cols = Sizes.columns(pods.size());
        double inset = Math.max(0.5, cell * 0.1);
        double d = cell - 2 * inset;
        double vw = getWidth();
        double vh = getHeight();
        for (int i = 0; i < pods.size(); i++) {
            double px = x0 + (i % cols) * cell;
            double py = y0 + (i / cols) * cell;
            if (px > vw || py > vh || px + cell < 0 || py + cell < 0) {
                continue;
            }
            TopologyElement pe = model.get(pods.get(i));
            if (pe != null) {
                batches.cell(SkinContext.health(pe.health())).add(px + inset, py + inset, d, d);
            }
        }
    }

    private void drawGrid(double w, double h) {
        Color paper = dark ? DARK_PAPER : LIGHT_PAPER;
        if (paper != backgroundPaper) {
            // the region's own background shows when the grid layer is hidden
            backgroundPaper = paper;
            setBackground(new javafx.scene.layout.Background(new javafx.scene.layout.BackgroundFill(paper, null, null)));
        }
        double step = 40 * viewport.scale();
        // zoomed out the grid lines are too dense to draw: the layer is hidden and costs nothing
        gridLayer.setVisible(step >= 8);
        if (step < 8) {
            return;
        }
        GraphicsContext g = gridLayer.getGraphicsContext2D();
        g.setFill(paper);
        g.fillRect(0, 0, w, h);
        g.setStroke(dark ? Color.web("#2d333b") : Color.web("#e7ecf0"));
        g.setLineWidth(1);
        double x0 = ((viewport.tx() % step) + step) % step;
        double y0 = ((viewport.ty() % step) + step) % step;
        for (double x = x0; x < w; x += step) {
            g.strokeLine(Math.round(x) + 0.5, 0, Math.round(x) + 0.5, h);
        }
        for (double y = y0; y < h; y += step) {
            g.strokeLine(0, Math.round(y) + 0.5, w, Math.round(y) + 0.5);
        }
    }

    private void drawEdges(SkinContext ctx, double wx0, double wy0, double ww, double wh, double w, double h) {
        GraphicsContext g = edgeLayer.getGraphicsContext2D();
        g.clearRect(0, 0, w, h);
        if (mode == Mode.NODES) {
            return;
        }
        boolean podEdges = viewport.scale() >= 0.6;
        Map<ElementId, Box> cells = new HashMap<>();
        if (drawnEdges == null || drawnEdgesModel != model) {
            // the edges between boxes change only with a delta that adds or removes edges or elements
            drawnEdges = new ArrayList<>();
            drawnEdgesModel = model;
            for (TopologyEdge e : model.edges()) {
                if (e.type() != EdgeType.ENDPOINT && !(e.type() == EdgeType.OWNS && model.isContained(e.to()))) {
                    drawnEdges.add(e);
                }
            }
        }
        List<TopologyEdge> toDraw = drawnEdges;
        if (podEdges) {
            // Service → pod edges only of the containers in view
            toDraw = new ArrayList<>(drawnEdges);
            for (Box cb : boxes.values()) {
                if (TopologyModel.CONTAINERS.contains(cb.id().kind()) && cb.intersects(wx0, wy0, ww, wh)) {
                    for (ElementId p : model.podsOf(cb.id())) {
                        for (TopologyEdge e : model.edgesOf(p)) {
                            if (e.type() == EdgeType.ENDPOINT) {
                                toDraw.add(e);
                            }
                        }
                    }
                }
            }
        }
        for (TopologyEdge e : toDraw) {
            Box a = boxes.get(e.from());
            Box b = boxes.get(e.to());
            if (a == null) {
                continue;
            }
            if (b == null) {
                if (!podEdges || e.type() != EdgeType.ENDPOINT) {
                    continue;
                }
                ElementId c = model.containerOf(e.to());
                Box cb = c == null ? null : boxes.get(c);
                if (cb == null || !cb.intersects(wx0, wy0, ww, wh)) {
                    continue;
                }
                b = cells.computeIfAbsent(e.to(), p -> {
                    List<ElementId> pods = model.podsOf(c);
                    return Skins.cellOf(cb, p, pods.indexOf(p), pods.size());
                });
            } else if (e.type() == EdgeType.ENDPOINT) {
                continue;   // a standalone pod: its SELECTS edge says it, the readiness is on the pod
            }
            double minX = Math.min(a.maxX(), b.x());
            double minY = Math.min(a.centerY(), b.centerY());
            double spanX = Math.abs(b.x() - a.maxX()) + 1;
            double spanY = Math.abs(b.centerY() - a.centerY()) + 1;
            if (!(minX < wx0 + ww && wx0 < minX + spanX && minY < wy0 + wh && wy0 < minY + spanY)) {
                continue;
            }
            boolean draft = model.isDraft(e.from()) || model.isDraft(e.to());
            // dashes only where they mean something (drafts, endpoints not ready): dashed curves are
            // what costs most to rasterize in software
            boolean dashed = draft || !e.ready();
            double width = e.type() == EdgeType.ENDPOINT ? 1 : Math.max(1, 1.6 * Math.min(1, viewport.scale() * 1.5));
            // edges are gathered by look and drawn after the loop, each look set once
            batches.lines(e.type().ordinal() * 4 + (e.ready() ? 2 : 0) + (dashed ? 1 : 0), edgeColour(e), width, dashed)
                    .add(viewport.toScreenX(a.maxX()), viewport.toScreenY(a.centerY()), viewport.toScreenX(b.x()), viewport.toScreenY(b.centerY()));
        }
        batches.drawLines(g, viewport.scale() >= 0.3);
    }

    private Color edgeColour(TopologyEdge e) {
        if (!e.ready()) {
            return SkinContext.health(Health.WARNING);
        }
        return switch (e.type()) {
            case ROUTES -> ROUTES_COLOUR;
            case SELECTS -> SELECTS_COLOUR;
            case ENDPOINT -> ENDPOINT_COLOUR;
            case OWNS -> dark ? OWNS_DARK_COLOUR : OWNS_COLOUR;
            case USES_CONFIG_MAP -> CONFIG_MAP_COLOUR;
            case USES_SECRET -> SECRET_COLOUR;
            case MOUNTS -> MOUNTS_COLOUR;
        };
    }

    private static final Color ROUTES_COLOUR = Color.web("#8250df");
    private static final Color SELECTS_COLOUR = Color.web("#0969da");
    private static final Color ENDPOINT_COLOUR = Color.web("#2da44e", 0.7);
    private static final Color OWNS_COLOUR = Color.web("#8c959f");
    private static final Color OWNS_DARK_COLOUR = Color.web("#768390");
    private static final Color CONFIG_MAP_COLOUR = Color.web("#bc4c00");
    private static final Color SECRET_COLOUR = Color.web("#a40e26");
    private static final Color MOUNTS_COLOUR = Color.web("#6639ba");

    private void drawFlashes(GraphicsContext o, double wx0, double wy0, double ww, double wh) {
        for (Map.Entry<ElementId, Long> f : flashes.entrySet()) {
            double a = flashOf(f.getKey());
            if (a <= 0) {
                continue;
            }
            Box b = boxes.get(f.getKey());
            if (b == null && f.getKey().kind().equals("Pod")) {
                ElementId c = mode == Mode.NODES ? nodeBoxOf(f.getKey()) : model.containerOf(f.getKey());
                Box cb = c == null ? null : boxes.get(c);
                if (cb != null && cb.intersects(wx0, wy0, ww, wh)) {
                    List<ElementId> pods = podsIn(c);
                    int i = pods.indexOf(f.getKey());
                    b = i < 0 ? null : Skins.cellOf(cb, f.getKey(), i, pods.size());
                }
            }
            if (b == null || !b.intersects(wx0, wy0, ww, wh)) {
                continue;
            }
            o.setStroke(Color.web("#fb8f44", a));
            o.setLineWidth(3);
            double pad = 3 + 6 * (1 - a);
            o.strokeRoundRect(viewport.toScreenX(b.x()) - pad, viewport.toScreenY(b.y()) - pad,
                    b.width() * viewport.scale() + 2 * pad, b.height() * viewport.scale() + 2 * pad, 12, 12);
        }
    }

    private void drawMinimap(SkinContext ctx) {
        GraphicsContext g = minimap.getGraphicsContext2D();
        double mw = minimap.getWidth();
        double mh = minimap.getHeight();
        g.clearRect(0, 0, mw, mh);
        g.setFill(dark ? Color.web("#22272e", 0.92) : Color.web("#ffffff", 0.92));
        g.fillRect(0, 0, mw, mh);
        g.setStroke(ctx.border());
        g.setLineWidth(1);
        g.strokeRect(0.5, 0.5, mw - 1, mh - 1);
        if (boxes.isEmpty()) {
            return;
        }
        double[] wb = worldBounds();
        double k = minimapScale(wb);
        // the picture of all boxes is kept as an image and drawn again only when boxes moved, came or went
        int version = boxes.hashCode();
        if (minimapImage == null || version != minimapVersion) {
            Canvas scratch = new Canvas(mw, mh);
            GraphicsContext sg = scratch.getGraphicsContext2D();
            for (Box b : boxes.values()) {
                TopologyElement e = model.get(b.id());
                sg.setFill(e == null ? ctx.muted() : SkinContext.health(e.health()));
                sg.fillRect(4 + (b.x() - wb[0]) * k, 4 + (b.y() - wb[1]) * k, Math.max(1, b.width() * k), Math.max(1, b.height() * k));
            }
            javafx.scene.SnapshotParameters sp = new javafx.scene.SnapshotParameters();
            sp.setFill(Color.TRANSPARENT);
            minimapImage = scratch.snapshot(sp, null);
            minimapVersion = version;
        }
        g.drawImage(minimapImage, 0, 0);
        g.setStroke(Color.web("#0969da"));
        g.setLineWidth(1.5);
        double vx = 4 + (viewport.toWorldX(0) - wb[0]) * k;
        double vy = 4 + (viewport.toWorldY(0) - wb[1]) * k;
        g.strokeRect(vx, vy, getWidth() / viewport.scale() * k, getHeight() / viewport.scale() * k);
    }
}
