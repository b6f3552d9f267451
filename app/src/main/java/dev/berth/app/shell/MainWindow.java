package dev.berth.app.shell;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.Connection;
import dev.berth.app.cluster.EmbeddedControlPlane;
import dev.berth.app.cluster.KubeContexts;
import dev.berth.app.cluster.Kinds;
import dev.berth.app.cluster.ResourceCache;
import dev.berth.app.cluster.ResourceKind;
import dev.berth.app.editor.Apply;
import dev.berth.app.editor.EditorController;
import dev.berth.app.explorer.ExplorerController;
import dev.berth.app.explorer.Workbench;
import dev.berth.app.fx.FxBatcher;
import dev.berth.app.fx.FxTasks;
import dev.berth.app.logs.LogsController;
import dev.berth.app.overview.OverviewController;
import dev.berth.app.palette.Command;
import dev.berth.app.palette.CommandPalette;
import dev.berth.app.settings.Theme;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The main window: connection chooser and theme in the tool bar, sections on the left, the overview
 * or a kind's table in the first tab, editors and logs in further tabs, the control plane's state
 * and messages in the status bar.
 */
public final class MainWindow implements Workbench {
    /** What closing the window does, as the person chose. */
    public enum CloseChoice { KEEP_RUNNING, STOP, CANCEL }

    static final String OVERVIEW = "Overview";
    static final String TOPOLOGY = "Topology";
    static final String AUDIT = "Audit log";
    static final String TIMELINE = "Events timeline";

    private final Stage stage;
    private final AppContext ctx;
    private final FxTasks tasks = FxTasks.onFxThread();
    private final BorderPane root = new BorderPane();
    private final ComboBox<Connection> connections = new ComboBox<>();
    private final TreeView<Object> nav = new TreeView<>();
    private final TreeItem<Object> customSection = new TreeItem<>(Kinds.CUSTOM);
    private final TabPane tabs = new TabPane();
    private final StackPane clusterView = new StackPane();
    private final Tab clusterTab = new Tab("Cluster", clusterView);
    private final Label controlPlaneStatus = new Label();
    private final Label message = new Label();
    private final Label connectionStatus = new Label("Not connected");
    private final ProgressIndicator busy = new ProgressIndicator();
    private final SplitPane main;
    private final CommandPalette palette = new CommandPalette(this::commands);
    private ClusterSession session;
    private ExplorerController explorer;
    private OverviewController overview;
    private dev.berth.app.topology.TopologyView topology;
    private dev.berth.app.audit.AuditController audit;
    private dev.berth.app.events.EventsController events;
    private dev.berth.app.metrics.MetricsView metrics;
    private final dev.berth.app.events.NotificationCenter notifications;
    private Connection connecting;
    private Theme theme;
    private dev.berth.app.portforward.PortForwards portForwards;
    private dev.berth.app.portforward.PortForwardsView portForwardsView;
    private Tab portForwardsTab;
    private java.util.function.Function<ClusterSession, dev.berth.app.nodes.NodeJob.Environment> nodeEnvironment =
            this::productionNodeEnvironment;
    private Consumer<java.net.URI> browser = url -> {
        try {
            dev.berth.app.portforward.Browser.open(url);
        } catch (java.io.IOException e) {
            notify("Cannot open a browser: " + e.getMessage() + "; open " + url + " yourself", true);
        }
    };
    private Consumer<CloseChoice> onClose = c -> {};
    private java.util.function.Function<String, CloseChoice> closeQuestion = this::askOnClose;
    /** Whether to ask the first-run question (the launcher sets it; tests that build a window do not). */
    private boolean offerFirstRun;
    private java.util.function.Function<Boolean, java.util.Optional<FirstRun.Choice>> firstRunQuestion =
            dockerUsable -> FirstRun.ask(stage(), dockerUsable);
    /** Simulated nodes run beside the embedded control plane (first-run choice), or null. */
    private volatile dev.berth.core.sim.HollowNodes simulated;

