package dev.berth.app.topology.canvas;

import javafx.scene.paint.Color;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which kinds the canvas may draw in their compact, batched form when zoomed out. */
class SkinsTest {
    @Test
    void builtInSkinsHaveACompactFormAndSkinsRegisteredFromOutsideDrawThemselves() {
        Skins skins = new Skins();
        assertThat(skins.compactAccent("Deployment")).isEqualTo(Color.web("#1a7f37"));
        assertThat(skins.compactAccent("Service")).isEqualTo(Color.web("#0969da"));
        assertThat(skins.compactAccent("SomeCustomKind")).as("the plain fallback skin").isEqualTo(Color.web("#8c959f"));

        skins.register("Deployment", (c, e, b) -> {});
        skins.register("Service", new Skins.BoxSkin("#000000"));

        assertThat(skins.compactAccent("Deployment")).isNull();
        assertThat(skins.compactAccent("Service")).as("a box skin, but not one of the factory's").isNull();
        assertThat(skins.compactAccent("ReplicaSet")).isEqualTo(Color.web("#2da44e"));
    }
}
