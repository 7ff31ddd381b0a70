package dev.deja.server.console;

import java.util.List;
import java.util.Locale;

/** Line charts as inline SVG, drawn on the server: no script, nothing fetched. */
final class Plots {

  static final int WIDTH = 720;
  static final int HEIGHT = 180;
  private static final int LEFT = 48;
  private static final int BOTTOM = 22;
  private static final int TOP = 10;

  /**
   * One line.
   *
   * @param label legend text
   * @param colour stroke colour, {@code #rrggbb}
   * @param values one value per x step, oldest first
   */
  record Series(String label, String colour, double[] values) {}

  private Plots() {}

  /**
   * A chart of {@code series} on a common y axis from 0 to the largest value (or {@code yMax} if
   * positive), x labelled at both ends.
   */
  static String lines(String title, List<Series> series, double yMax, String firstX,
      String lastX) {
    double top = yMax > 0 ? yMax : 0;
    int points = 0;
    for (Series s : series) {
      points = Math.max(points, s.values().length);
      for (double v : s.values()) {
        top = Math.max(top, v);
      }
    }
    if (top <= 0) {
      top = 1;
    }
    double plotW = WIDTH - LEFT - 8;
    double plotH = HEIGHT - TOP - BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append("<figure class=\"plot\"><figcaption>").append(Html.escape(title))
        .append("</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ")
        .append(WIDTH).append(' ').append(HEIGHT).append("\" width=\"").append(WIDTH)
        .append("\" height=\"").append(HEIGHT).append("\" aria-label=\"")
        .append(Html.escape(title)).append("\">");
    // Axes and the y scale.
    svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"")
        .append(LEFT).append("\" y2=\"").append(HEIGHT - BOTTOM)
        .append("\" stroke=\"#999\"/><line x1=\"").append(LEFT).append("\" y1=\"")
        .append(HEIGHT - BOTTOM).append("\" x2=\"").append(WIDTH - 8).append("\" y2=\"")
        .append(HEIGHT - BOTTOM).append("\" stroke=\"#999\"/>");
    text(svg, LEFT - 4, TOP + 8, "end", number(top));
    text(svg, LEFT - 4, HEIGHT - BOTTOM, "end", "0");
    text(svg, LEFT, HEIGHT - 6, "start", firstX);
    text(svg, WIDTH - 8, HEIGHT - 6, "end", lastX);
    for (Series s : series) {
      double[] v = s.values();
      svg.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
          .append(Html.escape(s.colour())).append("\" points=\"");
      for (int i = 0; i < v.length; i++) {
        double x = LEFT + (points <= 1 ? 0 : plotW * i / (points - 1));
        double y = TOP + plotH - plotH * v[i] / top;
        svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append("\"><title>").append(Html.escape(s.label())).append("</title></polyline>");
    }
    svg.append("</svg><ul class=\"legend\">");
    for (Series s : series) {
      svg.append("<li><svg width=\"12\" height=\"12\"><rect width=\"12\" height=\"12\" fill=\"")
          .append(Html.escape(s.colour())).append("\"/></svg> ").append(Html.escape(s.label()))
          .append("</li>");
    }
    return svg.append("</ul></figure>").toString();
  }

  private static void text(StringBuilder svg, int x, int y, String anchor, String text) {
    svg.append("<text x=\"").append(x).append("\" y=\"").append(y)
        .append("\" font-size=\"11\" fill=\"#555\" text-anchor=\"").append(anchor).append("\">")
        .append(Html.escape(text)).append("</text>");
  }

  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }
}
