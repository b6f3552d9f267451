package dev.berth.app.shell;

import javafx.scene.Node;
import javafx.scene.control.Label;

/**
 * The one place the app's views get a kind's icon. Until the drawn SVG icons (dev.berth.app.icons.Icons)
 * are merged, a plain glyph stands in: the kind's initials in a small label styled by
 * {@code .kind-icon}; the merge replaces this method's body with {@code return Icons.viewForKind(kind, size);}.
 */
public final class KindIcons {
    private KindIcons() {}

    public static Node forKind(String kind, double size) {
        StringBuilder initials = new StringBuilder();
        for (char c : kind.toCharArray()) {
            if (Character.isUpperCase(c) && initials.length() < 2) {
                initials.append(c);
            }
        }
        if (initials.isEmpty() && !kind.isEmpty()) {
            initials.append(Character.toUpperCase(kind.charAt(0)));
        }
        Label l = new Label(initials.toString());
        l.getStyleClass().add("kind-icon");
        l.setMinSize(size, size);
        l.setPrefSize(size, size);
        l.setMaxSize(size, size);
        l.setStyle("-fx-font-size: " + Math.max(7, size * 0.5) + "px;");
        return l;
    }
}
