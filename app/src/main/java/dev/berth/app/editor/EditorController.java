package dev.berth.app.editor;

import dev.berth.app.fx.FxTasks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.LineNumberFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The YAML editor: highlighting, a server-side dry run while typing (its problems listed and
 * their lines marked), a diff against the live object, and server-side apply (with an offer to
 * take over fields another manager owns when the server reports a conflict).
 */
public final class EditorController {
    private final Apply apply;
    private final FxTasks tasks;
    private final CodeArea area = new CodeArea();
    private final ListView<Apply.Problem> problems = new ListView<>();
    private final CodeArea diff = new CodeArea();
    private final Label status = new Label("Type or paste an object; it is checked by the server as you type.");
    private final Button validate = new Button("Validate");
    private final Button showDiff = new Button("Diff");
    private final Button applyButton = new Button("Apply");
    private final Button forceButton = new Button("Apply and take over fields");
    private final BorderPane root = new BorderPane();
    private final SplitPane split;
    private final Consumer<GenericKubernetesResource> onApplied;
    private long generation;
    /** The text the last check was for: typing pauses re-check only what changed since. */
    private String checkedText;

    public EditorController(Apply apply, FxTasks tasks, String yaml, Consumer<GenericKubernetesResource> onApplied) {
        this.apply = apply;
        this.tasks = tasks;
        this.onApplied = onApplied;
        area.setId("yaml-editor");
        area.getStyleClass().add("yaml-area");
        area.setParagraphGraphicFactory(LineNumberFactory.get(area));
        area.textProperty().addListener((obs, o, n) -> area.setStyleSpans(0, YamlHighlighter.highlight(n)));
        area.replaceText(yaml);
        area.getUndoManager().forgetHistory();
        area.multiPlainChanges().successionEnds(Duration.ofMillis(700)).subscribe(c -> {
            if (!area.getText().equals(checkedText)) {
                validate();
            }
        });

        diff.setEditable(false);
        diff.setId("yaml-diff");
        diff.getStyleClass().add("yaml-area");

        problems.setId("editor-problems");
        problems.setPlaceholder(new Label("No problems"));
        problems.setPrefHeight(110);
        problems.setOnMouseClicked(e -> {
            Apply.Problem p = problems.getSelectionModel().getSelectedItem();
            if (p != null && p.line() > 0) {
                area.moveTo(p.line() - 1, 0);
                area.requestFollowCaret();
                area.requestFocus();
            }
        });

        validate.setId("editor-validate");
        validate.setOnAction(e -> validate());
        validate.setTooltip(new Tooltip("Server-side dry run (Ctrl+Shift+V)"));
        showDiff.setId("editor-diff");
        showDiff.setOnAction(e -> diff());
        showDiff.setTooltip(new Tooltip("Compare with the live object (Ctrl+D)"));
        applyButton.setId("editor-apply");
        applyButton.setDefaultButton(false);
        applyButton.setOnAction(e -> apply(false));
        applyButton.setTooltip(new Tooltip("Server-side apply (Ctrl+S)"));
        applyButton.getStyleClass().add("accent");
        forceButton.setId("editor-force");
        forceButton.setVisible(false);
        forceButton.setManaged(false);
        forceButton.setOnAction(e -> apply(true));
        status.setId("editor-status");
        status.setWrapText(true);

        Region spacer = new Region();
        javafx.scene.layout.HBox.setHgrow(spacer, Priority.ALWAYS);
        ToolBar bar = new ToolBar(validate, showDiff, applyButton, forceButton, spacer);
        VBox bottom = new VBox(4, status, problems);
        bottom.setPadding(new Insets(4));
        split = new SplitPane(new VirtualizedScrollPane<>(area));
        root.setTop(bar);
        root.setCenter(split);
        root.setBottom(bottom);
        root.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.isShortcutDown() && e.getCode() == javafx.scene.input.KeyCode.S) {
                apply(false);
                e.consume();
            } else if (e.isShortcutDown() && e.getCode() == javafx.scene.input.KeyCode.D) {
                diff();
                e.consume();
            } else if (e.isShortcutDown() && e.isShiftDown() && e.getCode() == javafx.scene.input.KeyCode.V) {
                validate();
                e.consume();
            }
        });
    }

    public Node view() {
        return root;
    }

    public CodeArea area() {
        return area;
    }

    public List<Apply.Problem> problems() {
        return List.copyOf(problems.getItems());
    }

    public String statusText() {
        return status.getText();
    }

    /** Checks the text with a server-side dry run; shows the problems. */
    public void validate() {
        String text = area.getText();
        checkedText = text;
        long gen = ++generation;
        GenericKubernetesResource obj = parseOrShow(text);
        if (obj == null) {
            return;
        }
        status.setText("Checking with the server…");
        tasks.run(() -> apply.dryRun(obj, text))
                .onSuccess(r -> {
                    if (gen == generation) {
                        showProblems(List.of());
                        status.setText("Valid: the server accepts this " + obj.getKind() + " (dry run).");
                    }
                })
                .onFailure(e -> {
                    if (gen == generation) {
                        showFailure(e);
                    }
                })
                .start();
    }

    /** Shows what an apply would change in the live object. */
    public void diff() {
        String text = area.getText();
        GenericKubernetesResource obj = parseOrShow(text);
        if (obj == null) {
            return;
        }
        status.setText("Comparing with the live object…");
        tasks.run(() -> {
                    GenericKubernetesResource live = apply.live(obj);
                    GenericKubernetesResource after = apply.dryRun(obj, text);
                    String before = live == null ? "" : YamlText.comparable(live);
                    return Diffs.unified("live", before, "after apply", YamlText.comparable(after));
                })
                .onSuccess(lines -> {
                    showProblems(List.of());
                    diff.replaceText(lines.isEmpty() ? "# no changes: the live object already matches" : String.join("\n", lines));
                    for (int i = 0; i < diff.getParagraphs().size(); i++) {
                        String l = diff.getParagraph(i).getText();
                        String cls = l.startsWith("+++") || l.startsWith("---") ? "diff-header"
                                : l.startsWith("+") ? "diff-added" : l.startsWith("-") ? "diff-removed"
                                : l.startsWith("@@") ? "diff-hunk" : null;
                        if (cls != null) {
                            diff.setParagraphStyle(i, List.of(cls));
                        }
                    }
                    if (!split.getItems().contains(diffPane)) {
                        split.getItems().add(diffPane);
                    }
                    status.setText(lines.isEmpty() ? "No changes against the live object."
                            : "Changes against the live object are on the right.");
                })
                .onFailure(this::showFailure)
                .start();
    }

    private final Node diffPane = new VirtualizedScrollPane<>(diff);

    /** Applies on the server; {@code force} takes over fields that another manager owns. */
    public void apply(boolean force) {
        String text = area.getText();
        GenericKubernetesResource obj = parseOrShow(text);
        if (obj == null) {
            return;
        }
        ++generation;
        applyButton.setDisable(true);
        status.setText("Applying…");
        tasks.run(() -> apply.apply(obj, text, force))
                .onSuccess(applied -> {
                    showProblems(List.of());
                    forceButton.setVisible(false);
                    forceButton.setManaged(false);
                    status.setText("Applied " + applied.getKind().toLowerCase(java.util.Locale.ROOT) + "/"
                            + applied.getMetadata().getName() + " (resourceVersion "
                            + applied.getMetadata().getResourceVersion() + ").");
                    if (onApplied != null) {
                        onApplied.accept(applied);
                    }
                })
                .onFailure(e -> {
                    showFailure(e);
                    if (e instanceof Apply.Rejected r && r.conflict()) {
                        forceButton.setVisible(true);
                        forceButton.setManaged(true);
                        status.setText(r.getMessage() + " — apply again with \"Apply and take over fields\" to own them.");
                    }
                })
                .onDone(() -> applyButton.setDisable(false))
                .start();
    }

    private GenericKubernetesResource parseOrShow(String text) {
        try {
            return YamlText.parse(text);
        } catch (YamlText.YamlSyntaxException e) {
            showProblems(List.of(new Apply.Problem("", e.getMessage(), e.line())));
            status.setText("The text is not a valid object: fix the line marked below.");
            return null;
        }
    }

    private void showFailure(Throwable e) {
        if (e instanceof Apply.Rejected r) {
            showProblems(r.problems());
            status.setText("The server rejects this object: " + r.getMessage());
        } else {
            showProblems(List.of(new Apply.Problem("", String.valueOf(e.getMessage()), 0)));
            status.setText("Cannot reach the server: " + e.getMessage());
        }
    }

    private void showProblems(List<Apply.Problem> list) {
        problems.getItems().setAll(list);
        for (int i = 0; i < area.getParagraphs().size(); i++) {
            if (!area.getParagraph(i).getParagraphStyle().isEmpty()) {
                area.setParagraphStyle(i, List.of());
            }
        }
        for (Apply.Problem p : list) {
            if (p.line() > 0 && p.line() <= area.getParagraphs().size()) {
                area.setParagraphStyle(p.line() - 1, List.of("error-line"));
            }
        }
    }

    /**
     * A starting object for "New" in a section: a full example for the common kinds (from
     * {@code templates/<Kind>.yaml} beside this class, {@code ${namespace}} filled in), else the bare
     * skeleton.
     */
    public static String template(String kind, String apiVersion, String namespace, boolean namespaced) {
        String ns = namespace == null || namespace.isEmpty() ? "default" : namespace;
        try (var in = EditorController.class.getResourceAsStream("templates/" + kind + ".yaml")) {
            if (in != null) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("${namespace}", ns);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: new-"
                + kind.toLowerCase(java.util.Locale.ROOT) + "\n" + (namespaced ? "  namespace: " + ns + "\n" : "");
    }

    /** The kinds with a full example. */
    public static final java.util.List<String> TEMPLATE_KINDS = java.util.List.of("Deployment", "StatefulSet", "DaemonSet",
            "Job", "CronJob", "Pod", "Service", "Ingress", "NetworkPolicy", "ConfigMap", "Secret", "PersistentVolumeClaim",
            "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount", "Role", "RoleBinding", "ResourceQuota",
            "LimitRange", "Namespace");
}
