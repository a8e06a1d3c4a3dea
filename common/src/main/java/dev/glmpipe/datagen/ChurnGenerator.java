package dev.glmpipe.datagen;

import dev.glmpipe.config.ConfigException;
import dev.glmpipe.config.DatagenConfig;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded generator of customer-churn records whose label follows a known logistic model
 * ({@link #TRUE_MODEL}), so tests can check that training recovers the truth.
 *
 * <p>A configurable share of rows is deliberately broken, one defect per row, cycling through
 * the defects the data contract must catch. The same seed and date always give the same file
 * (the committed data-samples/ are these files: a test regenerates them), which is why this one
 * draws row after row on the driver. Tables too big for that — the benchmarks' — come from
 * {@link SyntheticTable}, which the executors generate from the same kind of declaration.
 *
 * <p>A {@link Drift} changes a day on purpose (shifted inputs, another category mix, other true
 * coefficients) without drawing a single extra random number: every row consumes the stream
 * exactly as an undrifted row does, so days without drift stay byte-identical, and a drifted
 * day differs from its undrifted twin only where the drift reaches.
 */
public final class ChurnGenerator {
  public static final List<String> COLUMNS = List.of(
      "customer_id", "last_login_at", "tenure_months", "monthly_charges", "support_calls",
      "data_usage_gb", "plan", "region", "autopay", "churned");

  public static final List<String> PLANS = List.of("basic", "standard", "premium");
  public static final List<String> REGIONS = List.of("north", "south", "east", "west");

  /** The numeric inputs a shift drift may move; the first and third are whole numbers. */
  public static final List<String> NUMERIC_INPUTS = List.of("tenure_months", "monthly_charges", "support_calls", "data_usage_gb");
  private static final List<String> WHOLE_NUMBER_INPUTS = List.of("tenure_months", "support_calls");

  /** The categorical inputs a mix drift may re-weight, with their levels. */
  public static final Map<String, List<String>> CATEGORICAL_INPUTS = Map.of("plan", PLANS, "region", REGIONS);
  private static final double[] PLAN_MIX = {0.5, 0.3, 0.2};
  private static final double[] REGION_MIX = {0.3, 0.25, 0.25, 0.2};

  /** The label feed's columns: a customer's label and the day it describes. */
  public static final List<String> LABEL_COLUMNS = List.of("customer_id", "churned", "event_dt");

  /**
   * The true logit, in input units: {@code intercept + Σ coefficient × value}; categorical
   * levels are relative to {@code plan=basic} and {@code region=north}, booleans count 1 if true.
   */
  public static final Map<String, Double> TRUE_MODEL = trueModel();

  /** Defects injected into broken rows, in rotation, with the reason code each must produce. */
  public enum Defect {
    TRUNCATED_LINE("MALFORMED_RECORD"),
    TEXT_IN_NUMBER("TYPE_MISMATCH"),
    NEGATIVE_TENURE("OUT_OF_RANGE"),
    MISSING_PLAN("MISSING_REQUIRED"),
    UNKNOWN_PLAN("NOT_ALLOWED_VALUE"),
    BAD_TIMESTAMP("TYPE_MISMATCH"),
    /** A stale copy of the previous good row (same id, an hour older): the contract keeps the latest. */
    STALE_DUPLICATE("DUPLICATE_KEY");

    public final String reasonCode;

    Defect(String reasonCode) {
      this.reasonCode = reasonCode;
    }
  }

  /**
   * One day's CSV lines (header first), what was injected into them, and the labels of its valid
   * rows (broken rows, stale duplicates included, have none).
   */
  public record Day(LocalDate dt, List<String> lines, int rows, Map<String, Integer> brokenByReason, List<Label> labels) {
    public int brokenRows() {
      return brokenByReason.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The label feed's CSV lines for this day, header first ({@link #LABEL_COLUMNS}). */
    public List<String> labelLines() {
      List<String> out = new ArrayList<>(labels.size() + 1);
      out.add(String.join(",", LABEL_COLUMNS));
      for (Label l : labels) {
        out.add(l.customerId() + "," + l.churned() + "," + dt);
      }
      return out;
    }
  }

  /** The label drawn for a valid row: the same value as the row's {@code churned}. */
  public record Label(String customerId, int churned) {}

  /**
   * What drift does to one day: amounts added to numeric inputs, category weights (one per
   * level, in {@link #CATEGORICAL_INPUTS} order) replacing the default mix, and the true model
   * the label is drawn from. {@link #NONE} is the generator as it always was.
   */
  public record Drift(Map<String, Double> shift, Map<String, double[]> mix, Map<String, Double> model) {
    public static final Drift NONE = new Drift(Map.of(), Map.of(), TRUE_MODEL);

    /** The drifts of {@code drifts} in force on {@code dt}, in list order (shifts add up, later mixes and coefficients win). */
    public static Drift on(LocalDate dt, List<DatagenConfig.Drift> drifts) {
      Map<String, Double> shift = new LinkedHashMap<>();
      Map<String, double[]> mix = new LinkedHashMap<>();
      Map<String, Double> model = new LinkedHashMap<>(TRUE_MODEL);
      for (DatagenConfig.Drift d : drifts) {
        if (dt.isBefore(d.from())) {
          continue;
        }
        switch (d.kind()) {
          case SHIFT -> shift.merge(d.column(), d.by(), Double::sum);
          case MIX -> mix.put(d.column(), weights(CATEGORICAL_INPUTS.get(d.column()), d.weights()));
          case CONCEPT -> model.putAll(d.coefficients());
          default -> throw new IllegalStateException(d.kind().name());
        }
      }
      return shift.isEmpty() && mix.isEmpty() && model.equals(TRUE_MODEL) ? NONE
          : new Drift(Map.copyOf(shift), Map.copyOf(mix), java.util.Collections.unmodifiableMap(model));
    }

    private static double[] weights(List<String> levels, Map<String, Double> given) {
      double total = given.values().stream().mapToDouble(Double::doubleValue).sum();
      return levels.stream().mapToDouble(level -> given.getOrDefault(level, 0.0) / total).toArray();
    }

    private double[] mixOf(String column, double[] byDefault) {
      return mix.getOrDefault(column, byDefault);
    }
  }

  /**
   * The names a drift uses must be the generator's: numeric inputs to shift (by whole numbers
   * where the input is one), categorical inputs and their levels to re-weight, true-model terms
   * to override. The config validator checks the shape; this checks the names, before Spark starts.
   */
  public static void check(DatagenConfig config) {
    List<DatagenConfig.Drift> drifts = config.driftOrEmpty();
    for (int i = 0; i < drifts.size(); i++) {
      DatagenConfig.Drift d = drifts.get(i);
      String path = "datagen.drift[" + i + "]";
      switch (d.kind()) {
        case SHIFT -> {
          require(NUMERIC_INPUTS.contains(d.column()), path + ".column", "'" + d.column()
              + "' is not a numeric input of the generator (numeric inputs: " + String.join(", ", NUMERIC_INPUTS) + ")");
          require(!WHOLE_NUMBER_INPUTS.contains(d.column()) || d.by() == Math.rint(d.by()), path + ".by",
              d.column() + " is a whole number, so the shift must be one too, got " + d.by());
        }
        case MIX -> {
          List<String> levels = CATEGORICAL_INPUTS.get(d.column());
          require(levels != null, path + ".column", "'" + d.column() + "' is not a categorical input of the generator "
              + "(categorical inputs: " + String.join(", ", new java.util.TreeSet<>(CATEGORICAL_INPUTS.keySet())) + ")");
          d.weights().keySet().forEach(level -> require(levels.contains(level), path + ".weights." + level,
              "'" + level + "' is not a level of " + d.column() + " (levels: " + String.join(", ", levels) + ")"));
        }
        case CONCEPT -> d.coefficients().keySet().forEach(term -> require(TRUE_MODEL.containsKey(term),
            path + ".coefficients." + term, "'" + term + "' is not a term of the true model (terms: "
                + String.join(", ", TRUE_MODEL.keySet()) + ")"));
        default -> throw new IllegalStateException(d.kind().name());
      }
    }
  }

  private static void require(boolean ok, String path, String problem) {
    if (!ok) {
      throw new ConfigException(path, problem);
    }
  }

  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private ChurnGenerator() {}

  public static Day generate(LocalDate dt, int rows, long seed, double brokenFraction) {
    return generate(dt, rows, seed, brokenFraction, Drift.NONE);
  }

  /** One day as {@link #generate(LocalDate, int, long, double)} gives it, changed by {@code drift}. */
  public static Day generate(LocalDate dt, int rows, long seed, double brokenFraction, Drift drift) {
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + dt.toEpochDay());
    List<String> lines = new ArrayList<>(rows + 1);
    lines.add(String.join(",", COLUMNS));
    Map<String, Integer> broken = new LinkedHashMap<>();
    Defect[] defects = Defect.values();
    int brokenSoFar = 0;
    String idPrefix = "C" + dt.toString().replace("-", "") + "-";
    String[] lastGood = null;
    List<Label> labels = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      String[] f = row(rnd, dt, idPrefix + String.format(Locale.ROOT, "%06d", i), drift);
      String line = String.join(",", f);
      if (rnd.nextDouble() < brokenFraction) {
        Defect defect = defects[brokenSoFar++ % defects.length];
        if (defect == Defect.STALE_DUPLICATE && lastGood == null) {
          defect = Defect.TRUNCATED_LINE;
        }
        line = defect == Defect.STALE_DUPLICATE ? staleCopy(lastGood) : breakRow(f, defect, rnd);
        broken.merge(defect.reasonCode, 1, Integer::sum);
      } else {
        lastGood = f;
        labels.add(new Label(f[0], Integer.parseInt(f[9])));
      }
      lines.add(line);
    }
    return new Day(dt, lines, rows, broken, List.copyOf(labels));
  }

  private static String[] row(SplittableRandom rnd, LocalDate dt, String id, Drift drift) {
    int tenure = rnd.nextInt(72);
    double charges = Math.round((20 + 100 * rnd.nextDouble()) * 100) / 100.0;
    int calls = Math.min(15, poisson(rnd, 1.5));
    double usage = Math.round(Math.exp(2 + 0.6 * gaussian(rnd)) * 100) / 100.0;
    // A mix drift re-weights the same uniform draw, so the stream stays in step.
    String plan = pick(rnd, PLANS, drift.mixOf("plan", PLAN_MIX));
    String region = pick(rnd, REGIONS, drift.mixOf("region", REGION_MIX));
    boolean autopay = rnd.nextDouble() < 0.55;
    LocalDateTime lastLogin = dt.atStartOfDay().minusSeconds(rnd.nextLong(30L * 24 * 3600));
    if (!drift.shift().isEmpty()) {
      // Shifted before the label is drawn, so the label follows the (unchanged) model; no input goes below 0.
      tenure = (int) Math.max(0, tenure + Math.round(drift.shift().getOrDefault("tenure_months", 0.0)));
      charges = Math.max(0, Math.round((charges + drift.shift().getOrDefault("monthly_charges", 0.0)) * 100) / 100.0);
      calls = (int) Math.max(0, calls + Math.round(drift.shift().getOrDefault("support_calls", 0.0)));
      usage = Math.max(0, Math.round((usage + drift.shift().getOrDefault("data_usage_gb", 0.0)) * 100) / 100.0);
    }

    Map<String, Double> m = drift.model();
    double logit = m.get("intercept")
        + m.get("tenure_months") * tenure
        + m.get("monthly_charges") * charges
        + m.get("support_calls") * calls
        + m.get("data_usage_gb") * usage
        + m.getOrDefault("plan=" + plan, 0.0)
        + m.getOrDefault("region=" + region, 0.0)
        + (autopay ? m.get("autopay") : 0.0);
    // A concept drift changes only the threshold this draw is compared with.
    int churned = rnd.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    // Usage goes missing after the label is drawn: the contract allows it and training imputes it.
    String usageText = rnd.nextDouble() < 0.05 ? "" : Double.toString(usage);
    return new String[] {
        id, TS.format(lastLogin), Integer.toString(tenure), Double.toString(charges),
        Integer.toString(calls), usageText, plan, region, Boolean.toString(autopay), Integer.toString(churned)};
  }

  private static String breakRow(String[] f, Defect defect, SplittableRandom rnd) {
    String[] g = f.clone();
    switch (defect) {
      case TRUNCATED_LINE -> {
        return String.join(",", java.util.Arrays.copyOf(g, g.length - 3));
      }
      case TEXT_IN_NUMBER -> g[3] = "n/a";
      case NEGATIVE_TENURE -> g[2] = Integer.toString(-1 - rnd.nextInt(12));
      case MISSING_PLAN -> g[6] = "";
      case UNKNOWN_PLAN -> g[6] = "platinum";
      case BAD_TIMESTAMP -> g[1] = "yesterday";
      default -> throw new IllegalStateException(defect.name());
    }
    return String.join(",", g);
  }

  private static String staleCopy(String[] good) {
    String[] g = good.clone();
    g[1] = TS.format(LocalDateTime.parse(g[1], TS).minusHours(1));
    return String.join(",", g);
  }

  private static Map<String, Double> trueModel() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("intercept", -0.5);
    m.put("tenure_months", -0.035);
    m.put("monthly_charges", 0.018);
    m.put("support_calls", 0.45);
    m.put("data_usage_gb", -0.02);
    m.put("plan=standard", -0.35);
    m.put("plan=premium", -0.8);
    m.put("region=south", 0.2);
    m.put("region=east", -0.15);
    m.put("region=west", 0.3);
    m.put("autopay", -0.7);
    return java.util.Collections.unmodifiableMap(m);
  }

  private static String pick(SplittableRandom rnd, List<String> values, double[] weights) {
    double u = rnd.nextDouble();
    double acc = 0;
    for (int i = 0; i < values.size(); i++) {
      acc += weights[i];
      if (u < acc) {
        return values.get(i);
      }
    }
    return values.get(values.size() - 1);
  }

  private static int poisson(SplittableRandom rnd, double lambda) {
    double l = Math.exp(-lambda);
    double p = 1;
    int k = 0;
    do {
      k++;
      p *= rnd.nextDouble();
    } while (p > l);
    return k - 1;
  }

  private static double gaussian(SplittableRandom rnd) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u1 = 1 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
