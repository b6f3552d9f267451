package dev.berth.app.palette;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.stage.Popup;
import javafx.stage.Window;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/** Ctrl+K: a search field over every command; Enter runs the first (or selected) match, Esc closes. */
public final class CommandPalette {
    private final Supplier<List<Command>> commands;
    private final Popup popup = new Popup();
    private final TextField query = new TextField();
    private final ListView<Command> list = new ListView<>();

    public CommandPalette(Supplier<List<Command>> commands) {
        this.commands = commands;
        query.setId("palette-query");
        query.setPromptText("Type a command: go to pods, scale, theme…");
        list.setId("palette-list");
        list.setPrefSize(520, 320);
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Command c, boolean empty) {
                super.updateItem(c, empty);
                if (empty || c == null) {
                    setText(null);
                    setGraphic(null);
                } else {
                    BorderPane p = new BorderPane();
                    p.setLeft(new Label(c.title()));
                    Label k = new Label(c.shortcut());
                    k.getStyleClass().add("text-muted");
                    p.setRight(k);
                    setGraphic(p);
                }
            }
        });
        query.textProperty().addListener((obs, o, n) -> refresh());
        query.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.DOWN) {
                list.requestFocus();
                list.getSelectionModel().selectFirst();
            } else if (e.getCode() == KeyCode.ENTER) {
                run(list.getSelectionModel().getSelectedItem() != null ? list.getSelectionModel().getSelectedItem()
                        : list.getItems().isEmpty() ? null : list.getItems().getFirst());
            } else if (e.getCode() == KeyCode.ESCAPE) {
                popup.hide();
            }
        });
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                run(list.getSelectionModel().getSelectedItem());
            } else if (e.getCode() == KeyCode.ESCAPE) {
                popup.hide();
            }
        });
        list.setOnMouseClicked(e -> {
            if (e.getClickCount() >= 1 && list.getSelectionModel().getSelectedItem() != null) {
                run(list.getSelectionModel().getSelectedItem());
            }
        });
        VBox box = new VBox(6, query, list);
        box.setPadding(new Insets(8));
        box.getStyleClass().add("command-palette");
        popup.getContent().add(box);
        popup.setAutoHide(true);
    }

    public void show(Window owner) {
        query.clear();
        refresh();
        popup.show(owner, owner.getX() + Math.max(0, (owner.getWidth() - 540) / 2), owner.getY() + 80);
        query.requestFocus();
    }

    public boolean isShowing() {
        return popup.isShowing();
    }

    public void hide() {
        popup.hide();
    }

    /** The commands that match the query, best first. */
    public static List<Command> matching(List<Command> all, String q) {
        List<Command> out = new ArrayList<>();
        for (Command c : all) {
            if (c.score(q) >= 0) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparingInt((Command c) -> -c.score(q)).thenComparing(Command::title));
        return out;
    }

    private void refresh() {
        list.getItems().setAll(matching(commands.get(), query.getText()));
    }

    private void run(Command c) {
        if (c == null) {
            return;
        }
        popup.hide();
        c.action().run();
    }
}
