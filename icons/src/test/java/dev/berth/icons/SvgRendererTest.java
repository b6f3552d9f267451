package dev.berth.icons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SvgRendererTest {

  @TempDir
  Path dir;

  @Test
  void currentColorTakesTheInkGiven() throws IOException {
    URL svg = write("""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
          <rect x="0" y="0" width="24" height="24" fill="currentColor"/>
        </svg>""");
    assertThat(SvgRenderer.render(svg, 8, new Color(0xcc2244)).getRGB(4, 4)).isEqualTo(0xffcc2244);
    assertThat(SvgRenderer.render(svg, 8, new Color(0x22cc44)).getRGB(4, 4)).isEqualTo(0xff22cc44);
  }

  @Test
  void scalesTheViewBoxToTheSizeAsked() throws IOException {
    URL svg = write("""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
          <rect x="0" y="0" width="12" height="24" fill="#000"/>
        </svg>""");
    BufferedImage image = SvgRenderer.render(svg, 100, Color.BLACK);
    assertThat(image.getRGB(10, 50) >>> 24).isEqualTo(0xff);
    assertThat(image.getRGB(90, 50) >>> 24).isZero();
  }

  @Test
  void rejectsSizesOutOfRange() {
    assertThatThrownBy(() -> SvgRenderer.render(KindIcons.appIcon(), 0, Color.BLACK))
        .hasMessageContaining("icon size 0 is out of range");
    assertThatThrownBy(() -> SvgRenderer.render(KindIcons.appIcon(), 100_000, Color.BLACK))
        .hasMessageContaining("between 1 and 4096");
  }

  @Test
  void namesTheFileThatIsNotAnSvg() throws IOException {
    URL broken = write("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect</svg>");
    assertThatThrownBy(() -> SvgRenderer.load(broken, Color.BLACK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("icon.svg");
  }

  private URL write(String svg) throws IOException {
    return Files.writeString(dir.resolve("icon.svg"), svg).toUri().toURL();
  }
}
