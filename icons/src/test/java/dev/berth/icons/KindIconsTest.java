package dev.berth.icons;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.weisj.jsvg.SVGDocument;
import com.github.weisj.jsvg.parser.DomElement;
import com.github.weisj.jsvg.parser.LoaderContext;
import com.github.weisj.jsvg.parser.SVGLoader;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class KindIconsTest {

  /** The kinds the app shows (issue: "Feel: icons"); each must have an icon of its own. */
  private static final List<String> SHOWN = List.of(
      "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service",
      "Endpoints", "EndpointSlice", "Ingress", "IngressClass", "NetworkPolicy", "ConfigMap", "Secret",
      "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "Node", "Namespace",
      "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Event",
      "HorizontalPodAutoscaler", "CustomResourceDefinition", "Container", "Image");

  /** Least pixels of a 16 px icon that stand out from the background by 3:1 (of 256). */
  static final int MIN_SILHOUETTE_PIXELS = 40;
  /** Least pixels of a 16 px glyph that stand out from the badge beneath it by 3:1. */
  static final int MIN_GLYPH_PIXELS = 12;

  static Stream<String> kinds() {
    return KindIcons.KINDS.stream();
  }

  @Test
  void everyKindTheAppShowsHasAnIconOfItsOwn() {
    for (String kind : SHOWN) {
      assertThat(KindIcons.iconKind(kind)).as(kind).isNotEqualTo(KindIcons.GENERIC);
    }
    assertThat(KindIcons.iconKind("EndpointSlice")).isEqualTo("Endpoints");
  }

  @Test
  void kindsMatchWithoutCaseAndThroughShortNames() {
    assertThat(KindIcons.iconKind("pod")).isEqualTo("Pod");
    assertThat(KindIcons.iconKind(" DEPLOYMENT ")).isEqualTo("Deployment");
    assertThat(KindIcons.iconKind("svc")).isEqualTo("Service");
    assertThat(KindIcons.iconKind("pvc")).isEqualTo("PersistentVolumeClaim");
    assertThat(KindIcons.svg("endpointslice")).isEqualTo(KindIcons.svg("Endpoints"));
  }

  @Test
  void unknownKindsGetTheGenericCustomResourceIcon() {
    assertThat(KindIcons.iconKind("Widget")).isEqualTo(KindIcons.GENERIC);
    assertThat(KindIcons.iconKind("")).isEqualTo(KindIcons.GENERIC);
    assertThat(KindIcons.iconKind(null)).isEqualTo(KindIcons.GENERIC);
    assertThat(KindIcons.svg("Widget")).isEqualTo(KindIcons.svg(KindIcons.GENERIC));
  }

  @Test
  void theKindsFolderHoldsOneSvgPerKindAndNothingElse() throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(Path.of("kinds"))) {
      files = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(files).containsExactlyInAnyOrderElementsOf(
        KindIcons.KINDS.stream().map(KindIcons::fileName).toList());
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void iconIsDrawnInTheSharedStyle(String kind) throws Exception {
    Element svg = parse(KindIcons.svg(kind));
    assertThat(svg.getAttribute("viewBox")).isEqualTo("0 0 24 24");
    // the badge: a rounded square over the whole box, first of the drawing
    Element badge = (Element) svg.getElementsByTagName("rect").item(0);
    assertThat(badge.getAttribute("rx")).isEqualTo("4.75");
    assertThat(badge.getAttribute("width")).isEqualTo("19.5");
    // the glyph: one group stroked in the theme's colour
    NodeList groups = svg.getElementsByTagName("g");
    assertThat(groups.getLength()).isEqualTo(1);
    Element glyph = (Element) groups.item(0);
    assertThat(glyph.getAttribute("stroke")).isEqualTo("currentColor");
    assertThat(glyph.getAttribute("stroke-width")).isEqualTo("2");
    assertSelfContained(svg);
  }

  @Test
  void theAppIconIsSelfContained() throws Exception {
    Element svg = parse(KindIcons.appIcon());
    assertThat(svg.getAttribute("viewBox")).isEqualTo("0 0 24 24");
    assertSelfContained(svg);
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void iconRendersNonEmptyAt16And256Pixels(String kind) {
    for (int size : List.of(16, 256)) {
      BufferedImage image = SvgRenderer.render(KindIcons.svg(kind), size, Color.BLACK);
      assertThat(image.getWidth()).isEqualTo(size);
      // the badge covers most of the box; the glyph draws in the ink given
      assertThat(coverage(image)).as("%s at %d px: share of pixels drawn", kind, size).isGreaterThan(0.6);
      BufferedImage white = SvgRenderer.render(KindIcons.svg(kind), size, Color.WHITE);
      assertThat(pixelsChanged(image, white)).as("%s at %d px: pixels the ink changes", kind, size)
          .isGreaterThan(size * size / 50);
    }
  }

  @Test
  void theAppIconRendersNonEmptyAt16And256Pixels() {
    for (int size : List.of(16, 256)) {
      assertThat(coverage(SvgRenderer.render(KindIcons.appIcon(), size, Color.BLACK))).isGreaterThan(0.8);
    }
  }

  /**
   * At 16 px on each theme's background, with the theme's ink: the icon's shape stands out from
   * the background, and its glyph stands out from the badge under it, by the 3:1 that WCAG asks
   * of graphical objects.
   */
  @ParameterizedTest
  @EnumSource(Theme.class)
  void iconsAt16PixelsHaveEnoughContrastOnTheTheme(Theme theme) {
    List<String> failures = new ArrayList<>();
    for (String kind : KindIcons.KINDS) {
      BufferedImage icon = Contrast.over(SvgRenderer.render(KindIcons.svg(kind), 16, theme.ink()), theme.background());
      BufferedImage badge = Contrast.over(SvgRenderer.render(withoutGlyph(KindIcons.svg(kind), theme.ink()), 16),
          theme.background());
      int silhouette = Contrast.pixelsApart(icon, theme.background(), Contrast.GRAPHICS);
      int glyph = Contrast.pixelsApart(icon, badge, Contrast.GRAPHICS);
      if (silhouette < MIN_SILHOUETTE_PIXELS || glyph < MIN_GLYPH_PIXELS) {
        failures.add(kind + ": " + silhouette + " pixels apart from the background, " + glyph + " from the badge");
      }
    }
    assertThat(failures).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Theme.class)
  void theAppIconAt16PixelsStandsOutOnTheTheme(Theme theme) {
    BufferedImage icon = Contrast.over(SvgRenderer.render(KindIcons.appIcon(), 16, theme.ink()), theme.background());
    assertThat(Contrast.pixelsApart(icon, theme.background(), Contrast.GRAPHICS)).isGreaterThan(64);
  }

  @Test
  void aBadgeWithoutItsOutlineFailsTheContrastCheck() {
    // the check can fail: a pale badge with a pale glyph does not pass on the light theme
    String pale = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
          <rect x="2" y="2" width="20" height="20" rx="5" fill="#f4f4f4"/>
          <g fill="none" stroke="#e0e0e0" stroke-width="2"><path d="M6 12h12"/></g>
        </svg>""";
    BufferedImage icon = Contrast.over(SvgRenderer.render(load(pale), 16), Theme.LIGHT.background());
    assertThat(Contrast.pixelsApart(icon, Theme.LIGHT.background(), Contrast.GRAPHICS)).isLessThan(MIN_SILHOUETTE_PIXELS);
  }

  private static int pixelsChanged(BufferedImage a, BufferedImage b) {
    int changed = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int pa = a.getRGB(x, y);
        int pb = b.getRGB(x, y);
        if (Math.abs(((pa >> 8) & 0xff) - ((pb >> 8) & 0xff)) > 64) {
          changed++;
        }
      }
    }
    return changed;
  }

  private static double coverage(BufferedImage image) {
    int drawn = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) >>> 24) > 0) {
          drawn++;
        }
      }
    }
    return drawn / (double) (image.getWidth() * image.getHeight());
  }

  /** The icon with its glyph (what is stroked in currentColor) hidden: the badge alone. */
  private static SVGDocument withoutGlyph(URL svg, Color ink) {
    LoaderContext context = LoaderContext.builder().preProcessor(root -> {
      root.setAttribute("color", SvgRenderer.hex(ink));
      hideGlyph(root);
    }).build();
    try (InputStream in = svg.openStream()) {
      return new SVGLoader().load(in, svg.toURI(), context);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void hideGlyph(DomElement element) {
    if ("currentColor".equals(element.attribute("stroke"))) {
      element.setAttribute("display", "none");
    }
    element.children().forEach(KindIconsTest::hideGlyph);
  }

  private static SVGDocument load(String svg) {
    try {
      Path file = Files.createTempFile("berth-icon", ".svg");
      try {
        Files.writeString(file, svg);
        return SvgRenderer.load(file.toUri().toURL(), Color.BLACK);
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Element parse(URL svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (InputStream in = svg.openStream()) {
      Element root = factory.newDocumentBuilder().parse(in).getDocumentElement();
      assertThat(root.getLocalName()).isEqualTo("svg");
      assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
      return root;
    }
  }

  /** Drawn from paths and shapes only: no embedded or linked images, no text, no fonts. */
  private static void assertSelfContained(Element svg) {
    for (String tag : List.of("image", "text", "font", "foreignObject", "use", "script", "style")) {
      assertThat(svg.getElementsByTagName(tag).getLength()).as("<%s> elements", tag).isZero();
    }
    NodeList all = svg.getElementsByTagName("*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      for (int a = 0; a < e.getAttributes().getLength(); a++) {
        String name = e.getAttributes().item(a).getNodeName();
        if (name.equals("xmlns") || name.startsWith("xmlns:")) {
          continue;
        }
        String value = e.getAttributes().item(a).getNodeValue();
        assertThat(value).as("attribute %s of <%s>", name, e.getTagName())
            .doesNotContain("http:").doesNotContain("https:").doesNotContain("data:");
      }
    }
  }
}
