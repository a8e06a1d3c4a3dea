package dev.glmpipe.baseline;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.features.BucketKeys;
import dev.glmpipe.features.DayHistograms;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.NumericSummary;
import dev.glmpipe.features.StatisticsPass;
import dev.glmpipe.io.PartitionedTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Baseline} from the counts a {@link StatisticsPass} kept while it gathered the
 * training statistics, so the baseline costs no extra read of the training rows.
 *
 * <p>Numeric inputs: the pass counts every raw value ({@code CAST(col AS DOUBLE)}, as in
 * {@link FeatureProfile}) per day in narrow buckets ({@link BucketKeys}), and the edges are
 * chosen afterwards, each snapped down to a bucket's lower bound: the training minimum's bucket,
 * the quantiles at {@code i/bins} of the pass's sample, and the bound just above the training
 * maximum's bucket. So every bucket lies inside one bin and the bin counts are exact (the first
 * and last bins are empty on the training rows); the edges are within a bucket width (about 3%
 * relative) of the sample's quantiles.
 *
 * <p>Level inputs (categoricals, date parts, crosses, and booleans as {@code "true"/"false"}):
 * the pass counts every value per day; the baseline's levels are the model's kept levels
 * (booleans: both values), then every other non-null value, then nulls. Hashed inputs are not
 * monitored, and neither is a level expression too wide to count per day (see
 * {@link DayHistograms}).
 *
 * <p>The score: the holdout's scores, counted by a second pass over the scored holdout with
 * the same machinery (one job, which reads the window again and scores its holdout rows).
 */
