package dev.berth.icons;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The build step that renders the app icon for installers and desktop entries:
 * {@code app/berth-N.png} for every size in {@link #PNG_SIZES}, {@code berth.ico},
 * {@code berth.icns} and {@code contact-sheet.png}, all into the directory given.
 */
public final class IconBuild {

  /** The PNG sizes desktop entries and installers take (hicolor theme, jpackage). */
  public static final List<Integer> PNG_SIZES = List.of(16, 24, 32, 48, 64, 128, 256, 512);
  /** The sizes in berth.ico: every PNG size that the format allows (up to 256). */
  public static final List<Integer> ICO_SIZES = List.of(16, 24, 32, 48, 64, 128, 256);
  /** The sizes in berth.icns: those macOS has an entry type for, Retina variants included. */
  public static final List<Integer> ICNS_SIZES = List.of(16, 32, 64, 128, 256, 512, 1024);

  private IconBuild() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: IconBuild OUTPUT_DIR");
      System.exit(2);
    }
    List<Path> written = build(Path.of(args[0]));
    System.out.println("icons: wrote " + written.size() + " files to " + args[0]);
  }

  /** Renders everything into {@code out}; returns the files written. */
  public static List<Path> build(Path out) throws IOException {
    Files.createDirectories(out.resolve("app"));
    Map<Integer, BufferedImage> rendered = new LinkedHashMap<>();
    var document = SvgRenderer.load(KindIcons.appIcon(), Theme.LIGHT.ink());
    for (int size : sortedUnion()) {
      rendered.put(size, SvgRenderer.render(document, size));
    }
    List<Path> written = new ArrayList<>();
    for (int size : PNG_SIZES) {
      Path png = out.resolve("app").resolve("berth-" + size + ".png");
      ImageIO.write(rendered.get(size), "png", png.toFile());
      written.add(png);
    }
    written.add(Files.write(out.resolve("berth.ico"),
        IcoFile.write(ICO_SIZES.stream().map(rendered::get).toList())));
    Map<Integer, BufferedImage> icns = new LinkedHashMap<>();
    ICNS_SIZES.forEach(size -> icns.put(size, rendered.get(size)));
    written.add(Files.write(out.resolve("berth.icns"), IcnsFile.write(icns)));
    Path sheet = out.resolve("contact-sheet.png");
    ImageIO.write(ContactSheet.draw(), "png", sheet.toFile());
    written.add(sheet);
    return written;
  }

  private static List<Integer> sortedUnion() {
    return java.util.stream.Stream.of(PNG_SIZES, ICO_SIZES, ICNS_SIZES)
        .flatMap(List::stream).distinct().sorted().toList();
  }
}
