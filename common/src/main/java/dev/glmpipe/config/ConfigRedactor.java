package dev.glmpipe.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one redaction policy: which config keys hold secrets and how a secret is masked wherever
 * config, arguments or errors are printed or stored (the effective-config log line, the
 * one-line error, the result, the run record, Spark's own UI and event log).
 *
 * <p>A key is secret when, after dropping the prefixes that only carry it somewhere else
 * ({@code spark.conf.}, {@code spark.hadoop.}, {@code spark.executorEnv.}, S3A's per-bucket
 * {@code fs.s3a.bucket.<bucket>.}), it is
 * <ol>
 *   <li>a known secret-bearing key of Hadoop S3A, Azure, the GCS connector, Spark, JSSE or the
 *       AWS environment ({@code fs.s3a.encryption.key}, {@code fs.azure.account.key.<account>},
 *       {@code fs.gs.auth.service.account.private.key}, {@code spark.authenticate.secret}, …);</li>
 *   <li>otherwise, unless it only names where a secret lives or how it is used (its last word
 *       is {@code provider}, {@code path}, {@code file}, {@code env}, {@code enabled}, …),
 *       a key with a secret word ({@code secret}, {@code password}, {@code token},
 *       {@code credential}, {@code sas}, {@code signature}, …) or ending in a secret compound
 *       ({@code access.key}, {@code private.key}, {@code encryption.key}, …), words split at
 *       {@code . _ -} and camelCase.</li>
 * </ol>
 * Values are masked whatever their key when they carry a secret of their own: the password of
 * a URL's user info ({@code jdbc:postgresql://user:***@host/db}) and AWS access key ids. In free
 * text (error messages), {@code key=value} pairs of secret keys and the literal values of the
 * run's own secrets (from its config and the environment) are masked too.
 */
public final class ConfigRedactor {
  public static final String MASK = "***";

  /** Literal secret values shorter than this are left to the patterns: masking "abc" everywhere mangles text. */
  static final int MIN_LITERAL = 6;

  private static final List<String> CARRIER_PREFIXES = List.of(
      "spark.conf.", "spark.hadoop.", "spark.executorenv.", "spark.yarn.appmasterenv.", "spark.kubernetes.driverenv.");

  /** S3A keys holding secrets; each may also be set per bucket as {@code fs.s3a.bucket.<bucket>.<rest>}. */
  private static final List<String> S3A_SECRETS = List.of(
      "access.key", "secret.key", "session.token", "session.key", "encryption.key",
      "server-side-encryption.key", "proxy.password");

  /** Known secret-bearing keys, lower case, matched whole after the carrier prefixes are dropped. */
  private static final Pattern KNOWN = Pattern.compile(String.join("|", List.of(
      // Hadoop S3A (Constants: fs.s3a.access.key, secret.key, session.token, encryption.key, the
      // older server-side-encryption.key, proxy.password) and the s3/s3n connectors before it.
      "fs\\.s3a\\.(access\\.key|secret\\.key|session\\.token|session\\.key|encryption\\.key"
          + "|server-side-encryption\\.key|proxy\\.password)",
      "fs\\.s3n?\\.aws(access|secretaccess)key(id)?",
      // Azure (ABFS, WASB, ADLS): account keys, OAuth client secrets and refresh tokens, SAS tokens.
      "fs\\.azure\\.account\\.key\\..+", "fs\\.azure\\.account\\.oauth2\\.client\\.secret(\\..+)?",
      "fs\\.azure\\.sas\\..+", "fs\\.(azure|adl)\\.oauth2\\..+",
      // The GCS connector (fs.gs.* and its older google.cloud.* names): service-account keys,
      // user credentials, customer-supplied encryption keys, proxy password.
      "(fs\\.gs|google\\.cloud)\\.auth\\.(service\\.account\\.private\\.key(\\.id)?|client\\.secret|refresh\\.token)",
      "fs\\.gs\\.encryption\\.key(\\.hash)?", "fs\\.gs\\.proxy\\.password",
      // Spark, JSSE, a Hive metastore's JDBC password.
      "spark\\.authenticate\\.secret", "spark\\.ssl\\.([a-z0-9]+\\.)*(keypassword|keystorepassword|truststorepassword)",
      "javax\\.net\\.ssl\\.(keystore|truststore)password", "javax\\.jdo\\.option\\.connectionpassword",
      // Environment variables (also as spark.executorEnv.X).
      "aws_(access_key_id|secret_access_key|session_token)", "azure_(client_secret|storage_key|storage_sas_token)")));

  /** A key whose last word is one of these names a secret's place or use, not the secret. */
  private static final Set<String> NOT_SECRET_LAST_WORDS = Set.of(
      "provider", "path", "file", "dir", "env", "enabled", "enable", "impl", "class", "type", "algorithm", "binding");

  private static final Pattern SECRET_WORD = Pattern.compile(
      "(^|\\.)(secret|secrets|password|passwd|passphrase|token|credential|credentials|sas|signature|apikey)(\\.|$)");

  private static final Pattern SECRET_COMPOUND = Pattern.compile(
      "(^|\\.)(access|secret|secret\\.access|private|encryption|session|account|api|storage|signing)\\.key(\\.id)?$");

  private static final Pattern URL_USER_INFO = Pattern.compile(
      "(?i)\\b([a-z][a-z0-9+.\\-]*://[^/@\\s:'\"]*):([^/@\\s'\"]+)@");

  private static final Pattern ORACLE_THIN = Pattern.compile("(?i)(jdbc:oracle:thin:[^/@\\s'\":]*)/([^@\\s'\"]+)@");

  private static final Pattern AWS_KEY_ID = Pattern.compile("\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b");

  /**
   * {@code key=value}, or {@code key: value} where the key is a property name or variable
   * ({@code fs.s3a.secret.key: …}, not the prose of "must not carry credentials: name …").
   */
  private static final Pattern KEY_VALUE = Pattern.compile(
      "(?<![A-Za-z0-9_.\\-])([A-Za-z][A-Za-z0-9_.\\-]*)(=|:[ \\t]*)([^\\s\"'&,;)}\\]]+)");

  /** {@code "key":"value"} in JSON text. */
  private static final Pattern JSON_KEY_VALUE = Pattern.compile("\"([A-Za-z][A-Za-z0-9_.\\-]*)\"(\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * {@code spark.redaction.regex} for the sessions glmpipe opens: Spark masks the properties
   * whose key or value it finds in its UI, event log and logged conf. Spark's default
   * ({@code secret|password|token|access[.]key}) misses e.g. {@code fs.s3a.encryption.key}, and
   * a URL with a password in a property whose name says nothing of it (a metastore's JDBC URL).
   */
  public static final String SPARK_REDACTION_REGEX = "(?i)secret|password|passwd|passphrase|token|credential"
      + "|access[.]key|encryption[.]key|private[.]key|session[.]key|account[.]key|oauth2|[.]sas[.]|signature"
      + "|awsaccesskeyid|aws_access_key_id|://[^/@\\s:]*:[^/@\\s]+@|(?-i:\\b(AKIA|ASIA)[A-Z0-9]{16}\\b)";

  /** {@code spark.redaction.string.regex}: the user info of URLs in query plans and SQL text. */
  public static final String SPARK_REDACTION_STRING_REGEX = "(?<=://)[^/@\\s:'\"]*:[^/@\\s'\"]+(?=@)";

  /** Secret values to mask literally, longest first. */
  private final List<String> literals;

  private ConfigRedactor(Set<String> literals) {
    List<String> sorted = new ArrayList<>(literals);
    sorted.removeIf(s -> s == null || s.length() < MIN_LITERAL);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.literals = List.copyOf(sorted);
  }

  /** Masks by pattern and the secret values of this process's environment (AWS_SECRET_ACCESS_KEY, …). */
  public static ConfigRedactor basic() {
    return new ConfigRedactor(environmentSecrets(Map.of()));
  }

  /** Also masks, anywhere in text, the values of the secret keys of {@code tree} (a config tree before binding). */
  public static ConfigRedactor of(Map<String, ?> tree) {
    Set<String> values = new TreeSet<>();
    Map<String, String> envNames = new LinkedHashMap<>();
    collect(tree, "", values, envNames);
    values.addAll(environmentSecrets(envNames));
    return new ConfigRedactor(values);
  }

  /** {@link #of(Map)} for a bound config: its Spark properties and the variables {@code metrics} names. */
  public static ConfigRedactor of(GlmpipeConfig config) {
    Map<String, Object> tree = new LinkedHashMap<>();
    if (config.spark() != null) {
      tree.put("spark", Map.of("conf", config.spark().confOrEmpty()));
    }
    MetricsConfig m = config.metricsOrDefault();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("password_env", m.passwordEnv());
    metrics.put("bearer_token_env", m.bearerTokenEnv());
    tree.put("metrics", metrics);
    return of(tree);
  }

  /** True if the value of {@code key} (a config key path, Spark or Hadoop property, or environment variable) is a secret. */
  public static boolean isSecretKey(String key) {
    if (key == null || key.isBlank()) {
      return false;
    }
    String k = stripCarriers(key.trim().toLowerCase(Locale.ROOT));
    if (KNOWN.matcher(k).matches() || isPerBucketS3aSecret(k)) {
      return true;
    }
    String words = words(stripCarriers(key.trim()));
    String last = words.substring(words.lastIndexOf('.') + 1);
    if (NOT_SECRET_LAST_WORDS.contains(last)) {
      return false;
    }
    return SECRET_WORD.matcher(words).find() || SECRET_COMPOUND.matcher(words).find();
  }

  /**
   * The tree with the values of secret keys masked (a secret key's whole subtree) and secret
   * parts of other values (a URL's password) masked; what the effective-config log line and its
   * hash are made of.
   */
  public static Map<String, Object> redact(Map<String, Object> tree) {
    return redactMap(tree, "");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> redactMap(Map<String, Object> tree, String path) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : tree.entrySet()) {
      String keyPath = path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey();
      Object v = e.getValue();
      if (v != null && (isSecretKey(keyPath) || isSecretKey(String.valueOf(e.getKey())))) {
        out.put(e.getKey(), MASK);
      } else {
        out.put(e.getKey(), redactValue(v, keyPath));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object redactValue(Object v, String path) {
    if (v instanceof Map<?, ?> map) {
      return redactMap((Map<String, Object>) map, path);
    }
    if (v instanceof List<?> list) {
      return list.stream().map(x -> redactValue(x, path)).toList();
    }
    if (v instanceof String s) {
      return patterns(s);
    }
    return v;
  }

  /** {@code text} with every secret this redactor knows or recognizes masked; null stays null. */
  public String text(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String literal : literals) {
      out = out.replace(literal, MASK);
    }
    return keyValues(patterns(out));
  }

  /**
   * A copy of {@code t} to log: its class, messages and causes with secrets masked, same stack
   * trace. Log4j prints the copy's own class first, then the original's.
   */
  public Throwable throwable(Throwable t) {
    // Nothing to mask: the original, so logs (and JSON logs' exception.class) keep its real class.
    return t == null || !revealsSecret(t, 0) ? t : copy(t, 0);
  }

  private boolean revealsSecret(Throwable t, int depth) {
    if (!text(t.toString()).equals(t.toString())) {
      return true;
    }
    if (t.getCause() != null && t.getCause() != t && depth < 20 && revealsSecret(t.getCause(), depth + 1)) {
      return true;
    }
    for (Throwable s : t.getSuppressed()) {
      if (depth < 20 && revealsSecret(s, depth + 1)) {
        return true;
      }
    }
    return false;
  }

  private Throwable copy(Throwable t, int depth) {
    Redacted r = new Redacted(text(t.toString()));
    r.setStackTrace(t.getStackTrace());
    if (t.getCause() != null && t.getCause() != t && depth < 20) {
      r.initCause(copy(t.getCause(), depth + 1));
    }
    for (Throwable s : t.getSuppressed()) {
      r.addSuppressed(copy(s, depth + 1));
    }
    return r;
  }

  /** What {@link #throwable} logs in place of an exception: {@code <original class>: <masked message>}. */
  static final class Redacted extends RuntimeException {
    Redacted(String originalToString) {
      super(originalToString);
    }
  }

  /** Masks a config problem's quoted values when the key is secret ({@code got '***'}), then by pattern. */
  static String problem(String keyPath, String problem) {
    String p = problem == null ? "" : problem;
    if (isSecretKey(keyPath)) {
      p = p.replaceAll("'[^']*'", "'" + MASK + "'");
    }
    return basic().text(p);
  }

  /** The value patterns alone: URL passwords, AWS access key ids. */
  static String patterns(String s) {
    String out = URL_USER_INFO.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    out = ORACLE_THIN.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "/" + MASK + "@"));
    return AWS_KEY_ID.matcher(out).replaceAll(MASK);
  }

  private static String keyValues(String s) {
    String out = JSON_KEY_VALUE.matcher(s).replaceAll(m -> Matcher.quoteReplacement(isSecretKey(m.group(1))
        ? "\"" + m.group(1) + "\"" + m.group(2) + MASK + "\"" : m.group()));
    return KEY_VALUE.matcher(out).replaceAll(m -> {
      String key = m.group(1);
      boolean propertyName = key.matches(".*[._-].*");
      boolean mask = isSecretKey(key) && !m.group(3).equals(MASK) && (m.group(2).equals("=") || propertyName);
      return Matcher.quoteReplacement(mask ? key + m.group(2) + MASK : m.group());
    });
  }

  @SuppressWarnings("unchecked")
  private static void collect(Map<String, ?> tree, String path, Set<String> values, Map<String, String> envNames) {
    for (Map.Entry<String, ?> e : tree.entrySet()) {
      String keyPath = path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey();
      Object v = e.getValue();
      if (v == null) {
        continue;
      }
      if (isSecretKey(keyPath)) {
        leaves(v, values);
      } else if (v instanceof Map<?, ?> map) {
        collect((Map<String, ?>) map, keyPath, values, envNames);
      } else if (keyPath.endsWith("_env") && isSecretKey(keyPath.substring(0, keyPath.length() - 4))) {
        envNames.put(keyPath, String.valueOf(v)); // metrics.password_env: names the variable holding one
      } else if (v instanceof String s) {
        Matcher m = URL_USER_INFO.matcher(s);
        while (m.find()) {
          values.add(m.group(2));
        }
      }
    }
  }

  private static void leaves(Object v, Set<String> values) {
    if (v instanceof Map<?, ?> map) {
      map.values().forEach(x -> leaves(x, values));
    } else if (v instanceof List<?> list) {
      list.forEach(x -> leaves(x, values));
    } else if (v != null) {
      values.add(String.valueOf(v));
    }
  }

  /** Values of secret-named environment variables, and of those {@code named} (metrics.password_env). */
  private static Set<String> environmentSecrets(Map<String, String> named) {
    Set<String> out = new TreeSet<>();
    Map<String, String> env = System.getenv();
    env.forEach((name, value) -> {
      if (isSecretKey(name)) {
        out.add(value);
      }
    });
    named.values().forEach(name -> {
      String value = env.get(name);
      if (value != null) {
        out.add(value);
      }
    });
    return out;
  }

  private static String stripCarriers(String key) {
    String k = key;
    boolean stripped = true;
    while (stripped) {
      stripped = false;
      for (String prefix : CARRIER_PREFIXES) {
        if (k.toLowerCase(Locale.ROOT).startsWith(prefix) && k.length() > prefix.length()) {
          k = k.substring(prefix.length());
          stripped = true;
        }
      }
    }
    return k;
  }

  private static boolean isPerBucketS3aSecret(String k) {
    if (!k.startsWith("fs.s3a.bucket.")) {
      return false;
    }
    String rest = k.substring("fs.s3a.bucket.".length());
    for (String secret : S3A_SECRETS) {
      if (rest.endsWith("." + secret)) {
        return true;
      }
    }
    return false;
  }

  /** The key as lower-case words joined by dots: {@code keyStorePassword} → {@code key.store.password}. */
  static String words(String key) {
    String split = key.replaceAll("([a-z0-9])([A-Z])", "$1.$2").toLowerCase(Locale.ROOT);
    return split.replaceAll("[^a-z0-9]+", ".").replaceAll("^\\.|\\.$", "");
  }
}
