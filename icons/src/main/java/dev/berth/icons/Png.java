package dev.berth.icons;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** PNG encoding and decoding through the JDK's ImageIO. */
final class Png {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private Png() {}

  static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("the JDK has no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static boolean isPng(byte[] data) {
    return data.length >= SIGNATURE.length && Arrays.equals(data, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length);
  }

  /** Decodes PNG data; throws naming {@code what} when they are not a PNG image. */
  static BufferedImage decode(byte[] data, String what) {
    if (!isPng(data)) {
      throw new IllegalArgumentException(what + " is not PNG data (no PNG signature)");
    }
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
      if (image == null) {
        throw new IllegalArgumentException(what + " could not be decoded as PNG");
      }
      return image;
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " is not a readable PNG image: " + e.getMessage(), e);
    }
  }
}
