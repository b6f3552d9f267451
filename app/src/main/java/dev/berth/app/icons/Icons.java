package dev.berth.app.icons;

import dev.berth.icons.KindIcons;
import dev.berth.icons.SvgRenderer;
import dev.berth.icons.Theme;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;

/**
 * The icons of Kubernetes kinds and of the app, as JavaFX images rendered from the SVGs in
 * icons/ (module berth-icons). Glyphs are drawn in the theme's ink ({@link #useTheme}), so the
 * same icon reads on light and dark themes. Images are cached per kind, pixel size and ink;
 * rendering needs no display and may run on any thread (an {@link Image} is not a node).
 */
public final class Icons {

  /** The sizes of the window icons handed to the stage, the window manager picks among them. */
  public static final List<Integer> APP_ICON_SIZES = List.of(16, 24, 32, 48, 64, 128, 256);

  private record Key(String iconKind, int pixels, int ink) {}

  private static final Map<Key, Image> CACHE = new ConcurrentHashMap<>();
  private static volatile Color ink = fx(Theme.LIGHT.ink());

  private Icons() {}

  /** Draws glyphs from now on in the text colour of {@code theme}. */
  public static void useTheme(Theme theme) {
    useInk(fx(theme.ink()));
  }

  /** Draws glyphs from now on in {@code colour} (its opacity is ignored). */
  public static void useInk(Color colour) {
    ink = Objects.requireNonNull(colour, "ink");
  }

  /** The colour glyphs are drawn in by {@link #forKind(String, double)}. */
  public static Color ink() {
    return ink;
  }

  /**
   * The icon of {@code kind} (a Kubernetes kind such as "Deployment", matched without regard
   * to case; kubectl's short names work too), {@code size} pixels square, in the current ink.
   * Kinds without an icon of their own, custom resources among them, get the generic one.
   */
  public static Image forKind(String kind, double size) {
    return forKind(kind, size, ink);
  }

  /** As {@link #forKind(String, double)}, with glyphs drawn in {@code ink}. */
  public static Image forKind(String kind, double size, Color ink) {
    int pixels = pixels(size);
    String iconKind = KindIcons.iconKind(kind);
    return CACHE.computeIfAbsent(new Key(iconKind, pixels, argb(ink)),
        key -> toFx(SvgRenderer.render(KindIcons.svg(iconKind), pixels, awt(ink))));
  }

  /** A node showing the icon of {@code kind}, {@code size} pixels square. */
  public static ImageView viewForKind(String kind, double size) {
    return viewForKind(kind, size, 1);
  }

  /**
   * A node showing the icon of {@code kind}, {@code size} pixels square in the layout, rendered
   * at {@code outputScale} times that (the screen's {@code Screen.getOutputScaleX()}) so that it
   * stays sharp on high-density screens.
   */
  public static ImageView viewForKind(String kind, double size, double outputScale) {
    if (!(outputScale >= 1 && outputScale <= 8)) {
      throw new IllegalArgumentException("output scale " + outputScale + " is out of range: it must be between 1 and 8");
    }
    ImageView view = new ImageView(forKind(kind, size * outputScale));
    view.setFitWidth(size);
    view.setFitHeight(size);
    view.setSmooth(true);
    return view;
  }

  /** The Berth app icon, {@code size} pixels square. */
  public static Image appIcon(double size) {
    int pixels = pixels(size);
    return CACHE.computeIfAbsent(new Key("", pixels, 0),
        key -> toFx(SvgRenderer.render(KindIcons.appIcon(), pixels, java.awt.Color.BLACK)));
  }

  /** The app icon in every size of {@link #APP_ICON_SIZES}, for {@code Stage.getIcons()}. */
  public static List<Image> appIcons() {
    return APP_ICON_SIZES.stream().map(Icons::appIcon).toList();
  }

  private static int pixels(double size) {
    if (!(size >= 1 && size <= SvgRenderer.MAX_SIZE)) {
      throw new IllegalArgumentException(
          "icon size " + size + " is out of range: it must be between 1 and " + SvgRenderer.MAX_SIZE + " pixels");
    }
    return (int) Math.ceil(size);
  }

  /** A direct pixel copy: no Swing bridge needed. */
  static WritableImage toFx(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    WritableImage fx = new WritableImage(w, h);
    fx.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
    return fx;
  }

  private static int argb(Color colour) {
    return awt(colour).getRGB();
  }

  private static java.awt.Color awt(Color colour) {
    return new java.awt.Color((float) colour.getRed(), (float) colour.getGreen(), (float) colour.getBlue());
  }

  private static Color fx(java.awt.Color colour) {
    return Color.rgb(colour.getRed(), colour.getGreen(), colour.getBlue());
  }
}
