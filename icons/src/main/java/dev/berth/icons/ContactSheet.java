package dev.berth.icons;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * One picture of every icon at 16, 24 and 48 pixels, on the light theme's background and on
 * the dark one's, each icon named: for the docs, and for a person checking a change at a glance.
 */
public final class ContactSheet {

  /** The sizes each icon is shown at. */
  public static final List<Integer> SIZES = List.of(16, 24, 48);

  static final int COLUMNS = 6;
  static final int CELL_WIDTH = 160;
  static final int CELL_HEIGHT = 84;
  static final int MARGIN = 16;
  static final int TITLE = 28;

  private ContactSheet() {}

  /** The labels shown, in order: every kind, then the app icon. */
  public static List<String> labels() {
    List<String> labels = new ArrayList<>(KindIcons.KINDS);
    labels.add("Berth (app)");
    return labels;
  }

  public static BufferedImage draw() {
    List<String> labels = labels();
    int rows = (labels.size() + COLUMNS - 1) / COLUMNS;
    int panelHeight = TITLE + rows * CELL_HEIGHT + MARGIN;
    int width = 2 * MARGIN + COLUMNS * CELL_WIDTH;
    BufferedImage sheet = new BufferedImage(width, panelHeight * Theme.values().length, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
      Font title = new Font(Font.SANS_SERIF, Font.BOLD, 13);
      int top = 0;
      for (Theme theme : Theme.values()) {
        g.setColor(theme.background());
        g.fillRect(0, top, width, panelHeight);
        g.setColor(theme.ink());
        g.setFont(title);
        g.drawString("Berth icons, " + theme.name().toLowerCase(java.util.Locale.ROOT)
            + " theme: 16, 24 and 48 px", MARGIN, top + 20);
        g.setFont(label);
        FontMetrics metrics = g.getFontMetrics();
        for (int i = 0; i < labels.size(); i++) {
          int x = MARGIN + (i % COLUMNS) * CELL_WIDTH;
          int y = top + TITLE + (i / COLUMNS) * CELL_HEIGHT;
          int baseline = y + 52;
          int ix = x;
          for (int size : SIZES) {
            BufferedImage icon = i < KindIcons.KINDS.size()
                ? SvgRenderer.render(KindIcons.svg(KindIcons.KINDS.get(i)), size, theme.ink())
                : SvgRenderer.render(KindIcons.appIcon(), size, theme.ink());
            g.drawImage(icon, ix, baseline - size, null);
            ix += size + 10;
          }
          g.setColor(theme.ink());
          g.drawString(fit(labels.get(i), metrics, CELL_WIDTH - 8), x, baseline + 18);
        }
        top += panelHeight;
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }

  private static String fit(String text, FontMetrics metrics, int width) {
    if (metrics.stringWidth(text) <= width) {
      return text;
    }
    String cut = text;
    while (cut.length() > 1 && metrics.stringWidth(cut + "…") > width) {
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut + "…";
  }
}
