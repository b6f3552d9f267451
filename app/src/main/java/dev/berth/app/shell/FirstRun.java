package dev.berth.app.shell;

import dev.berth.app.settings.Settings;
import javafx.geometry.Insets;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a new Berth asks once, on its first start with its own control plane: use this machine as a
 * node, add machines over SSH, or start with simulated nodes for a demo or a class. The answer is
 * remembered in the settings, and simulated nodes come back at every start until removed.
 */
public final class FirstRun {
    /** Set once the question was answered (or skipped). */
    static final String DONE = "firstRun.done";
    /** How many simulated nodes the app runs beside its control plane; 0 or absent for none. */
    static final String SIMULATED_NODES = "simulatedNodes";
    static final int MAX_SIMULATED_NODES = 100;

    public enum Kind { THIS_MACHINE, SSH_MACHINES, SIMULATED_NODES, LATER }

    /** The person's answer; {@code nodes} counts simulated nodes. */
    public record Choice(Kind kind, int nodes) {
        public Choice {
            if (kind == Kind.SIMULATED_NODES && (nodes < 1 || nodes > MAX_SIMULATED_NODES)) {
                throw new IllegalArgumentException("nodes: Invalid value: " + nodes + ": must be between 1 and "
                        + MAX_SIMULATED_NODES + ", inclusive");
            }
        }
    }

    private FirstRun() {}

    /** Whether to ask: never asked before in these settings. */
    static boolean due(Settings settings) {
        return !settings.getBoolean(DONE, false);
    }

    /** Remembers the answer: asked, and how many simulated nodes to run from now on. */
    static void remember(Settings settings, Choice choice) {
        settings.put(DONE, true);
        if (choice.kind() == Kind.SIMULATED_NODES) {
            settings.put(SIMULATED_NODES, choice.nodes());
        }
        settings.save();
    }

    /** How many simulated nodes to run, from the settings (a bad value counts as none). */
    static int simulatedNodes(Settings settings) {
        try {
            int n = Integer.parseInt(settings.get(SIMULATED_NODES, "0").strip());
            return n < 0 || n > MAX_SIMULATED_NODES ? 0 : n;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether a Docker engine answers on this machine's usual socket, so that it can be a node. */
    static boolean dockerUsable() {
        return Files.exists(Path.of("/var/run/docker.sock")) || Files.exists(Path.of("/run/docker.sock"));
    }

    /** The question, as a dialog; empty when closed without an answer. */
    static Optional<Choice> ask(Window owner, boolean dockerUsable) {
        Dialog<Choice> d = new Dialog<>();
        if (owner != null) {
            d.initOwner(owner);
        }
        d.setTitle("Welcome to Berth");
        d.setHeaderText("Where should this cluster run its pods?");
        ToggleGroup group = new ToggleGroup();
        RadioButton here = new RadioButton("Use this machine as a node");
        here.setId("first-run-this-machine");
        here.setDisable(!dockerUsable);
        Label hereNote = note(dockerUsable
                ? "Installs the node agent on this machine as a system service over SSH to localhost (asks for your sudo password once)."
                : "Needs a running Docker engine on this machine: install docker.io and start it, then use Add node… in the Nodes view.");
        RadioButton ssh = new RadioButton("Add machines over SSH");
        ssh.setId("first-run-ssh");
        Label sshNote = note("Opens the add-node wizard: host, user and key; Berth checks the machine and installs its agent.");
        RadioButton sim = new RadioButton("Start with simulated nodes");
        sim.setId("first-run-simulated");
        Spinner<Integer> count = new Spinner<>(1, MAX_SIMULATED_NODES, 3);
        count.setEditable(true);
        count.setId("first-run-node-count");
        count.setPrefWidth(80);
        Label simNote = note("For a demo or a class: nodes that run pods in simulation, inside the app. They come back at every start.");
        RadioButton later = new RadioButton("Decide later");
        later.setId("first-run-later");
        for (RadioButton b : new RadioButton[] {here, ssh, sim, later}) {
            b.setToggleGroup(group);
        }
        group.selectToggle(dockerUsable ? here : sim);
        VBox box = new VBox(6, here, hereNote, ssh, sshNote, new HBox(8, sim, count), simNote, later,
                note("Add node… in the Nodes view does any of this later."));
        box.setPadding(new Insets(8));
        box.setPrefWidth(520);
        d.getDialogPane().setContent(box);
        ButtonType go = new ButtonType("Continue", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        d.setResultConverter(b -> {
            if (b != go) {
                return null;
            }
            var t = group.getSelectedToggle();
            if (t == here) {
                return new Choice(Kind.THIS_MACHINE, 0);
            } else if (t == ssh) {
                return new Choice(Kind.SSH_MACHINES, 0);
            } else if (t == sim) {
                return new Choice(Kind.SIMULATED_NODES, count.getValue());
            }
            return new Choice(Kind.LATER, 0);
        });
        return d.showAndWait();
    }

    private static Label note(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.getStyleClass().add("text-muted");
        l.setPadding(new Insets(0, 0, 4, 24));
        return l;
    }
}
