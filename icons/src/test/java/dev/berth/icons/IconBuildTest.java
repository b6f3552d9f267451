package dev.berth.icons;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IconBuildTest {

  @TempDir
  static Path out;

  @BeforeAll
  static void build() throws IOException {
    IconBuild.build(out);
  }

  @Test
  void rendersTheAppIconForInstallersAndDesktopEntries() throws IOException {
    for (int size : IconBuild.PNG_SIZES) {
      BufferedImage png = ImageIO.read(out.resolve("app/berth-" + size + ".png").toFile());
      assertThat(png.getWidth()).as("berth-%d.png", size).isEqualTo(size);
      assertThat(png.getHeight()).isEqualTo(size);
      assertThat(png.getColorModel().hasAlpha()).isTrue();
      assertThat(png.getRGB(0, 0) >>> 24).as("corner outside the rounded badge is transparent").isZero();
      assertThat(png.getRGB(size / 2, size / 2) >>> 24).isEqualTo(0xff);
    }
    var ico = IcoFile.read(Files.readAllBytes(out.resolve("berth.ico")));
    assertThat(ico).extracting(IcoFile.Entry::width)
        .containsExactly(16, 24, 32, 48, 64, 128, 256);
    var icns = IcnsFile.read(Files.readAllBytes(out.resolve("berth.icns")));
    assertThat(icns).extracting(IcnsFile.Entry::type)
        .containsExactlyInAnyOrder("icp4", "icp5", "icp6", "ic07", "ic08", "ic09", "ic10", "ic11", "ic12", "ic13", "ic14");
  }

  @Test
  void theContactSheetShowsEveryIconOnBothThemes() throws IOException {    BufferedImage sheet = ImageIO.read(out.resolve("contact-sheet.png").toFile());
    int rows = (ContactSheet.labels().size() + ContactSheet.COLUMNS - 1) / ContactSheet.COLUMNS;
    int panel = ContactSheet.TITLE + rows * ContactSheet.CELL_HEIGHT + ContactSheet.MARGIN;
    assertThat(sheet.getHeight()).isEqualTo(2 * panel);
    assertThat(sheet.getRGB(2, 2) & 0xffffff).isEqualTo(Theme.LIGHT.background().getRGB() & 0xffffff);
    assertThat(sheet.getRGB(2, panel + 2) & 0xffffff).isEqualTo(Theme.DARK.background().getRGB() & 0xffffff);
    // each cell's 48 px icon sits where the sheet says, and is drawn (not background)
    for (int t = 0; t < 2; t++) {
      for (int i = 0; i < ContactSheet.labels().size(); i++) {
        int x = ContactSheet.MARGIN + (i % ContactSheet.COLUMNS) * ContactSheet.CELL_WIDTH + 16 + 10 + 24 + 10 + 24;
        int y = t * panel + ContactSheet.TITLE + (i / ContactSheet.COLUMNS) * ContactSheet.CELL_HEIGHT + 52 - 24;
        int background = (t == 0 ? Theme.LIGHT : Theme.DARK).background().getRGB() & 0xffffff;
        assertThat(sheet.getRGB(x, y) & 0xffffff).as("icon %d on panel %d", i, t).isNotEqualTo(background);
      }
    }
  }
}
