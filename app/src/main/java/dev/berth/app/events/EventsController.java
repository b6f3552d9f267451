package dev.berth.app.events;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.Kinds;
import dev.berth.app.cluster.ResourceCache;
import dev.berth.app.cluster.ResourceKind;
import dev.berth.app.events.TimelineEntry.Category;
import dev.berth.app.events.TimelineEntry.Severity;
import dev.berth.app.fx.FxBatcher;
import dev.berth.app.fx.FxTasks;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.util.StringConverter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The events timeline: every Event, rollout step, probe (readiness) change and node join or loss on
 * one time axis, drawn on a canvas in one lane per category, with the same entries listed below.
 * Filter by object text and severity; choose a time range, zoom with the mouse wheel, drag to look
 * back, "Now" to follow live again. Fed from the session's watches from the moment the connection
 * opens (whether or not the view is shown), so its notifications are raised even while the person
 * looks elsewhere.
 */
public final class EventsController {
    /** How many entries are kept; the oldest go first. */
    public static final int CAPACITY = 20_000;

    public enum Range {
        FIVE_MINUTES("Last 5 minutes", Duration.ofMinutes(5)), FIFTEEN_MINUTES("Last 15 minutes", Duration.ofMinutes(15)),
        HOUR("Last hour", Duration.ofHours(1)), SIX_HOURS("Last 6 hours", Duration.ofHours(6)), DAY("Last 24 hours", Duration.ofDays(1)),
        WEEK("Last 7 days", Duration.ofDays(7));

        final String label;
        final Duration span;

        Range(String label, Duration span) {
            this.label = label;
            this.span = span;
        }
    }

    private static final List<ResourceKind> WATCHED = List.of(Kinds.NODE, Kinds.EVENT, Kinds.DEPLOYMENT, Kinds.REPLICA_SET, Kinds.POD);
    private static final double LANE_LABEL = 90;
    private static final double AXIS = 22;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("MMM d HH:mm");

    private record Item(String kind, ResourceCache.Change change) {}

    private final ClusterSession session;
    private final Clock clock;
    private final ZoneId zone;
    private final Consumer<TimelineEntry> onSelect;
    private final Consumer<Notification> onNotification;
    private final TimelineFeed feed = new TimelineFeed();
    private final ObservableList<TimelineEntry> entries = FXCollections.observableArrayList();
    private final FilteredList<TimelineEntry> filtered = new FilteredList<>(entries);
    private final TableView<TimelineEntry> table = new TableView<>();
    private final TextField text = new TextField();
    private final ChoiceBox<String> severity = new ChoiceBox<>(FXCollections.observableArrayList("All", "Normal", "Warning"));
    private final ChoiceBox<Range> range = new ChoiceBox<>(FXCollections.observableArrayList(Range.values()));
    private final Label windowLabel = new Label();
    private final Canvas canvas = new Canvas(600, 160);
    private final BorderPane root = new BorderPane();
    private final Timeline ticker;
    private final List<Consumer<ResourceCache.Change>> feeds = new ArrayList<>();
    private Duration span = Range.HOUR.span;
    /** The window's end; null while it follows the present. */
    private Instant pinnedEnd;
    private double dragX = Double.NaN;
    private boolean closed;

    public EventsController(ClusterSession session, FxTasks tasks, Clock clock, Consumer<TimelineEntry> onSelect,
                            Consumer<Notification> onNotification) {
        this.session = session;
        this.clock = clock;
        this.zone = clock.getZone();
        this.onSelect = onSelect;
        this.onNotification = onNotification;
        buildView();
        FxBatcher<Item> batcher = new FxBatcher<>(tasks::ui, this::apply);
        for (ResourceKind k : WATCHED) {
            Consumer<ResourceCache.Change> f = c -> batcher.add(new Item(k.kind(), c));
            feeds.add(f);
            session.cache(k).addListener(f);
        }
        ticker = new Timeline(new KeyFrame(javafx.util.Duration.seconds(1), e -> {
            if (pinnedEnd == null) {
                refilter();
            }
        }));
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
    }