    public MainWindow(Stage stage, AppContext ctx) {
        this.stage = stage;
        this.ctx = ctx;
        this.theme = ctx.settings().theme();
        theme.apply();

        connections.setId("connection");
        connections.setPromptText("Connect to…");
        connections.setOnShowing(e -> refreshContexts());
        connections.setOnAction(e -> {
            Connection c = connections.getValue();
            if (c != null && (session == null || !c.equals(session.connection())) && !c.equals(connecting)) {
                connect(c);
            }
        });
        Button themeButton = new Button("◐");
        themeButton.setId("theme-toggle");
        themeButton.setTooltip(new Tooltip("Light or dark theme (Ctrl+T)"));
        themeButton.setOnAction(e -> toggleTheme());
        Button paletteButton = new Button("Commands  Ctrl+K");
        paletteButton.setId("palette-button");
        paletteButton.setOnAction(e -> showPalette());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        busy.setPrefSize(18, 18);
        busy.setVisible(false);
        notifications = new dev.berth.app.events.NotificationCenter(ctx.clock().getZone(),
                n -> reveal(n.kind(), n.namespace(), n.name()));
        javafx.scene.control.MenuItem exportItem = new javafx.scene.control.MenuItem("Export the cluster to a folder of YAML…");
        exportItem.setId("menu-export");
        exportItem.setOnAction(e -> chooseFolder(true));
        javafx.scene.control.MenuItem importItem = new javafx.scene.control.MenuItem("Import a folder of YAML…");
        importItem.setId("menu-import");
        importItem.setOnAction(e -> chooseFolder(false));
        javafx.scene.control.MenuButton clusterMenu = new javafx.scene.control.MenuButton("State", null, exportItem, importItem);
        clusterMenu.setId("cluster-menu");
        ToolBar bar = new ToolBar(new Label("Cluster"), connections, busy, clusterMenu, spacer, notifications.button(), paletteButton, themeButton);

        nav.setId("nav");
        nav.setShowRoot(false);
        TreeItem<Object> navRoot = new TreeItem<>("root");
        navRoot.getChildren().add(new TreeItem<>(OVERVIEW));
        navRoot.getChildren().add(new TreeItem<>(TOPOLOGY, KindIcons.forKind("Service", 16)));
        for (Map.Entry<String, List<ResourceKind>> s : Kinds.bySection().entrySet()) {
            TreeItem<Object> section = s.getKey().equals(Kinds.CUSTOM) ? customSection : new TreeItem<>(s.getKey());
            for (ResourceKind k : s.getValue()) {
                section.getChildren().add(new TreeItem<>(k, KindIcons.forKind(k.kind(), 16)));
            }
            if (s.getKey().equals(Kinds.EVENTS)) {
                section.getChildren().add(new TreeItem<>(TIMELINE, KindIcons.forKind("Event", 16)));
            }
            if (s.getKey().equals(Kinds.ACCESS) && ctx.controlPlane() != null) {
                section.getChildren().add(new TreeItem<>(AUDIT, KindIcons.forKind("Event", 16)));
            }
            section.setExpanded(true);
            navRoot.getChildren().add(section);
        }
        nav.setRoot(navRoot);
        nav.getSelectionModel().selectedItemProperty().addListener((obs, o, n) -> {
            if (n != null) {
                showNavItem(n.getValue());
            }
        });

        clusterTab.setClosable(false);
        clusterTab.setId("tab-cluster");
        tabs.setId("tabs");
        tabs.getTabs().add(clusterTab);
        clusterView.getChildren().setAll(placeholder("Not connected yet: the control plane is starting, or choose a cluster above."));

        controlPlaneStatus.setId("status-control-plane");
        message.setId("status-message");
        connectionStatus.setId("status-connection");
        Region statusSpacer = new Region();
        HBox.setHgrow(statusSpacer, Priority.ALWAYS);
        HBox status = new HBox(16, controlPlaneStatus, message, statusSpacer, connectionStatus);
        status.setPadding(new Insets(4, 8, 4, 8));
        status.setAlignment(Pos.CENTER_LEFT);
        status.getStyleClass().add("status-bar");

        main = new SplitPane(nav, tabs);
        main.setId("main-split");
        SplitPane.setResizableWithParent(nav, false);
        main.setDividerPositions(ctx.settings().getDouble("layout.nav", 0.18));
        root.setTop(bar);
        root.setCenter(main);
        root.setBottom(status);
        StackPane layers = new StackPane(root, notifications.toast());

        Scene scene = new Scene(layers, ctx.settings().getDouble("window.width", 1280), ctx.settings().getDouble("window.height", 800));
        scene.getStylesheets().add(MainWindow.class.getResource("app.css").toExternalForm());
        installShortcuts(scene);
        stage.setScene(scene);
        stage.setTitle("Berth");
        stage.getIcons().setAll(dev.berth.app.icons.Icons.appIcons());
        double x = ctx.settings().getDouble("window.x", Double.NaN);
        double y = ctx.settings().getDouble("window.y", Double.NaN);
        if (!Double.isNaN(x) && !Double.isNaN(y)) {
            stage.setX(x);
            stage.setY(y);
        }
        stage.setMaximized(ctx.settings().getBoolean("window.maximized", false));
        stage.setOnCloseRequest(this::closeRequested);

        if (ctx.controlPlane() != null) {
            ctx.controlPlane().addListener(s -> tasks.ui(() -> controlPlaneChanged(s)));
        } else {
            controlPlaneStatus.setText("No embedded control plane");
        }
        refreshContexts();
        if (ctx.initialContext() != null) {
            connections.getItems().stream().filter(c -> c.label().equals(ctx.initialContext())).findFirst()
                    .ifPresentOrElse(this::connect, () -> notify("No kubeconfig context named \"" + ctx.initialContext()
                            + "\" in " + ctx.kubeconfigFiles(), true));
        }
    }

    public Stage stage() {
        return stage;
    }

    public Scene scene() {
        return stage.getScene();
    }

    public ExplorerController explorer() {
        return explorer;
    }

    public OverviewController overview() {
        return overview;
    }

    /** The topology view, once it has been opened on this connection. */
    public dev.berth.app.topology.TopologyView topology() {
        return topology;
    }

    /** The events timeline of the current connection. */
    public dev.berth.app.events.EventsController events() {
        return events;
    }

    /** The metrics charts of the current connection. */
    public dev.berth.app.metrics.MetricsView metrics() {
        return metrics;
    }

    public dev.berth.app.events.NotificationCenter notifications() {
        return notifications;
    }

