package dev.berth.icons;

import static dev.berth.icons.IcoFileTest.square;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IcnsFileTest {

  @Test
  void writesTheNormalAndRetinaTypesOfEachSizeAndReadsThemBack() {
    Map<Integer, BufferedImage> images = new LinkedHashMap<>();
    images.put(16, square(16, 0xff112233));
    images.put(32, square(32, 0xff445566));
    images.put(1024, square(1024, 0xff778899));
    var entries = IcnsFile.read(IcnsFile.write(images));
    // 16 px: icp4; 32 px: icp5 and ic11 (16@2x); 1024 px: ic10 (512@2x)
    assertThat(entries).extracting(IcnsFile.Entry::type).containsExactly("icp4", "icp5", "ic10", "ic11");
    assertThat(entries).extracting(IcnsFile.Entry::size).containsExactly(16, 32, 1024, 32);
    assertThat(entries.get(2).image().getRGB(100, 100)).isEqualTo(0xff778899);
  }

  @Test
  void theContainerFollowsTheFormat() {
    byte[] file = IcnsFile.write(Map.of(128, square(128, 0xff000000)));
    ByteBuffer in = ByteBuffer.wrap(file); // big-endian
    assertThat(new String(file, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("icns");
    assertThat(in.getInt(4)).isEqualTo(file.length);
    assertThat(new String(file, 8, 4, StandardCharsets.US_ASCII)).isEqualTo("ic07");
    assertThat(in.getInt(12)).isEqualTo(file.length - 8);
    assertThat(Arrays.copyOfRange(file, 17, 20)).containsExactly('P', 'N', 'G');
  }

  @Test
  void skipsEntriesOfOtherTypes() {
    byte[] icon = IcnsFile.write(Map.of(16, square(16, 0xff000000)));
    // a table of contents entry, as iconutil writes, between the header and the image
    byte[] toc = ByteBuffer.allocate(16).put("TOC ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
        .put("icp4".getBytes(StandardCharsets.US_ASCII)).putInt(icon.length - 8).array();
    byte[] file = ByteBuffer.allocate(icon.length + toc.length).put(icon, 0, 8).put(toc)
        .put(icon, 8, icon.length - 8).putInt(4, icon.length + toc.length).array();
    assertThat(IcnsFile.read(file)).extracting(IcnsFile.Entry::type).containsExactly("icp4");
  }

  @Test
  void rejectsSizesWithoutATypeAndDamagedFiles() {
    assertThatThrownBy(() -> IcnsFile.write(Map.of(24, square(24, 0))))
        .hasMessageContaining("no entry type for 24 pixels");
    assertThatThrownBy(() -> IcnsFile.write(Map.of(32, square(16, 0))))
        .hasMessageContaining("for size 32 is 16x16");
    byte[] good = IcnsFile.write(Map.of(16, square(16, 0xff000000)));
    assertThatThrownBy(() -> IcnsFile.read("icnz\0\0\0\10".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("not an .icns file");
    assertThatThrownBy(() -> IcnsFile.read(Arrays.copyOf(good, good.length - 1)))
        .hasMessageContaining("header gives a length of " + good.length);
    byte[] badEntry = good.clone();
    ByteBuffer.wrap(badEntry).putInt(12, good.length * 2);
    assertThatThrownBy(() -> IcnsFile.read(badEntry)).hasMessageContaining("entry 'icp4' at byte 8");
    byte[] wrongType = good.clone();
    System.arraycopy("icp5".getBytes(StandardCharsets.US_ASCII), 0, wrongType, 8, 4);
    assertThatThrownBy(() -> IcnsFile.read(wrongType)).hasMessageContaining("'icp5' must be 32x32");
  }
}
