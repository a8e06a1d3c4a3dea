package dev.glmpipe.html;

import java.util.Locale;
import org.knowm.xchart.internal.chartpart.Chart;

/** What the self-contained HTML reports share: escaping, numbers, embedded chart images. */
public final class Html {
  private Html() {}

  /** Text made safe for element content and quoted attribute values. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }

  /** Four decimals; empty for null. */
  public static String num(Double v) {
    if (v == null) {
      return "";
    }
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** The chart as an {@code <img>} whose source is a PNG data URI (nothing is fetched). */
  public static void img(StringBuilder h, Chart<?, ?> chart, String alt) {
    h.append("<img alt=\"").append(esc(alt)).append("\" width=\"").append(chart.getWidth()).append("\" height=\"")
        .append(chart.getHeight()).append("\" src=\"").append(Charts.dataUri(chart)).append("\">\n");
  }
}