    /**
     * Shows the object {@code kind namespace/name} selected in its kind's table, with its details;
     * says so in the status bar when the app has no table for that kind.
     */
    public void reveal(String kind, String namespace, String name) {
        if (session == null) {
            return;
        }
        Optional<ResourceKind> k = Kinds.builtIn().stream().filter(x -> x.kind().equals(kind)).findFirst();
        if (k.isEmpty()) {
            notify("No table for " + kind + " " + name + " in this app", true);
            return;
        }
        show(k.get());
        explorer.reveal(namespace == null || namespace.isEmpty() || !k.get().namespaced() ? name : namespace + "/" + name);
    }

    public ClusterSession session() {
        return session;
    }

    public TabPane tabs() {
        return tabs;
    }

    public Theme theme() {
        return theme;
    }

    /** What the window does after the person chose how to close (the launcher exits or stays). */
    public void onClose(Consumer<CloseChoice> handler) {
        this.onClose = handler;
    }

    /**
     * Asks, once the embedded control plane answers for the first time in these settings, where the
     * cluster should run its pods (this machine, SSH machines, simulated nodes).
     */
    public void offerFirstRun(boolean on) {
        this.offerFirstRun = on;
    }

    /** Replaces the first-run dialog (tests answer it; the argument says whether Docker is usable). */
    public void firstRunQuestion(java.util.function.Function<Boolean, java.util.Optional<FirstRun.Choice>> question) {
        this.firstRunQuestion = question;
    }

    /** The simulated nodes running beside the control plane, if any. */
    public java.util.Optional<dev.berth.core.sim.HollowNodes> simulatedNodes() {
        return java.util.Optional.ofNullable(simulated);
    }

    /** Replaces the close question (tests answer it without a dialog). */
    public void closeQuestion(java.util.function.Function<String, CloseChoice> question) {
        this.closeQuestion = question;
    }

    public void show() {
        stage.show();
    }

    private static Node placeholder(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.getStyleClass().add("text-muted");
        l.setId("cluster-placeholder");
        VBox v = new VBox(l);
        v.setAlignment(Pos.CENTER);
        v.setPadding(new Insets(24));
        return v;
    }

    private void controlPlaneChanged(EmbeddedControlPlane.State s) {
        controlPlaneStatus.setText(s.message());
        controlPlaneStatus.getStyleClass().removeAll("danger", "success");
        if (s.phase() == EmbeddedControlPlane.Phase.FAILED) {
            controlPlaneStatus.getStyleClass().add("danger");
        } else if (s.usable()) {
            controlPlaneStatus.getStyleClass().add("success");
        }
        refreshContexts();
        if (s.usable() && session == null && connecting == null && ctx.initialContext() == null) {
            connect(Connection.embedded(s.kubeconfig()));
        }
    }

    private void refreshContexts() {
        Connection current = connections.getValue();
        List<Connection> list = new ArrayList<>();
        if (ctx.controlPlane() != null && ctx.controlPlane().state().usable()) {
            list.add(Connection.embedded(ctx.controlPlane().state().kubeconfig()));
        }
        for (KubeContexts.Context c : KubeContexts.list(ctx.kubeconfigFiles())) {
            list.add(Connection.of(c));
        }
        if (!list.equals(connections.getItems())) {
            connections.getItems().setAll(list);
            if (current != null && list.contains(current)) {
                connections.setValue(current);
            }
        }
    }

