package dev.glmpipe.monitor;

import static org.apache.spark.sql.functions.col;

import dev.glmpipe.Columns;
import dev.glmpipe.ExitStatus;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.RunFigures;
import dev.glmpipe.Sql;
import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.baseline.BinnedCounts;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.MonitorConfig;
import dev.glmpipe.evaluate.EvaluationReport;
import dev.glmpipe.evaluate.Task;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.DatedTable;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.score.ScoresTables;
import dev.glmpipe.registry.Baselines;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.runs.PipelineContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor operation. For each scored date: the features partition (the rows that were
 * scored) and the scores partition against the baseline of the version that scored them (from
 * the scores' {@code model_version}; several versions in one date are monitored separately):
 * input drift, score drift, the score's distribution, estimated performance (binary models)
 * and the row count, each date's rows replaced whole in the monitoring table (swapped in, or
 * one Iceberg commit). With {@link #realized}, instead: realized performance of every scored
 * date whose label window is open on the given date(s). Either way the model's HTML report is
 * rewritten from the whole table.
 *
 * <pre>MonitorDates.of(context).dates(range).execute()</pre>
 */
public final class MonitorDates {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorDates.class);
  /** Score bins of the estimated performance: fine enough that within-bin ties barely matter. */
  static final int ESTIMATE_BINS = 1000;
  private static final String FINE_SCORE = "__score_fine";

  private final PipelineContext context;
  private DateRange range;
  private boolean newOnly;
  private boolean realized;

  private MonitorDates(PipelineContext context) {
    this.context = context;
  }

  public static MonitorDates of(PipelineContext context) {
    return new MonitorDates(context);
  }

  public MonitorDates dates(DateRange dates) {
    this.range = dates;
    return this;
  }

  /** Every scored date not monitored since it was (re)scored. */
  public MonitorDates newOnly() {
    this.newOnly = true;
    return this;
  }

  /** Realized performance, as of each given date, for the scored dates whose label window is open. */
  public MonitorDates realized() {
    this.realized = true;
    return this;
  }

  /** One metric at alert level. {@code threshold} is the alert threshold that was reached. */
  public record Alert(String version, String kind, String feature, String metric, double value, String band,
      double threshold) {
    static Alert of(MonitoringRow r) {
      return new Alert(r.modelVersion(), r.kind(), r.feature(), r.metric(), r.value(), r.band(), r.alertAt());
    }
  }

  /**
   * One monitored date: the versions that scored it, rows monitored, warnings and alerts; the
   * largest PSI of any input or the score (any version), and the newest version's estimated
   * AUC (null when not binary).
   */
  public record DateResult(String dt, List<String> versions, long rows, int warnings, List<Alert> alerts, String partition,
      Double maxPsi, Double estimatedAuc) {
    /** The date's figures from the rows the run computed for it. */
    static DateResult of(String dt, List<String> versions, long rows, List<MonitoringRow> computed, String partition) {
      List<Alert> alerts = computed.stream().filter(MonitoringRow::alerting).map(Alert::of).toList();
      int warnings = (int) computed.stream().filter(r -> "warn".equals(r.status())).count();
      Double maxPsi = computed.stream()
          .filter(r -> r.kind().equals(MonitoringRow.INPUT_DRIFT) || r.kind().equals(MonitoringRow.SCORE_DRIFT))
          .filter(r -> r.metric().equals(DriftBands.Metric.PSI) && r.value() != null)
          .map(MonitoringRow::value).max(Double::compare).orElse(null);
      // Version ids sort by creation time: the last one is the newest.
      String newest = versions.isEmpty() ? null : versions.get(versions.size() - 1);
      Double auc = computed.stream()
          .filter(r -> r.kind().equals(MonitoringRow.ESTIMATED_PERFORMANCE) && r.metric().equals("auc_roc"))
          .filter(r -> r.modelVersion().equals(newest)).map(MonitoringRow::value).findFirst().orElse(null);
      return new DateResult(dt, versions, rows, warnings, alerts, partition, maxPsi, auc);
    }
  }

  /** Realized performance of one scored date and version so far. */
  public record RealizedDate(String dt, String version, long scoredRows, long labelledRows, double labelCoverage,
      Double aucRoc, Double rmse, boolean isFinal, int alerts) {}

  public record Result(String job, String model, String mode, List<DateResult> dates, List<RealizedDate> realized,
      int alertCount, String onAlert, String table, String report) implements ExitStatus, RunFigures.Source {
    /**
     * Drift: rows monitored, alerts, the largest PSI of the run's dates and the newest date's
     * estimated AUC. Realized: scored rows measured, alerts, and the newest measured date's AUC.
     */
    @Override
    public RunFigures runFigures() {
      Map<String, Double> gauges = new LinkedHashMap<>();
      if (mode.equals("realized")) {
        gauges.put("monitor_realized_alerts", (double) alertCount);
        // The newest date with an AUC; on a tie the later entry (a later as-of day, a newer version).
        RealizedDate newest = null;
        for (RealizedDate r : realized) {
          if (r.aucRoc() != null && (newest == null || r.dt().compareTo(newest.dt()) >= 0)) {
            newest = r;
          }
        }
        if (newest != null) {
          gauges.put("monitor_realized_auc", newest.aucRoc());
        }
        return new RunFigures(realized.stream().mapToLong(RealizedDate::scoredRows).sum(), null, null,
            realized.stream().map(RealizedDate::version).max(String::compareTo).orElse(null),
            realized.stream().map(RealizedDate::dt).distinct().toList(), gauges);
      }
      gauges.put("monitor_drift_alerts", (double) alertCount);
      dates.stream().map(DateResult::maxPsi).filter(java.util.Objects::nonNull).max(Double::compare)
          .ifPresent(psi -> gauges.put("monitor_max_psi", psi));
      DateResult newest = dates.stream().max(java.util.Comparator.comparing(DateResult::dt)).orElse(null);
      if (newest != null && newest.estimatedAuc() != null) {
        gauges.put("monitor_estimated_auc", newest.estimatedAuc());
      }
      return new RunFigures(dates.stream().mapToLong(DateResult::rows).sum(), null, null,
          dates.stream().flatMap(d -> d.versions().stream()).max(String::compareTo).orElse(null),
          dates.stream().map(DateResult::dt).toList(), gauges);
    }

    @Override
    public int exitCode() {
      return alertCount > 0 && onAlert.equals("fail") ? GlmpipeException.EXIT_MONITOR_ALERT : 0;
    }

    @Override
    public String failure() {
      List<String> where = new ArrayList<>();
      for (DateResult d : dates) {
        for (Alert a : d.alerts()) {
          where.add(d.dt() + " " + a.kind() + " " + (a.feature() == null ? "" : a.feature() + " ") + a.metric()
              + "=" + String.format(Locale.ROOT, "%.4g", a.value()));
        }
      }
      for (RealizedDate r : realized) {
        if (r.alerts() > 0) {
          where.add(r.dt() + " realized auc_roc=" + r.aucRoc());
        }
      }
      return alertCount + " monitoring alert" + (alertCount == 1 ? "" : "s") + " (monitor.on_alert=fail): "
          + String.join("; ", where.subList(0, Math.min(5, where.size()))) + (where.size() > 5 ? "; …" : "");
    }
  }

  public Result execute() {
    GlmpipeConfig c = context.config();
    String model = c.model().name();
    MonitorConfig mc = c.monitorOrDefault();
    // Parquet (each date where the ledger says) or Iceberg, as score.table_format says.
    DatedTable scores = ScoresTables.reader(context, model, null);
    // Parquet or Iceberg, as monitor.table_format (by default score.table_format) says.
    MonitoringTable table = MonitoringTable.of(context);
    DriftBands bands = new DriftBands(mc);
    String computedAt = ZonedDateTime.now(ZoneOffset.UTC).toString();
    List<DateResult> done = new ArrayList<>();
    List<RealizedDate> measured = new ArrayList<>();
    Map<String, VersionInfo> versions = new LinkedHashMap<>();
    if (realized) {
      RealizedPerformance performance = new RealizedPerformance(context.spark(), mc.labels(), c.dataset().keyColumns(),
          c.dataset().label(), context.layout().labels());
      for (LocalDate asOf : range.dates()) {
        for (LocalDate dt : performance.openDates(asOf)) {
          if (scores.isCommitted(dt)) {
            measured.addAll(realizedFor(dt, asOf, scores, table, performance, bands, versions, computedAt));
          }
        }
      }
    } else {
      List<LocalDate> dates = newOnly ? unmonitored(scores, table) : range.dates();
      // Every date checked first: a run that would fail on day 5 fails before writing day 1.
      scores.requireCommitted(dates);
      context.features().requireCommitted(dates);
      for (LocalDate dt : dates) {
        done.add(driftFor(dt, scores, table, bands, versions, computedAt));
      }
    }
    context.phase("report");
    Path report = writeReport(table, versions);
    int alerts = done.stream().mapToInt(d -> d.alerts().size()).sum() + measured.stream().mapToInt(RealizedDate::alerts).sum();
    return new Result("monitor", model, realized ? "realized" : "drift", done, measured, alerts,
        mc.onAlert().name().toLowerCase(Locale.ROOT), table.name(), report == null ? null : report.toString());
  }

  /** Scored dates whose monitoring partition is missing or older than the scores. */
  private static List<LocalDate> unmonitored(DatedTable scores, MonitoringTable table) {
    Map<LocalDate, Long> monitoredAt = table.writtenAt();
    return scores.committedAt().entrySet().stream()
        .filter(e -> monitoredAt.getOrDefault(e.getKey(), -1L) < e.getValue()).map(Map.Entry::getKey).toList();
  }

  /** What monitoring needs of a version, read once per run. */
  private record VersionInfo(ModelVersion version, Baseline baseline, RealizedPerformance.VersionFacts facts) {}

  private VersionInfo info(String id, Map<String, VersionInfo> cache, Dataset<Row> scores) {
    return cache.computeIfAbsent(id, v -> {
      ModelVersion version = context.registry().version(v).requireVerified();
      Baseline baseline = Baselines.forVersion(context.spark(), context.config(), version);
      EvaluationReport evaluation = evaluation(version);
      Task task = task(version, scores);
      double threshold = evaluation != null && evaluation.binary() != null ? evaluation.binary().threshold()
          : ownThreshold(version);
      Double holdoutAuc = evaluation == null || evaluation.metrics() == null ? null : evaluation.metrics().get("auc_roc");
      return new VersionInfo(version, baseline, new RealizedPerformance.VersionFacts(task, threshold, holdoutAuc));
    });
  }

  /** Times a date's drift is computed again when a score run replaced its scores during the read. */
  static final int READ_ATTEMPTS = 3;

  /**
   * The drift rows of one date, from one whole scores partition: a score run of the date may
   * swap its partition in while this reads it (the read then fails, or its passes see different
   * files), so the partition's files are compared before and after, and the date computed again
   * when they changed; after {@link #READ_ATTEMPTS} such tries the run stops with one line,
   * nothing written for the date.
   */
  private DateResult driftFor(LocalDate dt, DatedTable scoresTable, MonitoringTable table, DriftBands bands,
      Map<String, VersionInfo> cache, String computedAt) {
    for (int attempt = 1; ; attempt++) {
      String before = scoresTable.snapshot(dt);
      Drift drift;
      Exception failure = null;
      try {
        drift = drift(dt, scoresTable, bands, cache, computedAt);
      } catch (Exception e) {  // Spark throws its SparkException (a checked one) undeclared
        drift = null;
        failure = e;
      }
      if (scoresTable.snapshot(dt).equals(before)) {
        if (failure != null) {
          throw MonitorDates.<RuntimeException>rethrown(failure);  // not a rewrite: the failure is the read's own
        }
        return write(dt, table, drift);
      }
      LOG.warn("monitor dt={}: the scores were replaced while they were read (a score run of the date?); attempt {} of {}",
          dt, attempt, READ_ATTEMPTS);
      if (attempt == READ_ATTEMPTS) {
        throw new GlmpipeException(GlmpipeException.EXIT_FAILURE, "the scores of dt=" + dt + " were replaced while monitor"
            + " read them, " + READ_ATTEMPTS + " times (score runs of that date are going on?); nothing was written for dt="
            + dt + "; rerun monitor once they have finished");
      }
    }
  }

  /** {@code e} thrown as it is, checked or not (as Spark throws it). */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> RuntimeException rethrown(Exception e) throws E {
    throw (E) e;
  }

  /** One date's computed drift rows, the versions that scored it, and the rows monitored. */
  private record Drift(List<String> ids, List<MonitoringRow> rows, long monitored) {}

  private DateResult write(LocalDate dt, MonitoringTable table, Drift drift) {
    List<MonitoringRow> rows = new ArrayList<>(drift.rows());
    // Realized performance of this date (written by --realized runs) stays.
    for (MonitoringRow kept : table.rows(dt)) {
      if (kept.kind().equals(MonitoringRow.REALIZED_PERFORMANCE)) {
        rows.add(kept);
      }
    }
    String partition = table.replace(dt, rows, context.runId());
    DateResult result = DateResult.of(dt.toString(), drift.ids(), drift.monitored(),
        rows.stream().filter(r -> !r.kind().equals(MonitoringRow.REALIZED_PERFORMANCE)).toList(), partition);
    LOG.info("monitor dt={}: {} rows by {}, {} warnings, {} alerts", dt, drift.monitored(), drift.ids(), result.warnings(),
        result.alerts().size());
    return result;
  }

  private Drift drift(LocalDate dt, DatedTable scoresTable, DriftBands bands, Map<String, VersionInfo> cache,
      String computedAt) {
    String model = context.config().model().name();
    context.describe("monitor-" + dt, "versions", "monitor dt=" + dt + ": versions that scored it");
    Dataset<Row> scores = scoresTable.read(List.of(dt)).drop(PartitionedTable.DT);
    List<String> ids = KeyJoin.versions(scores);
    Dataset<Row> features = context.features().read(List.of(dt));
    List<MonitoringRow> rows = new ArrayList<>();
    long monitored = 0;
    for (String id : ids) {
      VersionInfo v = info(id, cache, scores);
      Dataset<Row> ownScores = ids.size() == 1 ? scores : scores.where(col(Columns.MODEL_VERSION).equalTo(id));
      Dataset<Row> ownFeatures = ids.size() == 1 ? features : scoredBy(features, ownScores);
      context.describe("monitor-" + dt, "features", "monitor dt=" + dt + " version " + id + ": one pass over the features");
      BinnedCounts.Result inputs = countInputs(ownFeatures, v.baseline());
      context.describe("monitor-" + dt, "scores", "monitor dt=" + dt + " version " + id + ": one pass over the scores");
      List<BinnedCounts.Bins> scoreBins = new ArrayList<>();
      if (v.baseline().score() != null) {
        scoreBins.add(BinnedCounts.numeric(Columns.SCORE, toArray(v.baseline().score().edges())));
      }
      boolean binary = v.facts().task() == Task.BINARY;
      if (binary) {
        scoreBins.add(BinnedCounts.numericWithSums(FINE_SCORE, EstimatedPerformance.edges(ESTIMATE_BINS, v.facts().threshold())));
      }
      BinnedCounts.Result scored = scoreBins.isEmpty() ? null
          : BinnedCounts.count(ownScores.select(col(Columns.SCORE), col(Columns.SCORE).as(FINE_SCORE)), scoreBins);
      Map<String, DateDrift.Observed> observed = new LinkedHashMap<>();
      for (Baseline.Column column : v.baseline().features()) {
        BinnedCounts.ColumnCounts counts = inputs.column(column.name());
        observed.put(column.name(), new DateDrift.Observed(counts.counts(), counts.sum()));
      }
      DateDrift.Observed score = v.baseline().score() == null ? null
          : new DateDrift.Observed(scored.column(Columns.SCORE).counts(), scored.column(Columns.SCORE).sum());
      DateDrift.Stamp stamp = new DateDrift.Stamp(dt.toString(), model, id, computedAt, context.runId());
      rows.addAll(new DateDrift(v.baseline(), bands).rows(stamp, inputs.rows(), observed, score));
      if (binary) {
        rows.addAll(estimated(stamp, scored.column(FINE_SCORE), v.facts(), bands));
      }
      monitored += inputs.rows();
    }
    return new Drift(ids, rows, monitored);
  }

  /** The features rows whose keys the version scored (only when a date has several versions). */
  private Dataset<Row> scoredBy(Dataset<Row> features, Dataset<Row> scores) {
    List<String> keys = context.config().dataset().keyColumns();
    return KeyJoin.on(features, scores.select(keys.stream().map(Sql::column).toArray(Column[]::new)), keys, "left_semi");
  }

  /**
   * The one pass over a date's features rows: every baseline input's value (its own expression)
   * counted into its bins, with the numeric inputs' sums. (Public for the benchmark, which
   * times exactly this.)
   */
  public static BinnedCounts.Result countInputs(Dataset<Row> features, Baseline baseline) {
    return BinnedCounts.count(project(features, baseline), baseline.features().stream().map(Baseline.Column::bins).toList());
  }

  /** Each baseline column's value under its name, as the baseline's own expression computes it. */
  private static Dataset<Row> project(Dataset<Row> features, Baseline baseline) {
    Column[] columns = baseline.features().stream()
        .map(f -> functions.expr(f.sql()).as(f.name())).toArray(Column[]::new);
    return features.select(columns);
  }

  private List<MonitoringRow> estimated(DateDrift.Stamp stamp, BinnedCounts.ColumnCounts fine,
      RealizedPerformance.VersionFacts facts, DriftBands bands) {
    List<MonitoringRow> out = new ArrayList<>();
    long rows = 0;
    for (long n : fine.counts()) {
      rows += n;
    }
    long nulls = fine.count(BinnedCounts.NULL);
    if (rows - nulls == 0) {
      return out;
    }
    // The null bin is last; the estimate takes the score bins only.
    long[] counts = java.util.Arrays.copyOf(fine.counts(), fine.counts().length - 1);
    double[] sums = java.util.Arrays.copyOf(fine.binSums(), counts.length);
    double[] squares = java.util.Arrays.copyOf(fine.binSquares(), counts.length);
    EstimatedPerformance.Estimate e = EstimatedPerformance.estimate(
        EstimatedPerformance.edges(ESTIMATE_BINS, facts.threshold()), counts, sums, squares, facts.threshold());
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("auc_roc", e.aucRoc());
    metrics.put("accuracy", e.accuracy());
    metrics.put("precision", e.precision());
    metrics.put("recall", e.recall());
    metrics.put("f1", e.f1());
    metrics.put("positive_rate", e.positiveRate());
    metrics.forEach((m, v) -> out.add(stamp.row(MonitoringRow.ESTIMATED_PERFORMANCE, null, m, v, null, e.rows())));
    if (facts.holdoutAuc() != null) {
      double drop = facts.holdoutAuc() - e.aucRoc();
      out.add(stamp.row(MonitoringRow.ESTIMATED_PERFORMANCE, null, DriftBands.Metric.AUC_ROC_DROP, drop,
          bands.decide("", DriftBands.Metric.AUC_ROC_DROP, Math.max(0.0, drop), new double[0]), e.rows()));
    }
    return out;
  }

  private List<RealizedDate> realizedFor(LocalDate dt, LocalDate asOf, DatedTable scoresTable, MonitoringTable table,
      RealizedPerformance performance, DriftBands bands, Map<String, VersionInfo> cache, String computedAt) {
    String model = context.config().model().name();
    context.describe("realized-" + dt, "realized", "realized performance of dt=" + dt + " as of " + asOf);
    Dataset<Row> scores = scoresTable.read(List.of(dt)).drop(PartitionedTable.DT);
    List<String> ids = KeyJoin.versions(scores);
    Map<String, RealizedPerformance.VersionFacts> facts = new LinkedHashMap<>();
    for (String id : ids) {
      facts.put(id, info(id, cache, scores).facts());
    }
    List<RealizedPerformance.Outcome> outcomes = performance.measure(scores, dt, asOf, facts, bands, model, computedAt,
        context.runId());
    List<MonitoringRow> rows = new ArrayList<>();
    for (MonitoringRow kept : table.rows(dt)) {
      if (!kept.kind().equals(MonitoringRow.REALIZED_PERFORMANCE)) {
        rows.add(kept);
      }
    }
    List<RealizedDate> out = new ArrayList<>();
    for (RealizedPerformance.Outcome o : outcomes) {
      rows.addAll(o.rows());
      int alerts = (int) o.rows().stream().filter(MonitoringRow::alerting).count();
      out.add(new RealizedDate(dt.toString(), o.version(), o.scoredRows(), o.labelledRows(),
          o.scoredRows() == 0 ? 0.0 : (double) o.labelledRows() / o.scoredRows(), o.metrics().get("auc_roc"),
          o.metrics().get("rmse"), o.isFinal(), alerts));
    }
    table.replace(dt, rows, context.runId());
    return out;
  }

  /** The report from the whole table, against the newest monitored version's baseline. */
  private Path writeReport(MonitoringTable table, Map<String, VersionInfo> cache) {
    List<MonitoringRow> all = table.all();
    if (all.isEmpty()) {
      return null;
    }
    String newest = all.get(all.size() - 1).modelVersion();
    VersionInfo v = cache.get(newest);
    Baseline baseline = v == null ? null : v.baseline();
    Double holdoutAuc = v == null ? null : v.facts().holdoutAuc();
    String html = MonitoringReport.render(context.config().model().name(), all, baseline, holdoutAuc);
    Path path = context.layout().monitoringReport(context.config().model().name());
    JsonFiles.replaceAtomically(context.hadoop(), path, html.getBytes(StandardCharsets.UTF_8));
    return path;
  }

  private EvaluationReport evaluation(ModelVersion version) {
    Path path = version.evaluationPath();
    try {
      if (!path.getFileSystem(context.hadoop()).exists(path)) {
        return null;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot check " + path, e);
    }
    return JsonFiles.read(context.hadoop(), path, EvaluationReport.class);
  }

  /** Without an evaluation: the model's own threshold, else 0.5. */
  private static double ownThreshold(ModelVersion version) {
    Object own = version.manifest().params() == null ? null : version.manifest().params().get("threshold");
    return own instanceof Number n ? n.doubleValue() : 0.5;
  }

  /** Linear models regress; logistic ones are binary unless the scores carry every class's probability. */
  private static Task task(ModelVersion version, Dataset<Row> scores) {
    if ("linear".equals(version.manifest().modelType())) {
      return Task.REGRESSION;
    }
    return List.of(scores.columns()).contains(Columns.PROBABILITIES) ? Task.MULTICLASS : Task.BINARY;
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
