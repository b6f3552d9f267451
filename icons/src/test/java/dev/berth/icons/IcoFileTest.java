package dev.berth.icons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IcoFileTest {

  @Test
  void writesEverySizeAndReadsThemBackPixelForPixel() {
    List<BufferedImage> images = List.of(square(16, 0xff3366cc), square(48, 0x80ff0000), square(256, 0xff00aa00));
    List<IcoFile.Entry> entries = IcoFile.read(IcoFile.write(images));
    assertThat(entries).extracting(IcoFile.Entry::width).containsExactly(16, 48, 256);
    assertThat(entries).extracting(IcoFile.Entry::height).containsExactly(16, 48, 256);
    for (int i = 0; i < images.size(); i++) {
      assertThat(entries.get(i).image().getRGB(3, 5)).isEqualTo(images.get(i).getRGB(3, 5));
    }
  }

  @Test
  void theDirectoryFollowsTheFormat() {
    byte[] file = IcoFile.write(List.of(square(32, 0xffffffff), square(256, 0xff000000)));
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(in.getShort(0)).isZero(); // reserved
    assertThat(in.getShort(2)).isEqualTo((short) 1); // icon, not cursor
    assertThat(in.getShort(4)).isEqualTo((short) 2); // images
    assertThat(file[6]).isEqualTo((byte) 32); // first entry's width
    assertThat(file[6 + 16]).isZero(); // 256 is written as 0
    assertThat(in.getShort(6 + 6)).isEqualTo((short) 32); // bits per pixel
    int length = in.getInt(6 + 8);
    int offset = in.getInt(6 + 12);
    assertThat(offset).isEqualTo(6 + 2 * 16);
    assertThat(in.getInt(6 + 16 + 12)).isEqualTo(offset + length);
    assertThat(Arrays.copyOfRange(file, offset + 1, offset + 4)).containsExactly('P', 'N', 'G');
  }

  @Test
  void rejectsImagesTheFormatCannotHold() {
    assertThatThrownBy(() -> IcoFile.write(List.of(square(512, 0))))
        .hasMessageContaining("1 to 256 pixels").hasMessageContaining("512x512");
    assertThatThrownBy(() -> IcoFile.write(List.of(new BufferedImage(16, 32, BufferedImage.TYPE_INT_ARGB))))
        .hasMessageContaining("square").hasMessageContaining("16x32");
    assertThatThrownBy(() -> IcoFile.write(List.of())).hasMessageContaining("at least one image");
  }

  @Test
  void rejectsFilesThatAreNotIconsOrAreDamaged() {
    byte[] good = IcoFile.write(List.of(square(16, 0xff000000)));
    assertThatThrownBy(() -> IcoFile.read(new byte[] {'P', 'K', 3, 4, 0, 0}))
        .hasMessageContaining("not an .ico file");
    assertThatThrownBy(() -> IcoFile.read(Arrays.copyOf(good, 10))).hasMessageContaining("truncated");
    assertThatThrownBy(() -> IcoFile.read(Arrays.copyOf(good, good.length - 20)))
        .hasMessageContaining("entry 0 points outside the file");
    byte[] wrongSize = good.clone();
    wrongSize[6] = 20;
    wrongSize[7] = 20;
    assertThatThrownBy(() -> IcoFile.read(wrongSize)).hasMessageContaining("says 20x20 but its image is 16x16");
  }

  static BufferedImage square(int size, int argb) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
    var g = image.createGraphics();
    g.setComposite(java.awt.AlphaComposite.Src);
    g.setColor(new Color(argb, true));
    g.fillRect(0, 0, size, size);
    g.dispose();
    return image;
  }
}
