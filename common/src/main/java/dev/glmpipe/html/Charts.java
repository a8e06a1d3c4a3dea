package dev.glmpipe.html;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The reports' charts, drawn by XChart and embedded as PNG data URIs so a report is one file
 * that opens offline. AWT runs headless: drivers have no display.
 */
public final class Charts {
  public static final int WIDTH = 560;
  public static final int HEIGHT = 380;

  /** Green → yellow → red: the heat map's scale from "no change" to "alert and beyond". */
  public static final Color[] GREEN_TO_RED = {new Color(0x2e7d32), new Color(0xfdd835), new Color(0xc62828)};

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Charts() {}

  /** One line per series; {@code diagonal} adds the y = x reference of ROC and calibration plots. */
  public static XYChart lines(String title, String xTitle, String yTitle, boolean diagonal) {
    return lines(title, xTitle, yTitle, diagonal, WIDTH, HEIGHT);
  }

  public static XYChart lines(String title, String xTitle, String yTitle, boolean diagonal, int width, int height) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    if (diagonal) {
      XYSeries ref = chart.addSeries("y = x", new double[] {0, 1}, new double[] {0, 1});
      ref.setMarker(SeriesMarkers.NONE);
      ref.setLineColor(Color.GRAY);
    }
    return chart;
  }

  /**
   * Lines over an ordinal axis (dates, say): x is the position in {@code labels}, and the axis
   * shows labels, thinned to fit, at whole positions only. A hidden first series holds every
   * position, so XChart places ticks on positions rather than on round numbers (and every tick
   * label stays distinct, which XChart's tick search needs to end). Series added later should
   * keep x within {@code 0 … labels.size() - 1}.
   */
  public static XYChart ordinalLines(String title, String xTitle, String yTitle, List<String> labels, int width, int height) {
    XYChart chart = lines(title, xTitle, yTitle, false, width, height);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setXAxisLabelRotation(labels.size() > 8 ? 45 : 0);
    chart.setCustomXAxisTickLabelsFormatter(ordinal(labels));
    double[] x = new double[labels.size()];
    double[] y = new double[labels.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
      y[i] = Double.NaN;  // never drawn, and left out of the y axis' range
    }
    XYSeries positions = chart.addSeries(" positions", x, y);
    positions.setMarker(SeriesMarkers.NONE);
    positions.setLineColor(new Color(0, 0, 0, 0));
    positions.setShowInLegend(false);
    return chart;
  }

  /** The label at a whole position; any other value a distinct number (tick labels must differ). */
  private static Function<Double, String> ordinal(List<String> labels) {
    return x -> {
      long i = Math.round(x);
      if (Math.abs(x - i) < 1e-9 && i >= 0 && i < labels.size()) {
        return labels.get((int) i);
      }
      return Double.isFinite(x) ? java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString() : String.valueOf(x);
    };
  }

  public static XYSeries addLine(XYChart chart, String name, double[] x, double[] y, boolean markers) {
    XYSeries s = chart.addSeries(name, x, y);
    if (!markers) {
      s.setMarker(SeriesMarkers.NONE);
    }
    return s;
  }

  /** A horizontal reference line at {@code y} from {@code x0} to {@code x1}: grey, dashed, no markers. */
  public static XYSeries addReference(XYChart chart, String name, double x0, double x1, double y, Color color) {
    XYSeries s = chart.addSeries(name, new double[] {x0, x1}, new double[] {y, y});
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    return s;
  }

  public static CategoryChart bars(String title, String xTitle, String yTitle, List<String> categories, List<? extends Number> values,
      String series, int labelRotation) {
    return bars(title, xTitle, yTitle, categories, values, series, labelRotation, WIDTH, HEIGHT);
  }

  public static CategoryChart bars(String title, String xTitle, String yTitle, List<String> categories, List<? extends Number> values,
      String series, int labelRotation, int width, int height) {
    CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLabelRotation(labelRotation);
    chart.addSeries(series, categories, values);
    return chart;
  }

  /**
   * A heat map of {@code cells} ({@code {column index, row index, value}}; missing cells stay
   * blank) coloured from {@code min} to {@code max} through {@code colors}, with a colour bar.
   * {@code rows} are drawn bottom-up, as XChart's y axis runs.
   */
  public static HeatMapChart heatMap(String title, String xTitle, String yTitle, List<String> columns, List<String> rows,
      List<Number[]> cells, double min, double max, Color[] colors, boolean showValues, int width, int height) {
    HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setRangeColors(colors);
    chart.getStyler().setMin(min);
    chart.getStyler().setMax(max);
    chart.getStyler().setShowValue(showValues);
    chart.getStyler().setHeatMapValueDecimalPattern("0.00");
    chart.getStyler().setXAxisLabelRotation(columns.size() > 6 ? 90 : 0);
    chart.getStyler().setPlotGridLinesVisible(false);
    chart.addSeries(title, columns, rows, cells);
    return chart;
  }

  /** A circle outlined in the series' colour and filled white: a provisional point beside filled final ones. */
  public static Marker hollowCircle() {
    return new Marker() {
      @Override
      public void paint(Graphics2D g, double x, double y, int size) {
        double half = size / 2.0;
        Ellipse2D circle = new Ellipse2D.Double(x - half, y - half, size, size);
        Color line = g.getColor();
        g.setColor(Color.WHITE);
        g.fill(circle);
        g.setColor(line);
        g.setStroke(new BasicStroke(1.5f));
        g.draw(circle);
      }
    };
  }

  public static String dataUri(Chart<?, ?> chart) {
    try {
      return "data:image/png;base64," + Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot draw chart " + chart.getTitle(), e);
    }
  }
}
