package dev.berth.icons;

import java.awt.Color;

/**
 * The two backgrounds icons are drawn for, with the ink (currentColor) that reads on each:
 * the text colours of AtlantaFX's Primer Light and Primer Dark themes.
 */
public enum Theme {
  LIGHT(new Color(0xffffff), new Color(0x1f2328)),
  DARK(new Color(0x0d1117), new Color(0xe6edf3));

  private final Color background;
  private final Color ink;

  Theme(Color background, Color ink) {
    this.background = background;
    this.ink = ink;
  }

  public Color background() {
    return background;
  }

  public Color ink() {
    return ink;
  }
}
