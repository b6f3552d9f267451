package dev.berth.app.terminal;

import com.techsenger.jeditermfx.ui.JediTermFxWidget;
import com.techsenger.jeditermfx.ui.settings.DefaultSettingsProvider;
import dev.berth.app.fx.FxTasks;
import dev.berth.app.topology.compose.ComposeImport;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A terminal tab: a JediTermFX terminal connected to an exec in a container. A field chooses the
 * command ({@code /bin/sh} by default); when the session ends the bar shows its exit code and
 * offers Reconnect. Starting the exec runs off the FX thread; closing the view closes the exec.
 */
public final class TerminalView {
    public static final String DEFAULT_COMMAND = "/bin/sh";

    /** Starts an exec of {@code command} (blocking; called on a worker thread). */
    @FunctionalInterface
    public interface Opener {
        ExecStream open(List<String> command) throws Exception;
    }

    private final FxTasks tasks;
    private final Opener opener;
    private final String name;
    private final BorderPane root = new BorderPane();
    private final TextField command = new TextField(DEFAULT_COMMAND);
    private final Button connect = new Button("Connect");
    private final Label status = new Label();
    private JediTermFxWidget widget;
    private ExecTtyConnector connector;
    private int generation;
    private boolean closed;
    private OptionalInt exitCode = OptionalInt.empty();

    public TerminalView(FxTasks tasks, String name, Opener opener) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.name = Objects.requireNonNull(name, "name");
        this.opener = Objects.requireNonNull(opener, "opener");
        command.setId("terminal-command");
        command.setPrefColumnCount(24);
        command.setTooltip(new Tooltip("The command to run in the container, e.g. /bin/sh or bash; Enter reconnects with it"));
        command.setOnAction(e -> connect());
        connect.setId("terminal-connect");
        connect.setOnAction(e -> connect());
        status.setId("terminal-status");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox bar = new HBox(8, new Label("Command"), command, connect, grow, status);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 8, 4, 8));
        root.setTop(bar);
        root.getStyleClass().add("terminal-view");
    }

    public Node view() {
        return root;
    }

    /** Starts (or restarts) the session with the command in the field. */
    public void connect() {
        if (closed) {
            return;
        }
        List<String> words = ComposeImport.words(command.getText());
        if (words.isEmpty() || words.getFirst().isEmpty()) {
            show("command: Required value: a command to run in the container, such as " + DEFAULT_COMMAND, true);
            return;
        }
        int g = ++generation;
        disconnect();
        exitCode = OptionalInt.empty();
        connect.setDisable(true);
        show("Connecting: " + String.join(" ", words) + "…", false);
        tasks.run(() -> opener.open(words))
                .onSuccess(exec -> {
                    if (closed || g != generation) {
                        exec.close();
                        return;
                    }
                    attach(exec, g, words);
                })
                .onFailure(e -> {
                    if (g == generation) {
                        show("Cannot start " + String.join(" ", words) + ": " + e.getMessage(), true);
                        connect.setText("Reconnect");
                        connect.setDisable(false);
                    }
                })
                .start();
    }

    private void attach(ExecStream exec, int g, List<String> words) {
        ExecTtyConnector c = new ExecTtyConnector(exec, name);
        JediTermFxWidget w = new JediTermFxWidget(80, 24, new DefaultSettingsProvider());
        w.setTtyConnector(c);
        connector = c;
        widget = w;
        root.setCenter(w.getPane());
        w.start();
        show("Connected: " + String.join(" ", words), false);
        connect.setText("Reconnect");
        connect.setDisable(false);
        w.getPreferredFocusableNode().requestFocus();
        exec.exitCode().whenComplete((code, error) -> tasks.ui(() -> {
            if (g == generation && !closed) {
                int exit = code == null ? -1 : code;
                exitCode = OptionalInt.of(exit);
                show(exit < 0 ? "Session ended" : "Session ended (exit code " + exit + ")", exit != 0);
            }
        }));
    }

    private void disconnect() {
        ExecTtyConnector c = connector;
        JediTermFxWidget w = widget;
        connector = null;
        widget = null;
        if (c != null) {
            c.close();
        }
        if (w != null) {
            w.stop();
            // stops the panel's repaint timer: left running, it outlives the panel and, once the panel
            // is collected, fails on every pulse trying to stop itself (jeditermfx 1.0.0 on JavaFX 25)
            w.getTerminalPanel().dispose();
        }
    }

    private void show(String text, boolean error) {
        status.setText(text);
        status.getStyleClass().remove("danger");
        if (error) {
            status.getStyleClass().add("danger");
        }
    }

    /** Closes the exec; the view cannot connect again. */
    public void close() {
        closed = true;
        generation++;
        disconnect();
    }

    /** The terminal of the current session, if one was opened. */
    public Optional<JediTermFxWidget> widget() {
        return Optional.ofNullable(widget);
    }

    /** The connector of the current session, if one was opened. */
    public Optional<ExecTtyConnector> connector() {
        return Optional.ofNullable(connector);
    }

    /** The exit code of the session once it ended. */
    public OptionalInt exitCode() {
        return exitCode;
    }

    public String status() {
        return status.getText();
    }

    public TextField commandField() {
        return command;
    }

    public Button connectButton() {
        return connect;
    }
}