    /** Opens {@code c}; the current connection's views close once the new one answers. */
    public void connect(Connection c) {
        connecting = c;
        busy.setVisible(true);
        connectionStatus.setText("Connecting to " + c.label() + "…");
        tasks.run(() -> {
                    KubernetesClient client = c.client();
                    try {
                        String version = client.getKubernetesVersion().getGitVersion();
                        return Map.entry(client, version);
                    } catch (RuntimeException e) {
                        client.close();
                        throw e;
                    }
                })
                .onSuccess(cv -> {
                    if (connecting != c) {
                        cv.getKey().close();
                        return;
                    }
                    closeSession();
                    session = new ClusterSession(c, cv.getKey());
                    explorer = new ExplorerController(session, tasks, ctx.clock(), this);
                    overview = new OverviewController(session, tasks);
                    metrics = new dev.berth.app.metrics.MetricsView(session, tasks, ctx.clock());
                    explorer.details().addTab("Metrics", "details-metrics-tab", metrics.view(), metrics::show);
                    notifications.clear();
                    events = new dev.berth.app.events.EventsController(session, tasks, ctx.clock(),
                            e -> reveal(e.kind(), e.namespace(), e.name()), notifications::add);
                    connectionStatus.setText("Connected to " + c.label() + " (Kubernetes " + cv.getValue() + ")");
                    if (!c.equals(connections.getValue())) {
                        connections.setValue(c);
                    }
                    watchCrds();
                    restoreView();
                    if (c.embedded()) {
                        embeddedConnected();
                    }
                })
                .onFailure(e -> {
                    if (connecting == c) {
                        connectionStatus.setText("Not connected");
                        notify("Cannot connect to " + c.label() + ": " + rootMessage(e)
                                + ". Check that it runs, or choose another cluster above.", true);
                    }
                })
                .onDone(() -> {
                    if (connecting == c) {
                        connecting = null;
                        busy.setVisible(false);
                    }
                })
                .start();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private void watchCrds() {
        ResourceCache crds = session.cache(Kinds.CRD);
        ClusterSession s = session;
        FxBatcher<Object> batcher = new FxBatcher<>(tasks::ui, b -> {
            if (session != s) {
                return;
            }
            TreeMap<String, ResourceKind> kinds = new TreeMap<>();
            for (GenericKubernetesResource crd : crds.list()) {
                Kinds.fromCrd(crd).ifPresent(k -> kinds.put(k.kind() + "." + k.group(), k));
            }
            List<TreeItem<Object>> items = new ArrayList<>();
            items.add(new TreeItem<>(Kinds.CRD, KindIcons.forKind("CustomResourceDefinition", 16)));
            for (ResourceKind k : kinds.values()) {
                items.add(new TreeItem<>(k, KindIcons.forKind(k.kind(), 16)));
            }
            Object selected = nav.getSelectionModel().getSelectedItem() == null ? null
                    : nav.getSelectionModel().getSelectedItem().getValue();
            if (!sameKinds(customSection.getChildren(), items)) {
                customSection.getChildren().setAll(items);
                if (selected instanceof ResourceKind) {
                    select(selected);
                }
            }
        });
        crds.addListener(ch -> batcher.add(ch));
    }

    private static boolean sameKinds(List<TreeItem<Object>> a, List<TreeItem<Object>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).getValue().equals(b.get(i).getValue())) {
                return false;
            }
        }
        return true;
    }

    private void restoreView() {
        String last = ctx.settings().get("view", OVERVIEW);
        Object target = TOPOLOGY.equals(last) || TIMELINE.equals(last) ? last : OVERVIEW;
        for (ResourceKind k : Kinds.builtIn()) {
            if ((k.kind() + "." + k.group()).equals(last)) {
                target = k;
            }
        }
        if (!select(target)) {
            showNavItem(target);
        }
    }

    private boolean select(Object value) {
        TreeItem<Object> item = find(nav.getRoot(), value);
        if (item == null) {
            return false;
        }
        if (nav.getSelectionModel().getSelectedItem() == item) {
            showNavItem(value);
        } else {
            nav.getSelectionModel().select(item);
        }
        return true;
    }

    private static TreeItem<Object> find(TreeItem<Object> node, Object value) {
        if (value.equals(node.getValue())) {
            return node;
        }
        for (TreeItem<Object> c : node.getChildren()) {
            TreeItem<Object> f = find(c, value);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** Shows the overview or the table of a kind in the first tab. */
    public void show(Object item) {
        if (!select(item)) {
            showNavItem(item);
        }
    }

    private void showNavItem(Object item) {
        tabs.getSelectionModel().select(clusterTab);
        if (session == null) {
            return;
        }
        if (item instanceof ResourceKind k) {
            explorer.show(k);
            clusterView.getChildren().setAll(explorer.view());
            clusterTab.setText(k.title());
            ctx.settings().put("view", k.kind() + "." + k.group());
        } else if (OVERVIEW.equals(item)) {
            clusterView.getChildren().setAll(overview.view());
            clusterTab.setText(OVERVIEW);
            ctx.settings().put("view", OVERVIEW);
        } else if (TOPOLOGY.equals(item)) {
            if (topology == null) {
                topology = new dev.berth.app.topology.TopologyView(session, tasks, explorer.namespaceChoice());
            }
            topology.setDark(theme == Theme.DARK);
            clusterView.getChildren().setAll(topology.view());
            clusterTab.setText(TOPOLOGY);
            ctx.settings().put("view", TOPOLOGY);
        } else if (TIMELINE.equals(item)) {
            clusterView.getChildren().setAll(events.view());
            clusterTab.setText(TIMELINE);
            ctx.settings().put("view", TIMELINE);
        } else if (AUDIT.equals(item) && ctx.controlPlane() != null) {
            if (audit == null) {
                audit = new dev.berth.app.audit.AuditController(ctx.controlPlane().auditDir(), tasks);
            }
            clusterView.getChildren().setAll(audit.view());
            clusterTab.setText(AUDIT);
        }
    }

    /** The embedded control plane answers: its simulated nodes start, and the first-run question is asked once. */
    private void embeddedConnected() {
        int n = FirstRun.simulatedNodes(ctx.settings());
        if (n > 0) {
            startSimulatedNodes(n);
        }
        if (offerFirstRun && FirstRun.due(ctx.settings())) {
            offerFirstRun = false;
            Platform.runLater(() -> firstRunQuestion.apply(FirstRun.dockerUsable()).ifPresent(this::applyFirstRun));
        }
    }

    void applyFirstRun(FirstRun.Choice choice) {
        FirstRun.remember(ctx.settings(), choice);
        switch (choice.kind()) {
            case THIS_MACHINE -> {
                dev.berth.app.nodes.NodeWizard w = openNodeWizardTab(dev.berth.app.nodes.NodeWizard.Mode.ADD, null);
                if (w != null) {
                    w.prefill("localhost", localHostName());
                }
            }
            case SSH_MACHINES -> openNodeWizard(dev.berth.app.nodes.NodeWizard.Mode.ADD, null);
            case SIMULATED_NODES -> startSimulatedNodes(choice.nodes());
            case LATER -> notify("Add node… in the Nodes view adds machines whenever you are ready.", false);
        }
    }

    private static String localHostName() {
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
            return name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** Starts {@code count} simulated nodes ({@code sim-0}...) against the current session, off the FX thread. */
    private void startSimulatedNodes(int count) {
        ClusterSession s = session;
        if (s == null || simulated != null) {
            return;
        }
        tasks.run(() -> {
                    dev.berth.core.sim.HollowNodes h = new dev.berth.core.sim.HollowNodes(s.client(), ctx.clock(),
                            dev.berth.core.sim.SimOptions.defaults()).start();
                    h.serveSummaries();
                    List<dev.berth.core.sim.HollowNodeSpec> specs = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        specs.add(dev.berth.core.sim.HollowNodeSpec.of("sim-" + i, i));
                    }
                    h.addAll(specs);
                    return h;
                })
                .onSuccess(h -> {
                    if (session != s || simulated != null) {
                        h.close();
                        return;
                    }
                    simulated = h;
                    notify(count + (count == 1 ? " simulated node runs" : " simulated nodes run")
                            + " beside the control plane (sim-0…).", false);
                })
                .onFailure(e -> notify("Cannot start the simulated nodes: " + rootMessage(e), true))
                .start();
    }

    private void closeSession() {
        if (simulated != null) {
            simulated.close();
            simulated = null;
        }
        if (explorer != null) {
            explorer.close();
        }
        if (overview != null) {
            overview.close();
        }
        if (events != null) {
            events.close();
            events = null;
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        if (topology != null) {
            topology.close();
            topology = null;
        }
        if (audit != null) {
            audit.close();
            audit = null;
        }
        if (portForwardsView != null) {
            portForwardsView.close();
            portForwardsView = null;
            portForwardsTab = null;
        }
        if (portForwards != null) {
            portForwards.close();
            portForwards = null;
        }
        if (session != null) {
            ClusterSession old = session;
            tasks.run(() -> {
                old.close();
                return true;
            }).start();
        }
        tabs.getTabs().retainAll(clusterTab);
        explorer = null;
        overview = null;
        session = null;
    }

    @Override
    public void openEditor(String title, String yaml) {
        if (session == null) {
            return;
        }
        EditorController editor = new EditorController(new Apply(session.client()), tasks, yaml,
                applied -> notify("Applied " + applied.getKind() + " " + applied.getMetadata().getName(), false));
        Tab t = new Tab(title, editor.view());
        t.setUserData(editor);
        tabs.getTabs().add(t);
        tabs.getSelectionModel().select(t);
        editor.area().requestFocus();
    }

    /** The editor in the selected tab, if that tab holds one. */
    public Optional<EditorController> currentEditor() {
        Tab t = tabs.getSelectionModel().getSelectedItem();
        return t != null && t.getUserData() instanceof EditorController e ? Optional.of(e) : Optional.empty();
    }

    @Override
    public void openLogs(GenericKubernetesResource object) {
        if (session == null) {
            return;
        }
        LogsController logs = new LogsController(session.client(), tasks, object);
        String title = "Pod".equals(object.getKind()) ? object.getMetadata().getName()
                : object.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + object.getMetadata().getName();
        Tab t = new Tab("Logs " + title, logs.view());
        t.setUserData(logs);
        t.setOnClosed(e -> logs.stop());
        tabs.getTabs().add(t);
        tabs.getSelectionModel().select(t);
    }

    @Override
    public void openTerminal(GenericKubernetesResource pod, String container) {
        if (session == null) {
            return;
        }
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        io.fabric8.kubernetes.client.KubernetesClient client = session.client();
        String title = "Terminal " + name + (container == null ? "" : "/" + container);
        dev.berth.app.terminal.TerminalView terminal = new dev.berth.app.terminal.TerminalView(tasks, title,
                command -> dev.berth.app.terminal.Fabric8Exec.open(client, namespace, name, container, command));
        Tab t = new Tab(title, terminal.view());
        t.setUserData(terminal);
        t.setOnClosed(e -> terminal.close());
        tabs.getTabs().add(t);
        tabs.getSelectionModel().select(t);
        terminal.connect();
    }

    /** Replaces where the node wizard provisions (tests point it at a test SSH server and layout). */
    public void nodeEnvironment(java.util.function.Function<ClusterSession, dev.berth.app.nodes.NodeJob.Environment> environment) {
        this.nodeEnvironment = environment;
    }

    /** Replaces how "Open in browser" opens a URL (tests record it). */
    public void browser(Consumer<java.net.URI> opener) {
        this.browser = opener;
    }

    private dev.berth.app.nodes.NodeJob.Environment productionNodeEnvironment(ClusterSession s) {
        java.nio.file.Path dataDir = ctx.controlPlane() != null ? ctx.controlPlane().dataDir()
                : dev.berth.core.server.ServerOptions.defaultDataDir();
        dev.berth.core.pki.Kubeconfig cluster = dev.berth.core.pki.Kubeconfig.read(s.connection().kubeconfig());
        return new dev.berth.app.nodes.NodeJob.Environment(s.client(), cluster,
                dev.berth.core.provision.KnownHosts.defaults(dataDir), dev.berth.core.provision.RemoteLayout.SYSTEM,
                progress -> dev.berth.app.cli.AgentBundles.forThisVersion(dataDir, progress), java.time.Duration.ofSeconds(10),
                java.time.Duration.ofMinutes(5), 10250, java.time.Duration.ofMinutes(5), ctx.clock());
    }

    @Override
    public void openNodeWizard(dev.berth.app.nodes.NodeWizard.Mode mode, GenericKubernetesResource node) {
        openNodeWizardTab(mode, node);
    }

    private dev.berth.app.nodes.NodeWizard openNodeWizardTab(dev.berth.app.nodes.NodeWizard.Mode mode, GenericKubernetesResource node) {
        if (session == null) {
            return null;
        }
        ClusterSession s = session;
        dev.berth.app.nodes.NodeWizard wizard = new dev.berth.app.nodes.NodeWizard(mode, tasks, w ->
                new dev.berth.app.nodes.NodeJob(nodeEnvironment.apply(s), new dev.berth.app.nodes.FxPrompter(w::window), w::progress));
        String nodeName = node == null ? null : node.getMetadata().getName();
        if (node != null) {
            wizard.prefill(internalIp(node), nodeName);
        }
        Tab t = new Tab(switch (mode) {
            case ADD -> "Add node";
            case UPGRADE -> "Upgrade " + nodeName;
            case REMOVE -> "Remove " + nodeName;
        }, wizard.view());
        t.setId("tab-node-wizard");
        t.setUserData(wizard);
        t.setOnClosed(e -> wizard.close());
        tabs.getTabs().add(t);
        tabs.getSelectionModel().select(t);
        return wizard;
    }

    /** The node's InternalIP, else its first address, else its name. */
    @SuppressWarnings("unchecked")
    static String internalIp(GenericKubernetesResource node) {
        Object status = node.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> st && st.get("addresses") instanceof List<?> addresses) {
            String first = null;
            for (Object a : addresses) {
                if (a instanceof Map<?, ?> m && m.get("address") != null) {
                    if ("InternalIP".equals(m.get("type"))) {
                        return m.get("address").toString();
                    }
                    if (first == null) {
                        first = m.get("address").toString();
                    }
                }
            }
            if (first != null) {
                return first;
            }
        }
        return node.getMetadata().getName();
    }

    /** The node wizard in the selected tab, if that tab holds one. */
    public Optional<dev.berth.app.nodes.NodeWizard> currentNodeWizard() {
        Tab t = tabs.getSelectionModel().getSelectedItem();
        return t != null && t.getUserData() instanceof dev.berth.app.nodes.NodeWizard w ? Optional.of(w) : Optional.empty();
    }

    /** The port-forwards of this connection, made on first use. */
    public dev.berth.app.portforward.PortForwards portForwards() {
        if (portForwards == null && session != null) {
            portForwards = new dev.berth.app.portforward.PortForwards(new dev.berth.app.portforward.Fabric8Tunnels(session.client()));
        }
        return portForwards;
    }

    /** Shows the list of port-forwards in its tab. */
    public void showPortForwards() {
        if (session == null) {
            return;
        }
        if (portForwardsView == null) {
            portForwardsView = new dev.berth.app.portforward.PortForwardsView(portForwards(), tasks, u -> browser.accept(u), this::notify);
        }
        if (portForwardsTab == null || !tabs.getTabs().contains(portForwardsTab)) {
            portForwardsTab = new Tab("Port-forwards", portForwardsView.view());
            portForwardsTab.setId("tab-port-forwards");
            portForwardsTab.setUserData(portForwardsView);
            tabs.getTabs().add(portForwardsTab);
        }
        tabs.getSelectionModel().select(portForwardsTab);
    }

    /** The port-forwards view, once shown. */
    public dev.berth.app.portforward.PortForwardsView portForwardsView() {
        return portForwardsView;
    }

    @Override
    public void openPortForward(GenericKubernetesResource target) {
        if (session == null) {
            return;
        }
        showPortForwards();
        portForwardsView.startFor(target, stage);
    }

    @Override
    public void notify(String text, boolean error) {
        message.setText(text);
        message.getStyleClass().removeAll("danger");
        if (error) {
            message.getStyleClass().add("danger");
        }
    }

    public String message() {
        return message.getText();
    }

    public void toggleTheme() {
        theme = theme.other();
        theme.apply();
        if (topology != null) {
            topology.setDark(theme == Theme.DARK);
        }
        ctx.settings().put("theme", theme.name());
    }

    public void showPalette() {
        palette.show(stage);
    }

    public CommandPalette palette() {
        return palette;
    }

    /** Every command of the palette, for the current state. */
    public List<Command> commands() {
        List<Command> out = new ArrayList<>();
        out.add(new Command("Go to Overview", "Ctrl+1", () -> show(OVERVIEW)));
        out.add(new Command("Open the Topology", "", () -> show(TOPOLOGY)));
        out.add(new Command("Open the events timeline", "", () -> show(TIMELINE)));
        out.add(new Command("Show the notifications", "", notifications::showList));
        if (ctx.controlPlane() != null) {
            out.add(new Command("Show the audit log", "", () -> show(AUDIT)));
        }
        for (ResourceKind k : Kinds.builtIn()) {
            out.add(new Command("Go to " + k.title(), "", () -> show(k)));
        }
        for (TreeItem<Object> c : customSection.getChildren()) {
            if (c.getValue() instanceof ResourceKind k && !k.equals(Kinds.CRD)) {
                out.add(new Command("Go to " + k.title() + " (" + k.group() + ")", "", () -> show(k)));
            }
        }
        out.add(new Command("Toggle light and dark theme", "Ctrl+T", this::toggleTheme));
        if (session != null) {
            out.add(new Command("Export the cluster to a folder of YAML", "", () -> chooseFolder(true)));
            out.add(new Command("Import a folder of YAML into the cluster", "", () -> chooseFolder(false)));
        }
        for (Connection c : connections.getItems()) {
            out.add(new Command("Connect to " + c.label(), "", () -> connect(c)));
        }
        if (ctx.controlPlane() != null && ctx.controlPlane().state().usable()) {
            out.add(new Command("Add the berth context to " + ctx.userKubeconfig(), "", this::addBerthContext));
        }
        if (explorer != null && explorer.kind() != null) {
            ExplorerController x = explorer;
            out.add(new Command("New " + x.kind().kind(), "Ctrl+N", x::create));
            out.add(new Command("Edit the selected object", "Ctrl+E", x::edit));
            out.add(new Command("Filter the table", "Ctrl+F", x::focusFilter));
            out.add(new Command("Delete the selected object", "Del", x::delete));
            if (x.kind().scalable()) {
                out.add(new Command("Scale the selected " + x.kind().kind(), "", x::scale));
            }
            if (x.kind().restartable()) {
                out.add(new Command("Restart the selected " + x.kind().kind(), "", x::restart));
            }
            if (dev.berth.app.explorer.Rollouts.hasHistory(x.kind().kind())) {
                out.add(new Command("Rollout history of the selected " + x.kind().kind(), "", x::history));
                out.add(new Command("Undo the rollout of the selected " + x.kind().kind(), "", x::undo));
            }
            if (x.kind().kind().equals("Deployment")) {
                out.add(new Command("Pause the rollout of the selected Deployment", "", () -> x.pause(true)));
                out.add(new Command("Resume the rollout of the selected Deployment", "", () -> x.pause(false)));
            }
            if (x.kind().kind().equals("Node")) {
                out.add(new Command("Cordon the selected node", "", () -> x.cordon(true)));
                out.add(new Command("Uncordon the selected node", "", () -> x.cordon(false)));
                out.add(new Command("Drain the selected node", "", x::drain));
            }
            if (x.kind().kind().equals("Pod")) {
                out.add(new Command("Logs of the selected pod", "Ctrl+L", x::logs));
                out.add(new Command("Terminal into the selected pod", "", x::terminal));
                List<String> containers = x.selectedContainers();
                if (containers.size() > 1) {
                    for (String c : containers) {
                        out.add(new Command("Terminal into container " + c + " of the selected pod", "", () -> x.terminal(c)));
                    }
                }
            }
            if (x.kind().kind().equals("Pod") || x.kind().kind().equals("Service")) {
                out.add(new Command("Port-forward to the selected " + x.kind().kind(), "", x::portForward));
            }
            if (x.kind().kind().equals("Node")) {
                out.add(new Command("Upgrade the agent of the selected node", "",
                        () -> x.nodeWizard(dev.berth.app.nodes.NodeWizard.Mode.UPGRADE)));
                out.add(new Command("Remove the selected node", "", () -> x.nodeWizard(dev.berth.app.nodes.NodeWizard.Mode.REMOVE)));
            }
        }
        if (session != null) {
            out.add(new Command("Add a machine as a node…", "", () -> openNodeWizard(dev.berth.app.nodes.NodeWizard.Mode.ADD, null)));
            out.add(new Command("Show the port-forwards", "", this::showPortForwards));
        }
        out.add(new Command("Close the current tab", "Ctrl+W", this::closeCurrentTab));
        return out;
    }

    private void chooseFolder(boolean export) {
        if (session == null) {
            notify("Connect to a cluster first", true);
            return;
        }
        javafx.stage.DirectoryChooser chooser = new javafx.stage.DirectoryChooser();
        chooser.setTitle(export ? "Export to a new or empty folder (or an earlier export)" : "Import a folder of YAML");
        java.io.File f = chooser.showDialog(stage);
        if (f != null) {
            if (export) {
                exportTo(f.toPath());
            } else {
                importFrom(f.toPath());
            }
        }
    }

    /** Writes the cluster's state to {@code dir} in the background; the status bar tells how it went. */
    public void exportTo(java.nio.file.Path dir) {
        ClusterSession s = session;
        if (s == null) {
            return;
        }
        busy.setVisible(true);
        notify("Exporting to " + dir + "…", false);
        tasks.run(() -> new dev.berth.app.transfer.ClusterExport(s.client()).export(dir,
                        line -> tasks.ui(() -> notify("Exporting to " + dir + ": " + line, false))))
                .onSuccess(r -> notify("Exported " + r.objects() + " objects to " + dir
                        + (r.skippedKinds().isEmpty() ? "" : " (could not read: " + String.join("; ", r.skippedKinds()) + ")"), false))
                .onFailure(e -> notify("Cannot export to " + dir + ": " + rootMessage(e), true))
                .onDone(() -> busy.setVisible(false))
                .start();
    }

    /** Applies the folder {@code dir} to the cluster in the background; failures are listed in the status bar. */
    public void importFrom(java.nio.file.Path dir) {
        ClusterSession s = session;
        if (s == null) {
            return;
        }
        busy.setVisible(true);
        notify("Importing " + dir + "…", false);
        tasks.run(() -> new dev.berth.app.transfer.ClusterImport(s.client()).apply(dir,
                        line -> tasks.ui(() -> notify("Importing " + dir + ": " + line, false))))
                .onSuccess(r -> notify("Imported " + r.applied() + " objects from " + dir + (r.failures().isEmpty() ? ""
                        : "; " + r.failures().size() + " failed: " + String.join("; ", r.failures())), !r.failures().isEmpty()))
                .onFailure(e -> notify("Cannot import " + dir + ": " + rootMessage(e), true))
                .onDone(() -> busy.setVisible(false))
                .start();
    }

    /** Adds a context named berth for the embedded control plane to the person's kubeconfig. */
    public void addBerthContext() {
        EmbeddedControlPlane cp = ctx.controlPlane();
        if (cp == null || !cp.state().usable()) {
            notify("The control plane has not started yet; try again when the status bar says it runs", true);
            return;
        }
        tasks.run(() -> {
                    KubeContexts.addBerthContext(ctx.userKubeconfig(), cp.state().kubeconfig());
                    return ctx.userKubeconfig();
                })
                .onSuccess(f -> {
                    notify("Added the context \"berth\" to " + f + ": kubectl --context berth get nodes", false);
                    refreshContexts();
                })
                .onFailure(e -> notify("Cannot add the berth context: " + e.getMessage(), true))
                .start();
    }

    private void closeCurrentTab() {
        Tab t = tabs.getSelectionModel().getSelectedItem();
        if (t != null && t.isClosable()) {
            tabs.getTabs().remove(t);
            if (t.getOnClosed() != null) {
                t.getOnClosed().handle(null);
            }
        }
    }

    private void installShortcuts(Scene scene) {
        Map<KeyCombination, Runnable> keys = Map.of(
                new KeyCodeCombination(KeyCode.K, KeyCombination.SHORTCUT_DOWN), this::showPalette,
                new KeyCodeCombination(KeyCode.DIGIT1, KeyCombination.SHORTCUT_DOWN), () -> show(OVERVIEW),
                new KeyCodeCombination(KeyCode.T, KeyCombination.SHORTCUT_DOWN), this::toggleTheme,
                new KeyCodeCombination(KeyCode.W, KeyCombination.SHORTCUT_DOWN), this::closeCurrentTab,
                new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN), () -> whenExplorer(ExplorerController::focusFilter),
                new KeyCodeCombination(KeyCode.N, KeyCombination.SHORTCUT_DOWN), () -> whenExplorer(ExplorerController::create),
                new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN), () -> whenExplorer(ExplorerController::edit),
                new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN), () -> whenExplorer(ExplorerController::logs));
        keys.forEach((k, r) -> scene.getAccelerators().put(k, r));
    }

    private void whenExplorer(Consumer<ExplorerController> action) {
        if (explorer != null && explorer.kind() != null && tabs.getSelectionModel().getSelectedItem() == clusterTab) {
            action.accept(explorer);
        }
    }

    private void closeRequested(WindowEvent e) {
        e.consume();
        EmbeddedControlPlane cp = ctx.controlPlane();
        CloseChoice choice = CloseChoice.STOP;
        if (cp != null && cp.state().phase() == EmbeddedControlPlane.Phase.RUNNING) {
            choice = closeQuestion.apply("The cluster's control plane runs inside this app.");
        }
        if (choice == CloseChoice.CANCEL) {
            return;
        }
        close(choice);
    }

    /** Saves the layout, closes the connection and hides the window; the launcher does the rest. */
    public void close(CloseChoice choice) {
        saveLayout();
        closeSession();
        tasks.close();
        stage.hide();
        onClose.accept(choice);
    }

    void saveLayout() {
        dev.berth.app.settings.Settings s = ctx.settings();
        s.put("window.maximized", stage.isMaximized());
        if (!stage.isMaximized()) {
            s.put("window.x", stage.getX());
            s.put("window.y", stage.getY());
            s.put("window.width", stage.getScene().getWidth());
            s.put("window.height", stage.getScene().getHeight());
        }
        s.put("layout.nav", main.getDividerPositions()[0]);
        s.put("theme", theme.name());
        try {
            s.save();
        } catch (RuntimeException ex) {
            notify(ex.getMessage(), true);
        }
    }

    private CloseChoice askOnClose(String why) {
        ButtonType keep = new ButtonType("Keep running in the background", ButtonBar.ButtonData.OK_DONE);
        ButtonType stop = new ButtonType("Stop the cluster", ButtonBar.ButtonData.OTHER);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, why + " Keep it running in the background, so nodes and"
                + " kubectl can go on using it (./berth opens this window again), or stop it?", keep, stop, ButtonType.CANCEL);
        a.setTitle("Close Berth");
        a.setHeaderText("Keep the cluster running?");
        a.initOwner(stage);
        ButtonType b = a.showAndWait().orElse(ButtonType.CANCEL);
        return b == keep ? CloseChoice.KEEP_RUNNING : b == stop ? CloseChoice.STOP : CloseChoice.CANCEL;
    }
}
