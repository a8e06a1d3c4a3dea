package dev.glmpipe.scorer;

import dev.glmpipe.scorer.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A model version's JSON export ({@code coefficients.json}), read once into a scorer that needs
 * no Spark: it prepares a record's inputs exactly as the batch pipeline does (nulls, NaN,
 * unseen levels, clipping, log1p, imputation, scaling, buckets, date and time parts, crosses,
 * hashed columns) and computes the score and prediction the scores table would hold.
 *
 * <pre>
 * ExportedModel model = ExportedModel.load(Path.of("models/churn/exports/20261123-162116-b5b8"));
 * Prediction p = model.score(Map.of("tenure_months", 14, "plan", "premium", ...));
 * </pre>
 *
 * <p>A record is a map from input column name to value (see {@link InputType} for what each
 * type takes); every column the model reads ({@link #inputColumns()}) must be there, null for
 * no value; other keys are ignored. Thread-safe: a loaded model is immutable.
 */
public final class ExportedModel {
  private final String name;
  private final String version;
  private final Family family;
  private final double threshold;
  private final List<InputColumn> inputs;
  private final List<VectorBlock> blocks;
  private final int denseWidth;
  private final int hotBlocks;
  private final LinearForm[] margins;
  private final Map<String, Object> document;

  /** An input column the model reads, and its Spark SQL type. */
  public record InputColumn(String name, InputType type) {}

  ExportedModel(String name, String version, Family family, double threshold, List<InputColumn> inputs,
      List<VectorBlock> blocks, int denseWidth, int hotBlocks, LinearForm[] margins, Map<String, Object> document) {
    this.name = name;
    this.version = version;
    this.family = family;
    this.threshold = threshold;
    this.inputs = List.copyOf(inputs);
    this.blocks = List.copyOf(blocks);
    this.denseWidth = denseWidth;
    this.hotBlocks = hotBlocks;
    this.margins = margins;
    this.document = document;
  }

  /**
   * The export in {@code exportDir} ({@code models/<name>/exports/<version>/}), after every file
   * in it verified against its {@code manifest.json}.
   *
   * @throws ExportVerificationException if a file is changed, missing or unexpected
   * @throws ExportFormatException if {@code coefficients.json} is not a scorable export
   */
  public static ExportedModel load(Path exportDir) throws IOException {
    return of(VerifiedExport.read(exportDir));
  }

  /** The model of an export already verified. */
  public static ExportedModel of(VerifiedExport export) {
    ExportedModel model = fromJson(export.coefficientsJson());
    if (!model.version().equals(export.version())) {
      throw new ExportVerificationException(export.dir() + ": coefficients.json is version " + model.version()
          + ", the manifest names " + export.version());
    }
    return model;
  }

  /**
   * A model from the text of a {@code coefficients.json}, without verifying it: for a copy
   * whose integrity is already established (bundled in an application's own artifact).
   */
  public static ExportedModel fromJson(String coefficientsJson) {
    Object doc = Json.parse(coefficientsJson);
    return ModelReader.read(Doc.object(doc, "coefficients.json"));
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public Family family() {
    return family;
  }

  /** Every input column the model reads, in the order the export lists them. */
  public List<InputColumn> inputColumns() {
    return inputs;
  }

  /** The parsed {@code coefficients.json}, for metadata (feature order, coefficients). */
  public Map<String, Object> document() {
    return document;
  }

  /**
   * Scores one record.
   *
   * @throws InvalidInputException naming the column, if one is missing, of the wrong type, or a
   *     value the batch scorer fails on too
   */
  public Prediction score(Map<String, ?> record) {
    Object[] row = new Object[inputs.size()];
    for (int i = 0; i < row.length; i++) {
      InputColumn c = inputs.get(i);
      Object v = record.get(c.name());
      if (v == null && !record.containsKey(c.name())) {
        throw new InvalidInputException(c.name(), "missing (the model reads it; send null for no value)");
      }
      row[i] = v == null ? null : c.type().read(c.name(), v);
    }
    double[] dense = new double[denseWidth];
    int[] hot = new int[hotBlocks];
    for (VectorBlock b : blocks) {
      b.fill(row, dense, hot);
    }
    double[] m = new double[margins.length];
    for (int k = 0; k < m.length; k++) {
      m[k] = margins[k].margin(dense, hot);
    }
    return Family.predict(family, m, threshold);
  }

  /** Scores each record of {@code records}, lazily and in order. */
  public Stream<Prediction> scoreAll(Stream<? extends Map<String, ?>> records) {
    return records.map(this::score);
  }
}
