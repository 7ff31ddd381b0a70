package dev.deja.bench.precision;

import dev.deja.filter.match.GuardStrictness;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Recall vs false-positive rate, threshold-only against threshold+guard, per set. */
final class RocChart {

  private RocChart() {}

  static void write(PrecisionHarness.Report r, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    for (String set : r.sets) {
      if (set.equals(EvalSets.PAWS_TUNE) || set.equals(EvalSets.PAWS_HOLDOUT)) {
        continue; // halves of paws, which is plotted
      }
      var bySet = r.curves.get(set);
      Counts any = bySet.get(GuardStrictness.OFF)[0];
      if (any.positives() == 0 || any.negatives() == 0) {
        continue;
      }
      for (GuardStrictness s : PrecisionHarness.LEVELS) {
        String name = set + (s == GuardStrictness.OFF ? " threshold only" : " + guard " + s);
        XYSeries series = new XYSeries(name, false, true);
        for (Counts c : bySet.get(s)) {
          series.add(c.fpr(), c.recall());
        }
        data.addSeries(series);
      }
    }
    JFreeChart chart = ChartFactory.createXYLineChart(
        "Semantic hits: recall vs false-positive rate (thresholds 0.80-0.99), " + r.modelId,
        "false-positive rate", "recall", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    Color[] setColors = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)};
    for (int i = 0; i < data.getSeriesCount(); i++) {
      int set = i / PrecisionHarness.LEVELS.length;
      int level = i % PrecisionHarness.LEVELS.length;
      Color base = setColors[set % setColors.length];
      renderer.setSeriesPaint(i, level == 0 ? base.darker() : base);
      renderer.setSeriesStroke(i, level == 0
          ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
              new float[] {6f, 4f}, 0f)
          : new BasicStroke(0.8f + 0.6f * level));
    }
    plot.setRenderer(renderer);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 1400, 900);
  }
}
