package dev.glmpipe.evaluate;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn by XChart and embedded as PNG data URIs so the report is one file
 * that opens offline. AWT runs headless: drivers have no display.
 */
final class Charts {
  static final int WIDTH = 560;
  static final int HEIGHT = 380;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Charts() {}

  /** One line per series; {@code diagonal} adds the y = x reference of ROC and calibration plots. */
  static XYChart lines(String title, String xTitle, String yTitle, boolean diagonal) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    if (diagonal) {
      XYSeries ref = chart.addSeries("y = x", new double[] {0, 1}, new double[] {0, 1});
      ref.setMarker(SeriesMarkers.NONE);
      ref.setLineColor(Color.GRAY);
    }
    return chart;
  }

  static void addLine(XYChart chart, String name, double[] x, double[] y, boolean markers) {
    XYSeries s = chart.addSeries(name, x, y);
    if (!markers) {
      s.setMarker(SeriesMarkers.NONE);
    }
  }

  static CategoryChart bars(String title, String xTitle, String yTitle, List<String> categories, List<? extends Number> values,
      String series, int labelRotation) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLabelRotation(labelRotation);
    chart.addSeries(series, categories, values);
    return chart;
  }

  static String dataUri(Chart<?, ?> chart) {
    try {
      return "data:image/png;base64," + Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot draw chart " + chart.getTitle(), e);
    }
  }
}