public final class BaselineBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(BaselineBuilder.class);
  /** The training day of a features row. */
  public static final String DAY_SQL = "CAST(" + Sql.quote(PartitionedTable.DT) + " AS STRING)";
  /** The score's value in a scored frame (and in the scores table). */
  public static final String SCORE_SQL = Sql.quote(Columns.SCORE);

  private BaselineBuilder() {}

  /** One monitored input: what is counted and under which name. */
  private record Input(String name, String kind, String sql, NumericFeature numeric) {}

  /** Registers the baseline's counts with a pass over the window (training rows flagged). */
  public static void request(FeaturesConfig spec, StructType schema, StatisticsPass pass) {
    pass.byDay(DAY_SQL);
    for (Input in : inputs(spec, schema)) {
      if (in.numeric() != null) {
        pass.histogram(in.sql());
      } else {
        pass.countLevelsByDay(in.sql());
      }
    }
  }

  /** Registers the score's counts with a pass over the scored holdout (every row counted). */
  public static void requestScore(StatisticsPass pass) {
    pass.byDay(DAY_SQL);
    pass.histogram(SCORE_SQL);
  }

  /**
   * The baseline from a pass's results.
   *
   * @param keptLevels the model's levels per level feature name (as its StringIndexer has them)
   * @param scores the score pass's results; null when there were no holdout rows to score
   * @param source {@link Baseline#TRAIN} or {@link Baseline#REBUILT}
   */
  public static Baseline build(FeaturesConfig spec, StructType schema, StatisticsPass.Results training,
      Map<String, List<String>> keptLevels, StatisticsPass.Results scores, int bins, String source) {
    DayHistograms.Result byDay = training.byDay();
    List<String> days = byDay.days().stream().filter(d -> byDay.rows(d) > 0).toList();
    List<Baseline.Column> columns = new ArrayList<>();
    Map<String, Map<String, List<Long>>> dayCounts = new LinkedHashMap<>();
    Map<String, Map<String, Double>> daySums = new LinkedHashMap<>();
    days.forEach(d -> {
      dayCounts.put(d, new LinkedHashMap<>());
      daySums.put(d, new LinkedHashMap<>());
    });
    for (Input in : inputs(spec, schema)) {
      if (in.numeric() != null) {
        NumericSummary.Stats s = training.numeric(in.sql());
        double[] edges = edges(s, bins);
        columns.add(new Baseline.Column(in.name(), in.kind(), in.sql(), boxed(edges), null,
            boxed(byDay.histogram(in.sql()).bins(edges)), finite(s.mean()), populationStd(s)));
        for (String d : days) {
          DayHistograms.Histogram h = byDay.histogram(in.sql(), d);
          dayCounts.get(d).put(in.name(), boxed(h.bins(edges)));
          daySums.get(d).put(in.name(), h.sum());
        }
      } else {
        DayHistograms.Tally all = byDay.levels(in.sql());
        if (all == null) {
          // Too many distinct values to count per day: a hashed id, not a level. Left out of the baseline.
          LOG.warn("baseline: {} has too many distinct values to count per day; it is not monitored", in.name());
          continue;
        }
        List<String> levels = in.kind().equals("boolean") ? booleanLevels(all) : keptLevels.get(in.name());
        if (levels == null) {
          throw new IllegalArgumentException("no kept levels for level feature " + in.name() + ", only " + keptLevels.keySet());
        }
        columns.add(new Baseline.Column(in.name(), in.kind(), in.sql(), null, List.copyOf(levels),
            boxed(all.bins(levels)), null, null));
        for (String d : days) {
          dayCounts.get(d).put(in.name(), boxed(byDay.levels(in.sql(), d).bins(levels)));
        }
      }
    }
    Baseline.Column score = null;
    long scoreRows = 0;
    Map<String, List<Long>> scoreByDay = new LinkedHashMap<>();
    if (scores != null) {
      NumericSummary.Stats s = scores.numeric(SCORE_SQL);
      DayHistograms.Result scored = scores.byDay();
      for (String d : scored.days()) {
        scoreRows += scored.rows(d);
      }
      if (scoreRows > 0) {
        double[] edges = edges(s, bins);
        score = new Baseline.Column(Columns.SCORE, "numeric", SCORE_SQL, boxed(edges), null,
            boxed(scored.histogram(SCORE_SQL).bins(edges)), finite(s.mean()), populationStd(s));
        for (String d : scored.days()) {
          if (scored.rows(d) > 0) {
            scoreByDay.put(d, boxed(scored.histogram(SCORE_SQL, d).bins(edges)));
          }
        }
      }
    }
    List<Baseline.Chunk> chunks = new ArrayList<>();
    long rows = 0;
    for (String d : days) {
      List<Long> sc = scoreByDay.get(d);
      long dayScoreRows = sc == null ? 0 : sc.stream().mapToLong(Long::longValue).sum();
      chunks.add(new Baseline.Chunk(d, byDay.rows(d), dayCounts.get(d), daySums.get(d), dayScoreRows, sc));
      rows += byDay.rows(d);
    }
    return new Baseline(null, source, bins, rows, columns, score, scoreRows, chunks);
  }

  /**
   * Edges for {@code bins} bins of a column with summary {@code s}: the lower bound of the
   * minimum's bucket, each inner quantile's bucket lower bound, the upper bound of the maximum's
   * bucket; non-finite bounds and repeats dropped. Every edge is a bucket lower bound, so the
   * bucket counts give exact bin counts.
   */
  public static double[] edges(NumericSummary.Stats s, int bins) {
    if (s.count() == 0) {
      return new double[0];
    }
    List<Double> candidates = new ArrayList<>();
    candidates.add(BucketKeys.lowerBound(BucketKeys.key(s.min())));
    for (int i = 1; i < bins; i++) {
      candidates.add(BucketKeys.lowerBound(BucketKeys.key(s.quantile((double) i / bins))));
    }
    candidates.add(BucketKeys.lowerBound(BucketKeys.key(s.max()) + 1));
    double[] out = new double[candidates.size()];
    int n = 0;
    for (double e : candidates) {
      if (Double.isFinite(e) && (n == 0 || e > out[n - 1])) {
        out[n++] = e + 0.0;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Numerics (raw inputs), booleans, then the model's level features; hashed inputs are not monitored. */
  private static List<Input> inputs(FeaturesConfig spec, StructType schema) {
    List<Input> out = new ArrayList<>();
    for (NumericFeature n : spec.numericOrEmpty()) {
      out.add(new Input(n.column(), "numeric", FeatureProfile.raw(n), n));
    }
    for (String b : spec.booleanOrEmpty()) {
      out.add(new Input(b, "boolean", "CAST(" + Sql.quote(b) + " AS STRING)", null));
    }
    for (FeaturePipeline.LevelExpression l : FeaturePipeline.levelExpressions(spec, schema)) {
      out.add(new Input(l.name(), l.kind(), l.sql(), null));
    }
    Set<String> names = new HashSet<>();
    for (Input in : out) {
      if (!names.add(in.name())) {
        throw new IllegalArgumentException("two monitored inputs are named " + in.name());
      }
    }
    return out;
  }

  private static List<String> booleanLevels(DayHistograms.Tally t) {
    return List.of("true", "false").stream()
        .sorted(Comparator.comparingLong((String v) -> -t.counts().getOrDefault(v, 0L)).thenComparing(v -> v))
        .toList();
  }

  private static Double populationStd(NumericSummary.Stats s) {
    if (s.count() == 0) {
      return null;
    }
    double var = s.variance() == null ? 0.0 : s.variance() * (s.count() - 1) / s.count();
    return finite(Math.sqrt(var));
  }

  private static Double finite(Double v) {
    return v == null || !Double.isFinite(v) ? null : v;
  }

  private static List<Long> boxed(long[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  private static List<Double> boxed(double[] values) {
    return Arrays.stream(values).boxed().toList();
  }
}
