package dev.berth.icons;

import com.github.weisj.jsvg.SVGDocument;
import com.github.weisj.jsvg.parser.DomProcessor;
import com.github.weisj.jsvg.parser.LoaderContext;
import com.github.weisj.jsvg.parser.SVGLoader;
import com.github.weisj.jsvg.renderer.NullPlatformSupport;
import com.github.weisj.jsvg.view.ViewBox;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Locale;

/**
 * Renders an SVG icon to a square ARGB image with JSVG. The icons draw their glyphs in
 * {@code currentColor}; the renderer sets it to the ink given, so that one SVG serves light
 * and dark themes. Headless: needs no display and no toolkit.
 */
public final class SvgRenderer {

  /** The largest image rendered: a bound against a mistaken size filling the heap. */
  public static final int MAX_SIZE = 4096;

  private SvgRenderer() {}

  /** Parses an SVG; throws with the file's name when it is not a well-formed SVG. */
  public static SVGDocument load(URL svg, Color ink) {
    String colour = hex(ink);
    // The root element's color attribute is what currentColor resolves to in the whole tree.
    DomProcessor setInk = root -> root.setAttribute("color", colour);
    LoaderContext context = LoaderContext.builder().preProcessor(setInk).build();
    SVGDocument document;
    try (InputStream in = svg.openStream()) {
      document = new SVGLoader().load(in, svg.toURI(), context);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read icon " + svg, e);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("icon URL " + svg + " is not a valid URI", e);
    }
    if (document == null) {
      throw new IllegalArgumentException("icon " + svg + " is not a well-formed SVG document");
    }
    return document;
  }

  /** Renders {@code svg} into a {@code size}×{@code size} image, glyphs drawn in {@code ink}. */
  public static BufferedImage render(URL svg, int size, Color ink) {
    return render(load(svg, ink), size);
  }

  /** Renders a parsed document into a {@code size}×{@code size} image. */
  public static BufferedImage render(SVGDocument document, int size) {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException(
          "icon size " + size + " is out of range: it must be between 1 and " + MAX_SIZE + " pixels");
    }
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
      document.renderWithPlatform(NullPlatformSupport.INSTANCE, g, new ViewBox(0, 0, size, size));
    } finally {
      g.dispose();
    }
    return image;
  }

  static String hex(Color colour) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", colour.getRed(), colour.getGreen(), colour.getBlue());
  }
}
