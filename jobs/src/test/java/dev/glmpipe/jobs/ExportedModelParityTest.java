package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.Columns;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.export.CoefficientsDocument;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.score.CompiledScorerParityTest;
import dev.glmpipe.score.PipelineScorer;
import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.Murmur3;
import dev.glmpipe.scorer.Prediction;
import dev.glmpipe.testing.SharedSpark;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * The scorer outside Spark ({@link ExportedModel}, fed the JSON export of each pipeline) against
 * the batch scorer's two engines over the random fitted pipelines the compiled scorer is tested
 * on ({@link CompiledScorerParityTest}), with hashed columns added (string and boolean), scored
 * on rows with what training never saw: unseen and null levels, values beyond the bucket
 * bounds, NaN and infinities, -0.0 next to 0.0 splits, null timestamps. Every score within
 * 1e-12 of MLlib's and of the compiled scorer's (where it compiles), every prediction and
 * probability the same.
 */
class ExportedModelParityTest {
  private static final int PIPELINES = 12;
  private static final double TOLERANCE = 1e-12;

  private final SparkSession spark = SharedSpark.get();

  @Test
  void theLibraryScoresRandomPipelinesAsTheBatchScorerDoes() throws Exception {
    int compiledPipelines = 0;
    int hashedPipelines = 0;
    long rows = 0;
    long bitExactVsCompiled = 0;
    long comparedWithCompiled = 0;
    double maxVsMllib = 0;
    double maxVsCompiled = 0;
    for (int seed = 1; seed <= PIPELINES; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed * 7919L);
      FeaturesConfig spec = withHashed(CompiledScorerParityTest.randomSpec(rnd), seed);
      int family = seed % 3;
      Dataset<Row> train = CompiledScorerParityTest.generate(spark, rnd, spec, 800, false, family);
      PipelineModel model = CompiledScorerParityTest.fit(spec, train, family, rnd);
      Dataset<Row> test = CompiledScorerParityTest.generate(spark, rnd, spec, 800, true, family);
      ExportedModel library = ExportedModel.fromJson(exportJson(model, spec, test));

      PipelineScorer mllib = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.MLLIB);
      List<Row> reference = mllib.score(test, List.of("id"), inputColumns(spec)).orderBy("id").collectAsList();
      PipelineScorer compiled = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED).forInput(test);
      List<Row> compiledRows = compiled.engine() == PipelineScorer.Engine.COMPILED
          ? compiled.score(test, List.of("id"), List.of()).orderBy("id").collectAsList() : null;
      compiledPipelines += compiledRows == null ? 0 : 1;
      hashedPipelines += spec.hashedOrEmpty().isEmpty() ? 0 : 1;
      assertThat(compiledRows == null).as("seed %d: only hashed pipelines fall back to MLlib", seed)
          .isEqualTo(!spec.hashedOrEmpty().isEmpty());

      for (int i = 0; i < reference.size(); i++) {
        Row r = reference.get(i);
        Prediction p = library.score(record(r, spec));
        String what = "seed " + seed + ", row " + r.getAs("id") + ", spec " + spec;
        double expected = r.getDouble(r.fieldIndex(Columns.SCORE));
        assertSame(what + " (vs MLlib)", p.score(), expected);
        maxVsMllib = Math.max(maxVsMllib, difference(p.score(), expected));
        Number predicted = r.getAs(Columns.PREDICTION);
        if (p.prediction() instanceof Integer classIndex) {
          assertThat(classIndex).as(what).isEqualTo(predicted.intValue());
        } else {
          assertSame(what + " prediction", p.prediction().doubleValue(), predicted.doubleValue());
        }
        if (p.probabilities() != null) {
          List<Double> probs = r.getList(r.fieldIndex(Columns.PROBABILITIES));
          assertThat(p.probabilities()).hasSize(probs.size());
          for (int k = 0; k < probs.size(); k++) {
            assertSame(what + " class " + k, p.probabilities()[k], probs.get(k));
          }
        }
        if (compiledRows != null) {
          Row c = compiledRows.get(i);
          double fromCompiled = c.getDouble(c.fieldIndex(Columns.SCORE));
          assertSame(what + " (vs compiled)", p.score(), fromCompiled);
          maxVsCompiled = Math.max(maxVsCompiled, difference(p.score(), fromCompiled));
          comparedWithCompiled++;
          bitExactVsCompiled += Double.doubleToLongBits(p.score()) == Double.doubleToLongBits(fromCompiled) ? 1 : 0;
        }
        rows++;
      }
    }
    System.err.printf("ExportedModelParityTest: %d rows of %d pipelines (%d compiled, %d hashed); max |difference| %.3g vs MLlib, "
        + "%.3g vs compiled; %d of %d scores bit-identical to the compiled scorer's%n", rows, PIPELINES, compiledPipelines,
        hashedPipelines, maxVsMllib, maxVsCompiled, bitExactVsCompiled, comparedWithCompiled);
    assertThat(hashedPipelines).isPositive();
    assertThat(compiledPipelines).isPositive();
  }

  @Test
  void murmur3IsSparksForEveryTailLengthAndMultiByteCharacters() {
    SplittableRandom rnd = new SplittableRandom(11);
    String alphabet = "abcXYZ019=×éß漢字😀 -_";
    for (int i = 0; i < 5000; i++) {
      StringBuilder s = new StringBuilder();
      int len = rnd.nextInt(24);
      for (int j = 0; j < len; j++) {
        s.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, rnd.nextInt(alphabet.codePointCount(0, alphabet.length())))));
      }
      UTF8String utf8 = UTF8String.fromString(s.toString());
      int seed = i % 3 == 0 ? 42 : rnd.nextInt();
      int spark = Murmur3_x86_32.hashUnsafeBytes2(utf8.getBaseObject(), utf8.getBaseOffset(), utf8.numBytes(), seed);
      assertThat(Murmur3.hash(s.toString(), seed)).as("'%s' (%d UTF-8 bytes)", s, s.toString().getBytes(StandardCharsets.UTF_8).length)
          .isEqualTo(spark);
    }
  }

  /** Adds hashed columns to every third spec: the string c0 (with nulls and unseen values) and the boolean b0. */
  static FeaturesConfig withHashed(FeaturesConfig spec, int seed) {
    if (seed % 3 != 1) {
      return spec;
    }
    List<HashedFeature> hashed = new ArrayList<>(List.of(new HashedFeature("c0", 2 + seed * 5)));
    if (seed % 2 == 1) {
      hashed.add(new HashedFeature("b0", 8));
    }
    return new FeaturesConfig(spec.numericOrEmpty(), spec.categoricalOrEmpty(), spec.booleanOrEmpty(), hashed,
        spec.timestampOrEmpty(), spec.crossesOrEmpty());
  }

  /** coefficients.json of {@code model} as the export writes it (same document, same JSON writer). */
  static String exportJson(PipelineModel model, FeaturesConfig spec, Dataset<Row> input) throws Exception {
    FittedPlan plan = FittedPlan.of(model, spec);
    List<ModelManifest.SchemaField> schema = inputColumns(spec).stream()
        .map(c -> input.schema().apply(c))
        .map(f -> new ModelManifest.SchemaField(f.name(), f.dataType().simpleString(), f.nullable())).toList();
    Map<String, Object> doc = CoefficientsDocument.of("m", "v", "test", plan.slotNames(), schema, plan, spec);
    return JsonFiles.MAPPER.writeValueAsString(doc);
  }

  static List<String> inputColumns(FeaturesConfig spec) {
    return FeaturePipeline.inputColumns(spec);
  }

  /** A scored row's input columns as a record: Spark's timestamps as instants. */
  static Map<String, Object> record(Row r, FeaturesConfig spec) {
    Map<String, Object> out = new HashMap<>();
    for (String c : inputColumns(spec)) {
      Object v = r.get(r.fieldIndex(c));
      out.put(c, v instanceof Timestamp t ? t.toInstant() : v);
    }
    return out;
  }

  private static void assertSame(String what, double actual, double expected) {
    if (Double.isNaN(expected)) {
      assertThat(actual).as(what).isNaN();
    } else if (Double.isInfinite(expected)) {
      assertThat(actual).as(what).isEqualTo(expected);
    } else {
      assertThat(Math.abs(actual - expected)).as(what + ": %s vs %s", actual, expected).isLessThanOrEqualTo(TOLERANCE);
    }
  }

  private static double difference(double a, double b) {
    return Double.isNaN(a) && Double.isNaN(b) || a == b ? 0 : Math.abs(a - b);
  }
}
