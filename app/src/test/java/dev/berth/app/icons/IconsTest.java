package dev.berth.app.icons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.icons.KindIcons;
import dev.berth.icons.Theme;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.scene.paint.Color;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs headless: rendering to an Image needs neither a display nor the FX toolkit started. */
class IconsTest {

  @AfterEach
  void lightTheme() {
    Icons.useTheme(Theme.LIGHT);
  }

  @Test
  void everyKindRendersAtTheSizeAsked() {
    for (String kind : KindIcons.KINDS) {
      for (double size : new double[] {16, 24, 48}) {
        Image image = Icons.forKind(kind, size);
        assertThat(image.getWidth()).as(kind).isEqualTo(size);
        assertThat(image.getHeight()).isEqualTo(size);
        // the tinted badge covers most of the square
        assertThat(drawnPixels(image)).as("%s at %s px", kind, size).isGreaterThan((int) (size * size / 2));
      }
    }
  }

  @Test
  void fractionalSizesRoundUp() {
    assertThat(Icons.forKind("Pod", 20.5).getWidth()).isEqualTo(21);
  }

  @Test
  void viewsRenderAtTheScreensScaleAndFitTheLayoutSize() {
    var view = Icons.viewForKind("Service", 16, 2);
    assertThat(view.getImage().getWidth()).isEqualTo(32);
    assertThat(view.getFitWidth()).isEqualTo(16);
    assertThat(view.getFitHeight()).isEqualTo(16);
    assertThat(Icons.viewForKind("Service", 16).getImage()).isSameAs(Icons.forKind("Service", 16));
    assertThatThrownBy(() -> Icons.viewForKind("Service", 16, 0.5)).hasMessageContaining("output scale 0.5");
  }

  @Test
  void imagesAreCachedPerKindSizeAndInk() {
    assertThat(Icons.forKind("Pod", 16)).isSameAs(Icons.forKind("pod", 16)).isSameAs(Icons.forKind("po", 16));
    assertThat(Icons.forKind("Pod", 16)).isNotSameAs(Icons.forKind("Pod", 24));
    assertThat(Icons.forKind("Pod", 16, Color.RED)).isNotSameAs(Icons.forKind("Pod", 16, Color.BLUE));
  }

  @Test
  void unknownKindsGetTheGenericIcon() {
    assertThat(Icons.forKind("Widget", 16)).isSameAs(Icons.forKind(KindIcons.GENERIC, 16));
    assertThat(Icons.forKind(null, 16)).isSameAs(Icons.forKind(KindIcons.GENERIC, 16));
    assertThat(Icons.forKind("Widget", 16)).isNotSameAs(Icons.forKind("Pod", 16));
  }

  @Test
  void glyphsTakeTheThemesInk() {
    Image light = Icons.forKind("Node", 48);
    Icons.useTheme(Theme.DARK);
    Image dark = Icons.forKind("Node", 48);
    assertThat(dark).isNotSameAs(light);
    // the centre of the lower server's outline is glyph: dark ink on light, light ink on dark
    double lightInk = brightestOrDarkest(light, false);
    double darkInk = brightestOrDarkest(dark, true);
    assertThat(lightInk).isLessThan(0.25);
    assertThat(darkInk).isGreaterThan(0.85);
  }

  @Test
  void appIconsComeInEveryWindowIconSize() {
    assertThat(Icons.appIcons()).extracting(Image::getWidth)
        .containsExactly(16.0, 24.0, 32.0, 48.0, 64.0, 128.0, 256.0);
    Image icon = Icons.appIcon(64);
    assertThat(icon.getPixelReader().getArgb(32, 32) >>> 24).isEqualTo(0xff);
    assertThat(icon.getPixelReader().getArgb(0, 0) >>> 24).isZero();
  }

  @Test
  void rejectsSizesOutOfRange() {
    assertThatThrownBy(() -> Icons.forKind("Pod", 0)).hasMessageContaining("icon size 0.0 is out of range");
    assertThatThrownBy(() -> Icons.forKind("Pod", Double.NaN)).hasMessageContaining("out of range");
  }

  private static int drawnPixels(Image image) {
    PixelReader reader = image.getPixelReader();
    int count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((reader.getArgb(x, y) >>> 24) > 0) {
          count++;
        }
      }
    }
    return count;
  }

  /** The brightness of the brightest (or darkest) opaque pixel: where the glyph is. */
  private static double brightestOrDarkest(Image image, boolean brightest) {
    PixelReader reader = image.getPixelReader();
    double best = brightest ? 0 : 1;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        Color c = reader.getColor(x, y);
        if (c.getOpacity() > 0.95) {
          best = brightest ? Math.max(best, c.getBrightness()) : Math.min(best, c.getBrightness());
        }
      }
    }
    return best;
  }
}
