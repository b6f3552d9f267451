package dev.berth.icons;

import java.awt.image.BufferedImage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * macOS icon files (.icns): a big-endian container of typed entries, here PNG data under the
 * types macOS reads PNG from (10.7 and later), including the Retina ("@2x") variants.
 */
public final class IcnsFile {

  /** One entry: its four-character type, the pixel size that type stands for, and its image. */
  public record Entry(String type, int size, BufferedImage image) {}

  /** Entry types holding PNG data, in the order written, with the pixel size each holds. */
  public static final List<Map.Entry<String, Integer>> TYPES = List.of(
      Map.entry("icp4", 16), Map.entry("icp5", 32), Map.entry("icp6", 64),
      Map.entry("ic07", 128), Map.entry("ic08", 256), Map.entry("ic09", 512),
      Map.entry("ic10", 1024), Map.entry("ic11", 32), Map.entry("ic12", 64),
      Map.entry("ic13", 256), Map.entry("ic14", 512));

  private static final int ENTRY_HEADER = 8;

  private IcnsFile() {}

  /** The pixel size an entry type holds, or -1 for a type this class does not write. */
  public static int sizeOf(String type) {
    return TYPES.stream().filter(t -> t.getKey().equals(type)).mapToInt(Map.Entry::getValue).findFirst().orElse(-1);
  }

  /**
   * An icon file with every type whose size {@code imagesBySize} has (keys are pixel sizes of
   * square images). Sizes no type holds are an error, so that nothing is dropped silently.
   */
  public static byte[] write(Map<Integer, BufferedImage> imagesBySize) {
    for (var e : imagesBySize.entrySet()) {
      BufferedImage image = e.getValue();
      if (image.getWidth() != e.getKey() || image.getHeight() != e.getKey()) {
        throw new IllegalArgumentException("the .icns image for size " + e.getKey() + " is "
            + image.getWidth() + "x" + image.getHeight() + ", not " + e.getKey() + "x" + e.getKey());
      }
      if (TYPES.stream().noneMatch(t -> t.getValue().equals(e.getKey()))) {
        throw new IllegalArgumentException("an .icns file has no entry type for " + e.getKey()
            + " pixels; sizes are 16, 32, 64, 128, 256, 512 and 1024");
      }
    }
    List<byte[]> entries = new ArrayList<>();
    for (var type : TYPES) {
      BufferedImage image = imagesBySize.get(type.getValue());
      if (image == null) {
        continue;
      }
      byte[] png = Png.encode(image);
      entries.add(ByteBuffer.allocate(ENTRY_HEADER + png.length)
          .put(type.getKey().getBytes(StandardCharsets.US_ASCII))
          .putInt(ENTRY_HEADER + png.length)
          .put(png)
          .array());
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("an .icns file needs at least one image");
    }
    int total = ENTRY_HEADER + entries.stream().mapToInt(e -> e.length).sum();
    ByteBuffer out = ByteBuffer.allocate(total);
    out.put("icns".getBytes(StandardCharsets.US_ASCII)).putInt(total);
    entries.forEach(out::put);
    return out.array();
  }

  /**
   * Reads an icon file: every entry of a PNG type is decoded and checked against the size its
   * type stands for; entries of other types (a table of contents, legacy bitmaps) are skipped.
   */
  public static List<Entry> read(byte[] file) {
    ByteBuffer in = ByteBuffer.wrap(file);
    try {
      String magic = fourCc(in);
      long length = Integer.toUnsignedLong(in.getInt());
      if (!magic.equals("icns")) {
        throw new IllegalArgumentException("not an .icns file: it starts with '" + magic + "', not 'icns'");
      }
      if (length != file.length) {
        throw new IllegalArgumentException(
            ".icns header gives a length of " + length + " bytes, the file has " + file.length);
      }
      List<Entry> entries = new ArrayList<>();
      while (in.remaining() > 0) {
        int at = in.position();
        String type = fourCc(in);
        long entryLength = Integer.toUnsignedLong(in.getInt());
        if (entryLength < ENTRY_HEADER || at + entryLength > file.length) {
          throw new IllegalArgumentException(".icns entry '" + type + "' at byte " + at
              + " has a length of " + entryLength + ", outside the file");
        }
        byte[] data = new byte[(int) entryLength - ENTRY_HEADER];
        in.get(data);
        int size = sizeOf(type);
        if (size < 0) {
          continue;
        }
        BufferedImage image = Png.decode(data, ".icns entry '" + type + "'");
        if (image.getWidth() != size || image.getHeight() != size) {
          throw new IllegalArgumentException(".icns entry '" + type + "' must be " + size + "x" + size
              + " but its image is " + image.getWidth() + "x" + image.getHeight());
        }
        entries.add(new Entry(type, size, image));
      }
      return entries;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException(".icns file is truncated (" + file.length + " bytes)", e);
    }
  }

  private static String fourCc(ByteBuffer in) {
    byte[] code = new byte[4];
    in.get(code);
    return new String(code, StandardCharsets.US_ASCII);
  }
}
