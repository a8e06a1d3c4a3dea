package dev.glmpipe.datagen;

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
 */
public final class ChurnGenerator {
  public static final List<String> COLUMNS = List.of(
      "customer_id", "last_login_at", "tenure_months", "monthly_charges", "support_calls",
      "data_usage_gb", "plan", "region", "autopay", "churned");

  public static final List<String> PLANS = List.of("basic", "standard", "premium");
  public static final List<String> REGIONS = List.of("north", "south", "east", "west");

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

  /** One day's CSV lines (header first) and what was injected into them. */
  public record Day(LocalDate dt, List<String> lines, int rows, Map<String, Integer> brokenByReason) {
    public int brokenRows() {
      return brokenByReason.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private ChurnGenerator() {}

  public static Day generate(LocalDate dt, int rows, long seed, double brokenFraction) {
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + dt.toEpochDay());
    List<String> lines = new ArrayList<>(rows + 1);
    lines.add(String.join(",", COLUMNS));
    Map<String, Integer> broken = new LinkedHashMap<>();
    Defect[] defects = Defect.values();
    int brokenSoFar = 0;
    String idPrefix = "C" + dt.toString().replace("-", "") + "-";
    String[] lastGood = null;
    for (int i = 0; i < rows; i++) {
      String[] f = row(rnd, dt, idPrefix + String.format(Locale.ROOT, "%06d", i));
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
      }
      lines.add(line);
    }
    return new Day(dt, lines, rows, broken);
  }

  private static String[] row(SplittableRandom rnd, LocalDate dt, String id) {
    int tenure = rnd.nextInt(72);
    double charges = Math.round((20 + 100 * rnd.nextDouble()) * 100) / 100.0;
    int calls = Math.min(15, poisson(rnd, 1.5));
    double usage = Math.round(Math.exp(2 + 0.6 * gaussian(rnd)) * 100) / 100.0;
    String plan = pick(rnd, PLANS, new double[] {0.5, 0.3, 0.2});
    String region = pick(rnd, REGIONS, new double[] {0.3, 0.25, 0.25, 0.2});
    boolean autopay = rnd.nextDouble() < 0.55;
    LocalDateTime lastLogin = dt.atStartOfDay().minusSeconds(rnd.nextLong(30L * 24 * 3600));

    double logit = TRUE_MODEL.get("intercept")
        + TRUE_MODEL.get("tenure_months") * tenure
        + TRUE_MODEL.get("monthly_charges") * charges
        + TRUE_MODEL.get("support_calls") * calls
        + TRUE_MODEL.get("data_usage_gb") * usage
        + TRUE_MODEL.getOrDefault("plan=" + plan, 0.0)
        + TRUE_MODEL.getOrDefault("region=" + region, 0.0)
        + (autopay ? TRUE_MODEL.get("autopay") : 0.0);
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
