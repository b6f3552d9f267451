package dev.berth.app.nodes;

import dev.berth.app.fx.FxTasks;
import dev.berth.core.provision.CheckResult;
import dev.berth.core.provision.HostKeyChangedException;
import dev.berth.core.provision.NodeInstaller;
import dev.berth.core.provision.PreflightFailedException;
import dev.berth.core.provision.PreflightReport;
import dev.berth.core.provision.Progress;
import dev.berth.core.provision.SshTarget;
import dev.berth.core.provision.UnknownHostKeyException;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The add-node wizard, and the same form for upgrading or removing a node: the machine and how to
 * log in, checked as typed; then "Check the machine" connects (an unknown host key is shown with
 * its SHA256 fingerprint to confirm, a changed one is refused) and lists the preflight checks with
 * the remedy of each that failed; then the install runs off the FX thread with its step, fraction
 * and message shown, cancellable, until the Node is Ready.
 */
public final class NodeWizard {
    /** What the form does. */
    public enum Mode { ADD, UPGRADE, REMOVE }

    private final Mode mode;
    private final FxTasks tasks;
    private final Function<NodeWizard, NodeJob> jobs;
    private final VBox root = new VBox(10);
    private final TextField host = field("node-host", "lab-3.local or 192.168.1.23");
    private final TextField user = field("node-user", "root");
    private final TextField port = field("node-port", "22");
    private final TextField key = field("node-key", "~/.ssh/id_ed25519");
    private final TextField name = field("node-name", "default: the host, lowercased");
    private final TextArea labels = new TextArea();
    private final TextArea taints = new TextArea();
    private final CheckBox machineGone = new CheckBox("The machine is gone: only drain and remove the node from the cluster");
    private final Label problems = new Label();
    private final Button check = new Button("Check the machine");
    private final Button run = new Button();
    private final Button cancel = new Button("Cancel");
    private final ListView<CheckResult> preflight = new ListView<>();
    private final Label step = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private final Label progressMessage = new Label();
    private final Label result = new Label();
    private NodeJob job;
    private String acceptedFingerprint;
    private boolean busy;
    private boolean checked;

    /**
     * @param jobs makes the job for one run (it is given this wizard, for the prompter's owner window)
     */
    public NodeWizard(Mode mode, FxTasks tasks, Function<NodeWizard, NodeJob> jobs) {
        this.mode = mode;
        this.tasks = tasks;
        this.jobs = jobs;
        root.setId("node-wizard");
        root.setPadding(new Insets(16));
        Label title = new Label(switch (mode) {
            case ADD -> "Add a machine as a node";
            case UPGRADE -> "Upgrade the node's agent";
            case REMOVE -> "Remove the node";
        });
        title.getStyleClass().add("title-3");
        Label intro = new Label(switch (mode) {
            case ADD -> "Berth logs in over SSH with your key, checks the machine, installs the agent as a service and waits"
                    + " until the node is Ready. Nothing is sent before you have confirmed the machine's host key.";
            case UPGRADE -> "Berth logs in over SSH, replaces the agent's bundle with this version's and restarts it; its pods keep running.";
            case REMOVE -> "Berth cordons and drains the node (PodDisruptionBudgets are honoured), uninstalls the agent over SSH and"
                    + " deletes the Node.";
        });
        intro.setWrapText(true);

        user.setText(System.getProperty("user.name", ""));
        labels.setId("node-labels");
        labels.setPromptText("room=b12, gpu=true");
        labels.setPrefRowCount(2);
        taints.setId("node-taints");
        taints.setPromptText("dedicated=lab:NoSchedule");
        taints.setPrefRowCount(2);
        Button browse = new Button("Browse…");
        browse.setId("node-key-browse");
        browse.setOnAction(e -> browseKey());
        HBox keyRow = new HBox(6, key, browse);
        HBox.setHgrow(key, Priority.ALWAYS);

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(6);
        int row = 0;
        form.addRow(row++, new Label("Host"), host);
        form.addRow(row++, new Label("User"), user);
        form.addRow(row++, new Label("SSH port"), port);
        form.addRow(row++, new Label("Private key"), keyRow);
        form.addRow(row++, new Label("Node name"), name);
        if (mode == Mode.ADD) {
            form.addRow(row++, new Label("Labels"), labels);
            form.addRow(row++, new Label("Taints"), taints);
        }
        if (mode == Mode.REMOVE) {
            machineGone.setId("node-machine-gone");
            form.add(machineGone, 1, row++);
        } else {
            machineGone.setManaged(false);
            machineGone.setVisible(false);
        }
        GridPane.setHgrow(host, Priority.ALWAYS);
        name.setDisable(mode != Mode.ADD);

        problems.setId("node-problems");
        problems.getStyleClass().add("danger");
        problems.setWrapText(true);
        check.setId("node-check");
        check.setOnAction(e -> check());
        run.setId("node-run");
        run.setText(switch (mode) {
            case ADD -> "Add the node";
            case UPGRADE -> "Upgrade the agent";
            case REMOVE -> "Remove the node…";
        });
        run.getStyleClass().add(mode == Mode.REMOVE ? "danger" : "accent");
        run.setOnAction(e -> run());
        cancel.setId("node-cancel");
        cancel.setOnAction(e -> cancel());
        HBox buttons = new HBox(8, check, run, cancel);
        if (mode != Mode.ADD) {
            check.setManaged(false);
            check.setVisible(false);
        }

        preflight.setId("node-preflight");
        preflight.setPrefHeight(320);
        preflight.setPlaceholder(new Label(mode == Mode.ADD ? "\"Check the machine\" lists the preflight checks here" : ""));
        preflight.setCellFactory(l -> new CheckCell());
        if (mode != Mode.ADD) {
            preflight.setManaged(false);
            preflight.setVisible(false);
        }
        step.setId("node-step");
        bar.setId("node-progress");
        bar.setMaxWidth(Double.MAX_VALUE);
        progressMessage.setId("node-progress-message");
        progressMessage.setWrapText(true);
        result.setId("node-result");
        result.setWrapText(true);

        for (TextField f : List.of(host, user, port, key, name)) {
            f.textProperty().addListener((o, a, b) -> formChanged());
        }
        labels.textProperty().addListener((o, a, b) -> formChanged());
        taints.textProperty().addListener((o, a, b) -> formChanged());
        machineGone.selectedProperty().addListener((o, a, b) -> formChanged());
        root.getChildren().addAll(title, intro, form, problems, buttons, preflight, step, bar, progressMessage, result);
        updateButtons();
    }

