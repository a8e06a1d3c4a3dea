package dev.glmpipe.score;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.train.ModelTrainer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Scores feature rows with a fitted MLlib pipeline and shapes the scores-table row: key and
 * pass-through columns, {@code score} (the probability of class 1, or the predicted value),
 * {@code prediction}, and which model made it.
 */
public final class PipelineScorer {
  public static final String SCORE = "score";

  private final PipelineModel model;
  private final boolean logistic;
  private final String modelName;
  private final String modelVersion;

  public PipelineScorer(PipelineModel model, boolean logistic, String modelName, String modelVersion) {
    this.model = model;
    this.logistic = logistic;
    this.modelName = modelName;
    this.modelVersion = modelVersion;
  }

  public Dataset<Row> score(Dataset<Row> rows, List<String> keyColumns, List<String> passThrough) {
    Dataset<Row> scored = model.transform(rows);
    List<Column> out = new ArrayList<>();
    for (String c : new LinkedHashSet<>(concat(keyColumns, passThrough))) {
      out.add(Sql.column(c));
    }
    if (logistic) {
      out.add(functions.vector_to_array(col(ModelTrainer.PROBABILITY), "float64").getItem(1).as(SCORE));
      out.add(col(ModelTrainer.PREDICTION).cast(DataTypes.IntegerType).as(ModelTrainer.PREDICTION));
    } else {
      out.add(col(ModelTrainer.PREDICTION).as(SCORE));
      out.add(col(ModelTrainer.PREDICTION).as(ModelTrainer.PREDICTION));
    }
    out.add(lit(modelName).as("model_name"));
    out.add(lit(modelVersion).as("model_version"));
    out.add(current_timestamp().as("scored_at"));
    return scored.select(out.toArray(Column[]::new));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
