package dev.glmpipe.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import dev.glmpipe.features.FittedPlan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores feature rows with a fitted pipeline and shapes the scores-table row: key and
 * pass-through columns, {@code score}, {@code prediction}, {@code probabilities} (multinomial
 * models only), and which model made it.
 *
 * <p>{@code score} is the probability of class 1 for a two-class logistic model, the
 * probability of the predicted class for a multinomial one (whose {@code probabilities} holds
 * every class's, by class index), and the predicted value for a linear model. {@code prediction}
 * is the class index (int) or the predicted value (double).
 *
 * <p>Two engines give the same numbers: {@link Engine#COMPILED} ({@link PipelineCompiler},
 * native expressions) and {@link Engine#MLLIB} ({@code PipelineModel.transform}, the reference).
 * A compiled scorer whose pipeline holds a stage the compiler does not know scores with MLlib
 * and logs which stage made it.
 */
public final class PipelineScorer {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineScorer.class);

  public enum Engine { COMPILED, MLLIB }

  private final PipelineModel model;
  /** The model's last stage, which decides the output columns. */
  private final FittedPlan.Stage last;
  /** The plan the compiled engine scores with, read once and shared with this scorer's copies. */
  private final PlanOnce plan;
  private final PipelineCompiler.Kind kind;
  private final String modelName;
  private final String modelVersion;
  private final Engine engine;
  private final String fallbackReason;
  /** The input {@link #forInput} compiled for, and the plan it got, so that input is not compiled twice. */
  private final Dataset<Row> compiledInput;
  private final Dataset<Row> compiled;
  /**
   * The {@code scored_at} of every row this scorer writes: when it was made, once per run. Spark
   * writes a timestamp literal into the generated code, so one value for all of a run's dates
   * lets each date after the first reuse the first one's compiled class, already JIT-compiled,
   * where {@code current_timestamp()} would give each date's query new code.
   */
  private final java.sql.Timestamp scoredAt;

  public PipelineScorer(PipelineModel model, String modelName, String modelVersion, Engine engine) {
    this(model, new PlanOnce(model), modelName, modelVersion, engine, null, null, null, runTimestamp());
  }

  /** The MLlib reference scorer (what training computed, bit for bit). */
  public PipelineScorer(PipelineModel model, boolean logistic, String modelName, String modelVersion) {
    this(model, modelName, modelVersion, Engine.MLLIB);
  }

  private PipelineScorer(PipelineModel model, PlanOnce plan, String modelName, String modelVersion, Engine engine,
      String fallbackReason, Dataset<Row> compiledInput, Dataset<Row> compiled, java.sql.Timestamp scoredAt) {
    this.model = model;
    this.plan = plan;
    this.last = FittedPlan.stage(model.stages()[model.stages().length - 1]);
    this.kind = PipelineCompiler.kind(last);
    this.modelName = modelName;
    this.modelVersion = modelVersion;
    this.engine = engine;
    this.fallbackReason = fallbackReason;
    this.compiledInput = compiledInput;
    this.compiled = compiled;
    this.scoredAt = scoredAt;
  }

  /**
   * The model's {@link FittedPlan}, read when first compiled (not by an MLlib scorer, which
   * does not need it), then kept: a run compiles for each date and each parity sample.
   */
  private static final class PlanOnce {
    private final PipelineModel model;
    private FittedPlan plan;

    PlanOnce(PipelineModel model) {
      this.model = model;
    }

    synchronized FittedPlan get() {
      if (plan == null) {
        plan = FittedPlan.of(model);
      }
      return plan;
    }
  }

  /** Now, to the microsecond a Spark timestamp holds. */
  private static java.sql.Timestamp runTimestamp() {
    return java.sql.Timestamp.from(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
  }

  /**
   * This scorer for input of {@code input}'s schema: a compiled scorer whose pipeline cannot be
   * compiled comes back as an MLlib one, and says why in the log and {@link #fallbackReason()}.
   */
  public PipelineScorer forInput(Dataset<Row> input) {
    if (engine != Engine.COMPILED) {
      return this;
    }
    try {
      return new PipelineScorer(model, plan, modelName, modelVersion, engine, null, input, PipelineCompiler.score(plan.get(), input),
          scoredAt);
    } catch (UnsupportedStageException e) {
      LOG.warn("compiled scorer: falling back to MLlib PipelineModel.transform because of stage {}", e.getMessage());
      return new PipelineScorer(model, plan, modelName, modelVersion, Engine.MLLIB, e.getMessage(), null, null, scoredAt);
    }
  }

  public Engine engine() {
    return engine;
  }

  public String modelVersion() {
    return modelVersion;
  }

  public PipelineCompiler.Kind kind() {
    return kind;
  }

  public Optional<String> fallbackReason() {
    return Optional.ofNullable(fallbackReason);
  }

  /** {@code rows} plus score, prediction (and probabilities) from {@code engine}. */
  public Dataset<Row> predictions(Dataset<Row> rows, Engine with) {
    if (with == Engine.COMPILED) {
      return rows == compiledInput ? compiled : PipelineCompiler.score(plan.get(), rows);
    }
    Dataset<Row> scored = model.transform(rows);
    if (last instanceof FittedPlan.Linear lin) {
      Column value = col(lin.predictionCol());
      return scored.withColumn(Columns.SCORE, value).withColumn(Columns.PREDICTION, value);
    }
    FittedPlan.Logistic lr = (FittedPlan.Logistic) last;
    Column probability = functions.vector_to_array(col(lr.probabilityCol()), "float64");
    Column prediction = col(lr.predictionCol()).cast(DataTypes.IntegerType);
    if (kind == PipelineCompiler.Kind.BINARY) {
      return scored.withColumn(Columns.SCORE, probability.getItem(1)).withColumn(Columns.PREDICTION, prediction);
    }
    return scored.withColumn(Columns.PROBABILITIES, probability)
        .withColumn(Columns.PREDICTION, prediction)
        .withColumn(Columns.SCORE, col(Columns.PROBABILITIES).apply(col(Columns.PREDICTION)));
  }

  /** The scores-table rows for {@code rows}, from this scorer's engine. */
  public Dataset<Row> score(Dataset<Row> rows, List<String> keyColumns, List<String> passThrough) {
    Dataset<Row> scored = predictions(rows, engine);
    List<Column> out = new ArrayList<>();
    for (String c : new LinkedHashSet<>(concat(keyColumns, passThrough))) {
      out.add(Sql.column(c));
    }
    out.add(col(Columns.SCORE).cast(DataTypes.DoubleType).as(Columns.SCORE));
    out.add(col(Columns.PREDICTION).cast(kind == PipelineCompiler.Kind.LINEAR ? DataTypes.DoubleType : DataTypes.IntegerType).as(Columns.PREDICTION));
    if (kind == PipelineCompiler.Kind.MULTINOMIAL) {
      out.add(col(Columns.PROBABILITIES).as(Columns.PROBABILITIES));
    }
    out.add(lit(modelName).as(Columns.MODEL_NAME));
    out.add(lit(modelVersion).as(Columns.MODEL_VERSION));
    out.add(lit(scoredAt).as(Columns.SCORED_AT));
    return scored.select(out.toArray(Column[]::new));
  }

  /**
   * The output columns whose values almost never repeat, for which Parquet's dictionary
   * encoding is wasted work: the score (and a linear model's prediction, which is the score),
   * and the key column when a single one identifies the row. Each column of a composite key
   * may repeat, so those keep their dictionaries.
   */
  public List<String> neverRepeatingColumns(List<String> keyColumns) {
    List<String> out = new ArrayList<>();
    if (keyColumns.size() == 1) {
      out.add(keyColumns.get(0));
    }
    out.add(Columns.SCORE);
    if (kind == PipelineCompiler.Kind.LINEAR) {
      out.add(Columns.PREDICTION);
    }
    return out;
  }

  /**
   * Whole-stage codegen (and Parquet's vectorized reader) turn off for plans wider than
   * {@code spark.sql.codegen.maxFields}; the compiled scorer keeps its own expressions small, so
   * a wide input may raise the limit to what this plan needs. Returns the width it set, if any.
   */
  public static Optional<Integer> allowCodegenFor(SparkSession spark, Dataset<Row> plan) {
    // The scan's columns as analyzed: every input column, where the optimized plan would count
    // only those the model reads. The larger count can only raise the limit a little further
    // than needed; optimizing the plan here cost more than a tenth of a second, which the
    // write then spends again on its own copy of the plan.
    int inputWidth = plan.queryExecution().analyzed().collectLeaves().apply(0).output().size();
    int width = inputWidth + plan.columns().length;
    int limit = Integer.parseInt(spark.conf().get("spark.sql.codegen.maxFields", "100"));
    if (width <= limit) {
      return Optional.empty();
    }
    LOG.info("compiled scorer: raising spark.sql.codegen.maxFields from {} to {} so the {}-column plan keeps whole-stage codegen",
        limit, width, width);
    spark.conf().set("spark.sql.codegen.maxFields", String.valueOf(width));
    return Optional.of(width);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
