package dev.berth.app.explorer;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/** The dialogs of rollout history and undo, and of draining a node. */
final class RolloutDialogs {
    static final ButtonType ROLL_BACK = new ButtonType("Roll back", ButtonBar.ButtonData.OK_DONE);
    static final ButtonType DRAIN = new ButtonType("Drain", ButtonBar.ButtonData.OK_DONE);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private RolloutDialogs() {
    }

    /**
     * The revision list; the answer is the revision to roll back to, or empty when the person
     * cancelled. The revision before the current one is chosen at first, as {@code rollout undo} would.
     */
    static Optional<Rollouts.Revision> history(Window owner, String title, List<Rollouts.Revision> revisions) {
        TableView<Rollouts.Revision> table = new TableView<>();
        table.setId("rollout-history");
        table.setPrefSize(640, 260);
        table.setPlaceholder(new Label("No revisions yet"));
        table.getColumns().add(column("Revision", r -> r.number() + (r.current() ? " (current)" : ""), 110));
        table.getColumns().add(column("Images", Rollouts.Revision::images, 250));
        table.getColumns().add(column("Change cause", r -> r.changeCause() == null ? "<none>" : r.changeCause(), 150));
        table.getColumns().add(column("Created", r -> r.created() == null ? "" : WHEN.format(r.created()), 150));
        table.getItems().setAll(revisions);
        int current = -1;
        for (int i = 0; i < revisions.size(); i++) {
            if (revisions.get(i).current()) current = i;
        }
        if (current > 0) {
            table.getSelectionModel().select(current - 1);
        }
        Dialog<ButtonType> d = new Dialog<>();
        d.setTitle(title);
        d.setHeaderText(title);
        Label hint = new Label("Rolling back writes the chosen revision's pod template into the object; "
                + "the controller then rolls it out as a new revision.");
        hint.setWrapText(true);
        hint.setMaxWidth(620);
        d.getDialogPane().setContent(new VBox(8, table, hint));
        d.getDialogPane().getButtonTypes().setAll(ROLL_BACK, ButtonType.CANCEL);
        d.getDialogPane().lookupButton(ROLL_BACK).disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull()
                .or(javafx.beans.binding.Bindings.createBooleanBinding(() -> {
                    Rollouts.Revision r = table.getSelectionModel().getSelectedItem();
                    return r != null && r.current();
                }, table.getSelectionModel().selectedItemProperty())));
        d.initOwner(owner);
        if (d.showAndWait().orElse(ButtonType.CANCEL) != ROLL_BACK) {
            return Optional.empty();
        }
        return Optional.ofNullable(table.getSelectionModel().getSelectedItem());
    }

    /** The drain choices; the answer is the options, or empty when the person cancelled. */
    static Optional<Drain.Options> drainOptions(Window owner, String node, Drain.Plan plan) {
        CheckBox emptyDir = new CheckBox("Delete the data of emptyDir volumes (--delete-emptydir-data)");
        emptyDir.setId("drain-emptydir");
        CheckBox force = new CheckBox("Also delete pods no controller would replace (--force)");
        force.setId("drain-force");
        ListView<String> what = new ListView<>();
        what.setId("drain-plan");
        what.setPrefSize(560, 180);
        for (var p : plan.evict()) {
            what.getItems().add("evict " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
        }
        plan.skipped().forEach(s -> what.getItems().add("leave " + s));
        plan.errors().forEach(e -> what.getItems().add("blocked: " + e));
        Label explain = new Label("Draining cordons node " + node + ", then evicts its pods so their controllers start them "
                + "elsewhere; PodDisruptionBudgets are honoured. DaemonSet pods stay.");
        explain.setWrapText(true);
        explain.setMaxWidth(560);
        Dialog<ButtonType> d = new Dialog<>();
        d.setTitle("Drain node " + node);
        d.setHeaderText("Drain node " + node + "?");
        d.getDialogPane().setContent(new VBox(8, explain, what, emptyDir, force));
        d.getDialogPane().getButtonTypes().setAll(DRAIN, ButtonType.CANCEL);
        d.getDialogPane().lookupButton(DRAIN).getStyleClass().add("danger");
        d.initOwner(owner);
        if (d.showAndWait().orElse(ButtonType.CANCEL) != DRAIN) {
            return Optional.empty();
        }
        return Optional.of(Drain.Options.defaults().withDeleteEmptyDirData(emptyDir.isSelected()).withForce(force.isSelected()));
    }

    private static TableColumn<Rollouts.Revision, String> column(String title,
                                                               java.util.function.Function<Rollouts.Revision, String> value, double width) {
        TableColumn<Rollouts.Revision, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }
}
