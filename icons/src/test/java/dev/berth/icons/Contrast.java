package dev.berth.icons;

import java.awt.Color;
import java.awt.image.BufferedImage;

/** WCAG 2 relative luminance and contrast ratio, and compositing over a background. */
final class Contrast {

  /** WCAG 2.1 SC 1.4.11: the least contrast of graphical objects against what is next to them. */
  static final double GRAPHICS = 3.0;

  private static final double[] LINEAR = new double[256];

  static {
    for (int i = 0; i < 256; i++) {
      double c = i / 255.0;
      LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
  }

  private Contrast() {}

  static double luminance(int rgb) {
    return 0.2126 * LINEAR[(rgb >> 16) & 0xff] + 0.7152 * LINEAR[(rgb >> 8) & 0xff] + 0.0722 * LINEAR[rgb & 0xff];
  }

  static double ratio(int rgbA, int rgbB) {
    double a = luminance(rgbA);
    double b = luminance(rgbB);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  /** The icon as it shows over an opaque background. */
  static BufferedImage over(BufferedImage icon, Color background) {
    BufferedImage out = new BufferedImage(icon.getWidth(), icon.getHeight(), BufferedImage.TYPE_INT_RGB);
    var g = out.createGraphics();
    g.setColor(background);
    g.fillRect(0, 0, icon.getWidth(), icon.getHeight());
    g.drawImage(icon, 0, 0, null);
    g.dispose();
    return out;
  }

  /** How many pixels of {@code a} contrast with the same pixel of {@code b} by at least {@code min}. */
  static int pixelsApart(BufferedImage a, BufferedImage b, double min) {
    int count = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        if (ratio(a.getRGB(x, y), b.getRGB(x, y)) >= min) {
          count++;
        }
      }
    }
    return count;
  }

  /** How many pixels of {@code image} contrast with {@code colour} by at least {@code min}. */
  static int pixelsApart(BufferedImage image, Color colour, double min) {
    BufferedImage flat = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    var g = flat.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.dispose();
    return pixelsApart(image, flat, min);
  }
}