    private void buildView() {
        text.setId("events-filter");
        text.setPromptText("Filter by object, reason or message");
        text.setPrefColumnCount(24);
        text.textProperty().addListener((o, a, b) -> refilter());
        severity.setId("events-severity");
        severity.setValue("All");
        severity.valueProperty().addListener((o, a, b) -> refilter());
        range.setId("events-range");
        range.setConverter(new StringConverter<>() {
            @Override
            public String toString(Range r) {
                return r == null ? "" : r.label;
            }

            @Override
            public Range fromString(String s) {
                return null;
            }
        });
        range.setValue(Range.HOUR);
        range.valueProperty().addListener((o, a, b) -> {
            if (b != null) {
                setWindow(b.span, null);
            }
        });
        Button now = new Button("Now");
        now.setId("events-now");
        now.setTooltip(new Tooltip("Follow the present again"));
        now.setOnAction(e -> setWindow(span, null));
        windowLabel.setId("events-window");
        windowLabel.getStyleClass().add("text-muted");
        HBox bar = new HBox(8, text, new Label("Severity"), severity, range, now, windowLabel);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6));

        canvas.setId("events-canvas");
        Pane canvasPane = new Pane(canvas);
        canvasPane.setMinHeight(120);
        canvasPane.setPrefHeight(180);
        canvas.widthProperty().bind(canvasPane.widthProperty());
        canvas.heightProperty().bind(canvasPane.heightProperty());
        canvas.widthProperty().addListener(o -> draw());
        canvas.heightProperty().addListener(o -> draw());
        canvas.setOnScroll(e -> {
            if (e.getDeltaY() != 0) {
                zoom(e.getDeltaY() > 0 ? 0.8 : 1.25, e.getX());
            }
        });
        canvas.setOnMousePressed(e -> dragX = e.getX());
        canvas.setOnMouseDragged(e -> {
            if (!Double.isNaN(dragX)) {
                double dx = e.getX() - dragX;
                dragX = e.getX();
                pan(dx);
            }
        });
        canvas.setOnMouseClicked(e -> {
            if (e.isStillSincePress()) {
                TimelineEntry hit = entryAt(e.getX(), e.getY());
                if (hit != null) {
                    table.getSelectionModel().select(hit);
                    table.scrollTo(hit);
                }
            }
        });

        table.setId("events-table");
        table.setPlaceholder(new Label("Nothing happened in this time range"));
        TableColumn<TimelineEntry, String> time = column("Time", 90, e -> e.time().atZone(zone).format(
                span.compareTo(Duration.ofDays(1)) > 0 ? DAY_TIME : TIME));
        time.setSortable(false);
        table.getColumns().add(time);
        table.getColumns().add(column("Severity", 80, e -> e.severity().label()));
        table.getColumns().add(column("Kind of change", 100, e -> e.category().title()));
        table.getColumns().add(column("Object", 260, TimelineEntry::object));
        table.getColumns().add(column("Reason", 140, TimelineEntry::reason));
        table.getColumns().add(column("Message", 480, TimelineEntry::message));
        SortedList<TimelineEntry> newestFirst = new SortedList<>(filtered, Comparator.comparing(TimelineEntry::time).reversed());
        table.setItems(newestFirst);
        table.setRowFactory(tv -> {
            var row = new javafx.scene.control.TableRow<TimelineEntry>() {
                @Override
                protected void updateItem(TimelineEntry item, boolean empty) {
                    super.updateItem(item, empty);
                    getStyleClass().remove("warning-row");
                    if (!empty && item != null && item.severity() == Severity.WARNING) {
                        getStyleClass().add("warning-row");
                    }
                }
            };
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) {
                    onSelect.accept(row.getItem());
                }
            });
            return row;
        });
        table.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER && table.getSelectionModel().getSelectedItem() != null) {
                onSelect.accept(table.getSelectionModel().getSelectedItem());
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> draw());

        SplitPane split = new SplitPane(canvasPane, table);
        split.setOrientation(javafx.geometry.Orientation.VERTICAL);
        split.setDividerPositions(0.3);
        root.setTop(bar);
        root.setCenter(split);
        root.setId("events-timeline");
        refilter();
    }

    private static TableColumn<TimelineEntry, String> column(String title, double width,
                                                             java.util.function.Function<TimelineEntry, String> value) {
        TableColumn<TimelineEntry, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    public Node view() {
        return root;
    }

    /** Every entry kept, oldest first (read on the FX thread). */
    public List<TimelineEntry> entries() {
        return List.copyOf(entries);
    }

    /** The entries the table shows now: in the time window, passing the filters, newest first. */
    public List<TimelineEntry> shown() {
        return List.copyOf(table.getItems());
    }

    public TableView<TimelineEntry> table() {
        return table;
    }

    /** The time window shown, as [start, end]. */
    public Instant[] window() {
        Instant end = pinnedEnd == null ? clock.instant() : pinnedEnd;
        return new Instant[] {end.minus(span), end};
    }

    /** Shows {@code span} up to {@code end}, or up to now and following it when {@code end} is null. */
    public void setWindow(Duration span, Instant end) {
        this.span = span.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : span;
        this.pinnedEnd = end != null && end.isBefore(clock.instant()) ? end : null;
        refilter();
    }

    /** Zooms by {@code factor} (below 1: in) around the point {@code x} pixels from the canvas' left. */
    public void zoom(double factor, double x) {
        Instant[] w = window();
        double width = Math.max(1, canvas.getWidth() - LANE_LABEL);
        double f = Math.clamp((x - LANE_LABEL) / width, 0, 1);
        long spanMs = span.toMillis();
        long anchor = w[0].toEpochMilli() + (long) (f * spanMs);
        long newSpan = Math.max(10_000, (long) (spanMs * factor));
        long end = anchor + (long) ((1 - f) * newSpan);
        setWindow(Duration.ofMillis(newSpan), pinnedEnd == null && f > 0.98 ? null : Instant.ofEpochMilli(end));
    }

    private void pan(double dx) {
        double width = Math.max(1, canvas.getWidth() - LANE_LABEL);
        long shift = (long) (-dx / width * span.toMillis());
        Instant end = window()[1].plusMillis(shift);
        setWindow(span, end);
    }

    private void apply(List<Item> batch) {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        List<TimelineEntry> added = new ArrayList<>();
        for (Item i : batch) {
            TimelineFeed.Result r = feed.accept(i.kind(), i.change().type(), i.change().object(), now);
            added.addAll(r.entries());
            r.notifications().forEach(onNotification);
        }
        if (!added.isEmpty()) {
            entries.addAll(added);
            int over = entries.size() - CAPACITY;
            if (over > 0) {
                entries.sort(Comparator.comparing(TimelineEntry::time));
                entries.remove(0, over);
            }
            draw();
        }
    }

    private void refilter() {
        Instant[] w = window();
        String t = text.getText();
        String sev = severity.getValue();
        filtered.setPredicate(e -> !e.time().isBefore(w[0]) && !e.time().isAfter(w[1]) && e.matches(t)
                && ("All".equals(sev) || e.severity().label().equals(sev)));
        windowLabel.setText(w[0].atZone(zone).format(DAY_TIME) + " – " + (pinnedEnd == null ? "now" : w[1].atZone(zone).format(DAY_TIME)));
        draw();
    }

    private double xOf(Instant t, Instant[] w) {
        double width = canvas.getWidth() - LANE_LABEL;
        return LANE_LABEL + width * (t.toEpochMilli() - w[0].toEpochMilli()) / (double) Math.max(1, span.toMillis());
    }

    private double laneY(Category c) {
        double laneHeight = (canvas.getHeight() - AXIS) / Category.values().length;
        return laneHeight * c.ordinal() + laneHeight / 2;
    }

    private TimelineEntry entryAt(double x, double y) {
        Instant[] w = window();
        TimelineEntry best = null;
        double bestDistance = 8;
        for (TimelineEntry e : filtered) {
            double d = Math.hypot(xOf(e.time(), w) - x, laneY(e.category()) - y);
            if (d < bestDistance) {
                bestDistance = d;
                best = e;
            }
        }
        return best;
    }

    private void draw() {
        double width = canvas.getWidth();
        double height = canvas.getHeight();
        if (width <= LANE_LABEL || height <= AXIS) {
            return;
        }
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, width, height);
        Instant[] w = window();
        Color ink = Color.gray(0.5);
        g.setFont(Font.font(11));
        for (Category c : Category.values()) {
            double y = laneY(c);
            g.setStroke(Color.gray(0.5, 0.25));
            g.strokeLine(LANE_LABEL, y, width, y);
            g.setFill(ink);
            g.fillText(c.title(), 6, y + 4);
        }
        // time axis with a tick about every 100 px, on a round step
        long step = niceStep(span.toMillis() / Math.max(1, (width - LANE_LABEL) / 100));
        long first = (w[0].toEpochMilli() / step + 1) * step;
        DateTimeFormatter f = span.compareTo(Duration.ofDays(1)) > 0 ? DAY_TIME : TIME;
        g.setStroke(Color.gray(0.5, 0.35));
        for (long t = first; t < w[1].toEpochMilli(); t += step) {
            double x = xOf(Instant.ofEpochMilli(t), w);
            g.strokeLine(x, 0, x, height - AXIS);
            g.setFill(ink);
            g.fillText(Instant.ofEpochMilli(t).atZone(zone).format(f), x - 22, height - 6);
        }
        TimelineEntry selected = table.getSelectionModel().getSelectedItem();
        for (TimelineEntry e : filtered) {
            double x = xOf(e.time(), w);
            double y = laneY(e.category());
            g.setFill(e.severity() == Severity.WARNING ? Color.web("#d9480f") : Color.web("#1c7ed6"));
            double r = e == selected ? 6 : 4;
            g.fillOval(x - r, y - r, 2 * r, 2 * r);
        }
        g.setStroke(ink);
        g.strokeLine(LANE_LABEL, height - AXIS, width, height - AXIS);
    }

    private static long niceStep(double ms) {
        long[] steps = {1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000,
                21_600_000, 43_200_000, 86_400_000};
        for (long s : steps) {
            if (s >= ms) {
                return s;
            }
        }
        return 86_400_000L * 7;
    }

    public void close() {
        closed = true;
        ticker.stop();
        if (!session.isClosed()) {
            for (int i = 0; i < WATCHED.size(); i++) {
                session.cache(WATCHED.get(i)).removeListener(feeds.get(i));
            }
        }
    }
}
