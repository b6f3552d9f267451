package dev.berth.icons;

import java.awt.image.BufferedImage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Windows icon files (.ico) holding several sizes, each stored as PNG data, which Windows
 * reads since Vista and which installers (WiX, jpackage) take as they are. Sizes run from 1 to
 * 256 pixels, the format's limit.
 */
public final class IcoFile {

  /** One image of an icon file. */
  public record Entry(int width, int height, BufferedImage image) {}

  private static final int HEADER = 6;
  private static final int DIRECTORY_ENTRY = 16;
  private static final int TYPE_ICON = 1;

  private IcoFile() {}

  /** An icon file with one PNG entry per image; every image must be square, 1 to 256 pixels. */
  public static byte[] write(List<BufferedImage> images) {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("an .ico file needs at least one image");
    }
    if (images.size() > 0xffff) {
      throw new IllegalArgumentException("an .ico file holds at most 65535 images, not " + images.size());
    }
    List<byte[]> data = new ArrayList<>();
    for (BufferedImage image : images) {
      int w = image.getWidth();
      int h = image.getHeight();
      if (w != h || w < 1 || w > 256) {
        throw new IllegalArgumentException(
            "an .ico image must be square and 1 to 256 pixels wide, not " + w + "x" + h);
      }
      data.add(Png.encode(image));
    }
    int offset = HEADER + DIRECTORY_ENTRY * images.size();
    int total = offset + data.stream().mapToInt(d -> d.length).sum();
    ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    out.putShort((short) 0).putShort((short) TYPE_ICON).putShort((short) images.size());
    for (int i = 0; i < images.size(); i++) {
      int size = images.get(i).getWidth();
      out.put((byte) (size == 256 ? 0 : size)); // 0 stands for 256
      out.put((byte) (size == 256 ? 0 : size));
      out.put((byte) 0); // no palette
      out.put((byte) 0); // reserved
      out.putShort((short) 1); // colour planes
      out.putShort((short) 32); // bits per pixel
      out.putInt(data.get(i).length);
      out.putInt(offset);
      offset += data.get(i).length;
    }
    data.forEach(out::put);
    return out.array();
  }

  /**
   * Reads an icon file whose entries are PNG data, checking the directory against each image.
   * Throws naming the entry and the rule when the file is not such an icon file.
   */
  public static List<Entry> read(byte[] file) {
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    try {
      int reserved = Short.toUnsignedInt(in.getShort());
      int type = Short.toUnsignedInt(in.getShort());
      int count = Short.toUnsignedInt(in.getShort());
      if (reserved != 0 || type != TYPE_ICON) {
        throw new IllegalArgumentException(
            "not an .ico file: header reserved=" + reserved + " type=" + type + ", expected 0 and 1");
      }
      if (count == 0) {
        throw new IllegalArgumentException(".ico file has no images");
      }
      if (file.length < HEADER + (long) DIRECTORY_ENTRY * count) {
        throw new IllegalArgumentException(".ico file is truncated (" + file.length
            + " bytes): its directory of " + count + " images alone takes " + (HEADER + DIRECTORY_ENTRY * count));
      }
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        in.position(HEADER + DIRECTORY_ENTRY * i);
        int width = Byte.toUnsignedInt(in.get());
        int height = Byte.toUnsignedInt(in.get());
        in.position(in.position() + 6); // palette size, reserved, planes, bits per pixel
        long length = Integer.toUnsignedLong(in.getInt());
        long offset = Integer.toUnsignedLong(in.getInt());
        width = width == 0 ? 256 : width;
        height = height == 0 ? 256 : height;
        if (offset + length > file.length || offset < HEADER + (long) DIRECTORY_ENTRY * count) {
          throw new IllegalArgumentException(".ico entry " + i + " points outside the file: offset "
              + offset + ", length " + length + ", file length " + file.length);
        }
        byte[] data = new byte[(int) length];
        System.arraycopy(file, (int) offset, data, 0, (int) length);
        BufferedImage image = Png.decode(data, ".ico entry " + i);
        if (image.getWidth() != width || image.getHeight() != height) {
          throw new IllegalArgumentException(".ico entry " + i + " says " + width + "x" + height
              + " but its image is " + image.getWidth() + "x" + image.getHeight());
        }
        entries.add(new Entry(width, height, image));
      }
      return entries;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException(".ico file is truncated (" + file.length + " bytes)", e);
    }
  }
}
