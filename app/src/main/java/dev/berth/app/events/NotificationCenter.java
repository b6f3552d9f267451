package dev.berth.app.events;

import javafx.animation.PauseTransition;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Popup;
import javafx.util.Duration;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Consumer;

/**
 * What needs a person, in the tool bar: a bell whose badge counts the notifications not looked at
 * yet, a list of them (newest first) that opens from it, and a toast that shows each new one for a
 * few seconds. Choosing a notification (in the list or on the toast) selects its object. FX thread only.
 */
public final class NotificationCenter {
    /** How many are kept in the list. */
    public static final int CAPACITY = 500;

    private final ObservableList<Notification> items = FXCollections.observableArrayList();
    private final ListView<Notification> list = new ListView<>(items);
    private final Button bell = new Button("🔔");
    private final Label badge = new Label();
    private final StackPane button = new StackPane(bell, badge);
    private final Label toast = new Label();
    private final PauseTransition toastTimer = new PauseTransition(Duration.seconds(6));
    private final Popup popup = new Popup();
    private final Consumer<Notification> onChoose;
    private final DateTimeFormatter time;
    private Notification toastShowing;
    private int unread;

    public NotificationCenter(ZoneId zone, Consumer<Notification> onChoose) {
        this.onChoose = onChoose;
        this.time = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(zone);
        bell.setId("notifications-button");
        bell.setTooltip(new Tooltip("What needs you: crash-looping pods, nodes not ready, pods that cannot be scheduled"));
        bell.setOnAction(e -> togglePopup());
        badge.setId("notifications-badge");
        badge.getStyleClass().add("notification-badge");
        badge.setMouseTransparent(true);
        StackPane.setAlignment(badge, Pos.TOP_RIGHT);
        list.setId("notifications-list");
        list.setPrefSize(460, 300);
        list.setPlaceholder(new Label("Nothing needs you"));
        list.setCellFactory(lv -> new ListCell<>() {
            @Override
            protected void updateItem(Notification n, boolean empty) {
                super.updateItem(n, empty);
                setText(empty || n == null ? null : time.format(n.time()) + "  " + n.title() + "\n" + n.message());
                setWrapText(true);
            }
        });
        list.setOnMouseClicked(e -> {
            Notification n = list.getSelectionModel().getSelectedItem();
            if (n != null) {
                popup.hide();
                onChoose.accept(n);
            }
        });
        VBox box = new VBox(list);
        box.getStyleClass().add("notification-popup");
        popup.getContent().add(box);
        popup.setAutoHide(true);
        toast.setId("toast");
        toast.getStyleClass().add("toast");
        toast.setWrapText(true);
        toast.setMaxWidth(420);
        toast.setPadding(new Insets(10, 14, 10, 14));
        toast.setVisible(false);
        toast.setOnMouseClicked(e -> {
            if (toastShowing != null) {
                Notification n = toastShowing;
                hideToast();
                onChoose.accept(n);
            }
        });
        StackPane.setAlignment(toast, Pos.BOTTOM_RIGHT);
        StackPane.setMargin(toast, new Insets(0, 16, 40, 0));
        toastTimer.setOnFinished(e -> hideToast());
        updateBadge();
    }

    /** The bell with its badge, for the tool bar. */
    public Node button() {
        return button;
    }

    /** The toast, to lay over the window's content (bottom right). */
    public Label toast() {
        return toast;
    }

    public ListView<Notification> list() {
        return list;
    }

    public List<Notification> notifications() {
        return List.copyOf(items);
    }

    public int unread() {
        return unread;
    }

    /** Adds a notification: newest first in the list, the badge counts it, the toast shows it. */
    public void add(Notification n) {
        items.addFirst(n);
        if (items.size() > CAPACITY) {
            items.remove(CAPACITY, items.size());
        }
        unread++;
        updateBadge();
        toastShowing = n;
        toast.setText(n.title() + "\n" + n.message());
        toast.setVisible(true);
        toastTimer.playFromStart();
    }

    /** Forgets every notification (a new connection). */
    public void clear() {
        items.clear();
        unread = 0;
        updateBadge();
        hideToast();
    }

    public void showList() {
        unread = 0;
        updateBadge();
        if (bell.getScene() != null && bell.getScene().getWindow() != null && !popup.isShowing()) {
            var p = bell.localToScreen(0, bell.getHeight());
            popup.show(bell.getScene().getWindow(), p.getX() - 420, p.getY());
        }
    }

    public boolean isListShowing() {
        return popup.isShowing();
    }

    private void togglePopup() {
        if (popup.isShowing()) {
            popup.hide();
        } else {
            showList();
        }
    }

    private void hideToast() {
        toastTimer.stop();
        toast.setVisible(false);
        toastShowing = null;
    }

    private void updateBadge() {
        badge.setText(unread > 99 ? "99+" : String.valueOf(unread));
        badge.setVisible(unread > 0);
    }
}
