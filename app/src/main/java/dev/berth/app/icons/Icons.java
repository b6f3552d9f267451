package dev.berth.app.icons;

import javafx.scene.Node;
import javafx.scene.control.Label;

/**
 * Icons of the kinds the app shows. Until the drawn SVG icons land this gives a plain glyph: the
 * kind's initials in a small label, styled by {@code .kind-icon}. Every view gets its icon here.
 */
public final class Icons {
    private Icons() {}

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
