package dev.berth.app.shell;

import dev.berth.app.icons.Icons;
import javafx.scene.Node;

/** The one place the app's views get a kind's icon: the drawn SVG icon of {@link Icons}, in the theme's ink. */
public final class KindIcons {
    private KindIcons() {}

    public static Node forKind(String kind, double size) {
        return Icons.viewForKind(kind, size);
    }
}