    private static TextField field(String id, String prompt) {
        TextField f = new TextField();
        f.setId(id);
        f.setPromptText(prompt);
        return f;
    }

    public Node view() {
        ScrollPane s = new ScrollPane(root);
        s.setFitToWidth(true);
        return s;
    }

    public Mode mode() {
        return mode;
    }

    /** Prefills the form (for upgrade and remove: the node's address and name). */
    public void prefill(String hostValue, String nodeName) {
        host.setText(hostValue == null ? "" : hostValue);
        name.setText(nodeName == null ? "" : nodeName);
    }

    public AddNodeForm form() {
        return new AddNodeForm(host.getText(), user.getText(), port.getText(), expandHome(key.getText()), name.getText(),
                labels.getText(), taints.getText());
    }

    public Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    public String result() {
        return result.getText();
    }

    public boolean busy() {
        return busy;
    }

    private static String expandHome(String path) {
        String p = path == null ? "" : path.strip();
        if (p.equals("~") || p.startsWith("~/")) {
            return System.getProperty("user.home") + p.substring(1);
        }
        return p;
    }

    private void browseKey() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Private key");
        File ssh = Path.of(System.getProperty("user.home"), ".ssh").toFile();
        if (ssh.isDirectory()) {
            chooser.setInitialDirectory(ssh);
        }
        File f = chooser.showOpenDialog(window());
        if (f != null) {
            key.setText(f.getAbsolutePath());
        }
    }

    private void formChanged() {
        checked = false;
        preflight.getItems().clear();
        List<AddNodeForm.Problem> p = problems();
        problems.setText(p.isEmpty() ? "" : String.join("\n", p.stream().map(AddNodeForm.Problem::toString).toList()));
        updateButtons();
    }

    private List<AddNodeForm.Problem> problems() {
        if (mode == Mode.REMOVE && machineGone.isSelected()) {
            return List.of();
        }
        List<AddNodeForm.Problem> p = form().validate();
        return mode == Mode.ADD ? p : p.stream().filter(x -> !x.field().equals("labels") && !x.field().equals("taints")).toList();
    }

    private void updateButtons() {
        boolean valid = problems().isEmpty();
        check.setDisable(busy || !valid);
        run.setDisable(busy || !valid || (mode == Mode.ADD && !checked));
        cancel.setDisable(!busy);
        for (Node n : List.of(host, user, port, key, name, labels, taints, machineGone)) {
            n.setDisable(busy || (n == name && mode != Mode.ADD));
        }
    }

    private NodeJob job() {
        if (job == null) {
            job = jobs.apply(this);
        }
        return job;
    }

    private void setBusy(boolean b) {
        busy = b;
        updateButtons();
    }

    /** Connects and runs the preflight (add mode). */
    public void check() {
        List<AddNodeForm.Problem> p = problems();
        if (!p.isEmpty()) {
            problems.setText(String.join("\n", p.stream().map(AddNodeForm.Problem::toString).toList()));
            return;
        }
        AddNodeForm f = form();
        SshTarget target = f.target();
        NodeJob j;
        try {
            j = job();
        } catch (RuntimeException e) {
            fail("Cannot provision nodes on this connection: " + e.getMessage());
            return;
        }
        result.setText("");
        result.getStyleClass().removeAll("danger", "success");
        preflight.getItems().clear();
        setBusy(true);
        tasks.run(() -> {
                    j.connect(target, acceptedFingerprint);
                    return j.preflight(j.requestFor(f, target));
                })
                .onSuccess(report -> {
                    setBusy(false);
                    showReport(report);
                    checked = report.passed();
                    fail(report.passed() ? null : report.failures().size() + " check(s) failed: see the remedy under each, fix the"
                            + " machine and check again");
                })
                .onFailure(e -> {
                    setBusy(false);
                    failed(e);
                })
                .start();
    }

    /** Adds, upgrades or removes, as the mode says. */
    public void run() {
        if (mode == Mode.REMOVE && !confirmRemove()) {
            return;
        }
        execute();
    }

    private void execute() {
        AddNodeForm f = form();
        boolean gone = mode == Mode.REMOVE && machineGone.isSelected();
        SshTarget target = gone ? null : f.target();
        NodeJob j;
        try {
            j = job();
        } catch (RuntimeException e) {
            fail("Cannot provision nodes on this connection: " + e.getMessage());
            return;
        }
        result.setText("");
        result.getStyleClass().removeAll("danger", "success");
        setBusy(true);
        tasks.run(() -> {
                    if (target != null && !j.connected()) {
                        j.connect(target, acceptedFingerprint);
                    }
                    switch (mode) {
                        case ADD -> j.add(j.requestFor(f, target));
                        case UPGRADE -> j.upgrade(j.requestFor(new AddNodeForm(f.host(), f.user(), f.port(), f.keyFile(),
                                f.name(), "", ""), target));
                        case REMOVE -> j.remove(f.nodeName(), gone);
                    }
                    return f.nodeName();
                })
                .onSuccess(node -> {
                    setBusy(false);
                    result.setText(switch (mode) {
                        case ADD -> "Node " + node + " is Ready.";
                        case UPGRADE -> "The agent of node " + node + " is upgraded and the node is Ready.";
                        case REMOVE -> "Node " + node + " is removed.";
                    });
                    result.getStyleClass().add("success");
                    bar.setProgress(1);
                })
                .onFailure(e -> {
                    setBusy(false);
                    if (e instanceof UnknownHostKeyException u) {
                        if (confirmHostKey(u)) {
                            execute();
                        } else {
                            fail("The host key was not accepted; nothing was sent to " + u.host() + ".");
                        }
                    } else {
                        failed(e);
                    }
                })
                .start();
    }

    /** Stops what runs; the half-done install is repaired by adding the node again. */
    public void cancel() {
        NodeJob j = job;
        if (j != null) {
            progressMessage.setText("Cancelling…");
            tasks.run(() -> {
                j.cancel();
                return true;
            }).start();
        }
    }

    /** Called by the job's progress listener, on any thread. */
    public void progress(Progress p) {
        tasks.ui(() -> {
            step.setText(stepTitle(p.step()));
            bar.setProgress(p.fraction());
            progressMessage.setText(p.message());
        });
    }

    static String stepTitle(String step) {
        return switch (step) {
            case "connect" -> "Connecting";
            case NodeInstaller.STEP_UPLOAD -> "Uploading the agent";
            case NodeInstaller.STEP_CREDENTIALS -> "Credentials";
            case NodeInstaller.STEP_SERVICE -> "Starting the service";
            case NodeInstaller.STEP_READY -> "Waiting for Ready";
            case NodeInstaller.STEP_DRAIN -> "Draining";
            case NodeInstaller.STEP_REMOVE -> "Removing";
            default -> Character.toUpperCase(step.charAt(0)) + step.substring(1);
        };
    }

    private void failed(Throwable e) {
        if (e instanceof UnknownHostKeyException u) {
            if (confirmHostKey(u)) {
                check();
            } else {
                fail("The host key was not accepted; nothing was sent to " + u.host() + ".");
            }
            return;
        }
        if (e instanceof HostKeyChangedException changed) {
            fail(changed.getMessage());
            Alert a = new Alert(Alert.AlertType.ERROR, changed.getMessage(), ButtonType.CLOSE);
            a.setTitle("Host key changed");
            a.setHeaderText("The host key of " + changed.host() + " has changed: refusing to connect");
            a.getDialogPane().setId("host-key-changed");
            owned(a);
            a.show();
            return;
        }
        if (e instanceof PreflightFailedException pf) {
            showReport(pf.report());
        }
        if (e instanceof NodeJob.CancelledException) {
            fail("Cancelled. " + e.getMessage());
            return;
        }
        fail(e.getMessage() == null ? e.toString() : e.getMessage());
    }

    private void fail(String message) {
        result.getStyleClass().removeAll("danger", "success");
        if (message != null) {
            result.setText(message);
            result.getStyleClass().add("danger");
        } else {
            result.setText("Every check passed: the machine is ready for the agent.");
            result.getStyleClass().add("success");
        }
    }

    private void showReport(PreflightReport report) {
        preflight.getItems().setAll(report.results());
        report.results().stream().filter(r -> r.status() != CheckResult.Status.OK).findFirst().ifPresent(preflight::scrollTo);
    }

    /** Shows the fingerprint and asks; a yes is remembered for this wizard (and recorded in Berth's known_hosts once connected). */
    private boolean confirmHostKey(UnknownHostKeyException u) {
        ButtonType trust = new ButtonType("Trust this key and connect", ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.WARNING, "", trust, ButtonType.CANCEL);
        a.setTitle("Unknown host key");
        a.setHeaderText("The authenticity of host " + u.host() + " can't be established");
        Label fp = new Label(u.fingerprint());
        fp.setId("host-key-fingerprint");
        fp.getStyleClass().add("monospace");
        Label text = new Label("Its " + u.keyType() + " key fingerprint is shown below. Compare it with the one the machine"
                + " prints for `ssh-keygen -lf /etc/ssh/ssh_host_" + u.keyType().toLowerCase(java.util.Locale.ROOT)
                .replace("ssh-", "").replace("ecdsa-sha2-nistp256", "ecdsa") + "_key.pub` before trusting it.");
        text.setWrapText(true);
        a.getDialogPane().setContent(new VBox(8, text, fp));
        a.getDialogPane().setId("host-key-dialog");
        a.getDialogPane().lookupButton(trust).setId("host-key-accept");
        owned(a);
        Optional<ButtonType> b = a.showAndWait();
        if (b.isPresent() && b.get() == trust) {
            acceptedFingerprint = u.fingerprint();
            return true;
        }
        return false;
    }

    private boolean confirmRemove() {
        String node = form().nodeName();
        ButtonType remove = new ButtonType("Drain and remove", ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Node " + node + " is cordoned and drained (its pods are evicted,"
                + " honouring PodDisruptionBudgets), " + (machineGone.isSelected() ? "" : "the agent and its containers are"
                + " removed from the machine, ") + "and the Node is deleted.", remove, ButtonType.CANCEL);
        a.setTitle("Remove node " + node);
        a.setHeaderText("Remove node " + node + "?");
        a.getDialogPane().lookupButton(remove).setId("node-remove-confirm");
        owned(a);
        return a.showAndWait().map(b -> b == remove).orElse(false);
    }

    private void owned(Alert a) {
        Window w = window();
        if (w != null) {
            a.initOwner(w);
        }
    }

    /** Closes the SSH connection; the tab was closed. */
    public void close() {
        NodeJob j = job;
        if (j != null) {
            if (busy) {
                j.cancel();
            } else {
                j.close();
            }
        }
    }

    /** A check: status, name and message; a failed or warned check shows its remedy under it. */
    private static final class CheckCell extends ListCell<CheckResult> {
        @Override
        protected void updateItem(CheckResult r, boolean empty) {
            super.updateItem(r, empty);
            getStyleClass().removeAll("check-ok", "check-warn", "check-fail");
            if (empty || r == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            String mark = switch (r.status()) {
                case OK -> "✓";
                case WARN -> "!";
                case FAIL -> "✗";
            };
            Label head = new Label(mark + "  " + r.name() + ": " + r.message());
            head.setWrapText(true);
            VBox box = new VBox(2, head);
            if (r.status() != CheckResult.Status.OK && !r.remedy().isEmpty()) {
                Label remedy = new Label("Fix: " + r.remedy());
                remedy.getStyleClass().add("remedy");
                remedy.setWrapText(true);
                remedy.setPadding(new Insets(0, 0, 0, 18));
                box.getChildren().add(remedy);
            }
            head.getStyleClass().add(r.status() == CheckResult.Status.FAIL ? "danger" : r.status() == CheckResult.Status.WARN ? "warning" : "success");
            getStyleClass().add("check-" + r.status().name().toLowerCase(java.util.Locale.ROOT));
            box.setMaxWidth(Double.MAX_VALUE);
            box.prefWidthProperty().bind(getListView().widthProperty().subtract(30));
            setText(null);
            setGraphic(box);
        }
    }
}
