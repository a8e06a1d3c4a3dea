package dev.glmpipe.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Loads config: YAML files merged in order, each optionally naming a file it {@code extends}
 * (resolved relative to itself), then {@code --set key.path=value} overrides, then typed binding
 * and validation. Runs before Spark starts, so a bad config costs no cluster time.
 *
 * <p>Files are read through the Hadoop FileSystem API, so {@code s3://}, {@code gs://} and local
 * paths all work wherever the job runs.
 */
public final class ConfigLoader {
  private static final String EXTENDS = "extends";

  private ConfigLoader() {}

  public static GlmpipeConfig load(List<String> files, List<String> overrides) {
    return bind(loadTree(files, overrides));
  }

  /** Typed binding and validation of a merged tree from {@link #loadTree}. */
  public static GlmpipeConfig bind(Map<String, Object> tree) {
    GlmpipeConfig config = ConfigBinder.bind(tree, GlmpipeConfig.class);
    ConfigValidator.validate(config);
    return config;
  }

  /** The merged YAML tree before binding; public for tools that print the effective config. */
  public static Map<String, Object> loadTree(List<String> files, List<String> overrides) {
    if (files.isEmpty()) {
      throw ConfigException.file("--conf", "at least one config file is required (e.g. --conf conf/local.yaml)");
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    for (String file : files) {
      deepMerge(tree, readWithParents(file, new ArrayList<>()));
    }
    for (String override : overrides) {
      applyOverride(tree, override);
    }
    return tree;
  }

  private static Map<String, Object> readWithParents(String file, List<String> seen) {
    if (seen.contains(file)) {
      throw ConfigException.file(file, "'extends' forms a cycle: " + String.join(" -> ", seen) + " -> " + file);
    }
    seen.add(file);
    Map<String, Object> own = readYaml(file);
    Object parent = own.remove(EXTENDS);
    if (parent == null) {
      return own;
    }
    Map<String, Object> merged = readWithParents(resolveSibling(file, String.valueOf(parent)), seen);
    deepMerge(merged, own);
    return merged;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> readYaml(String file) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(new Configuration());
      if (!fs.exists(path)) {
        throw ConfigException.file(file, "does not exist");
      }
      try (InputStream in = fs.open(path)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Object parsed = newYaml().load(text);
        if (parsed == null) {
          return new LinkedHashMap<>();
        }
        if (!(parsed instanceof Map)) {
          throw ConfigException.file(file, "must be a YAML mapping of keys at the top level");
        }
        return (Map<String, Object>) parsed;
      }
    } catch (YAMLException e) {
      throw ConfigException.file(file, "is not valid YAML: " + firstLine(e.getMessage()));
    } catch (IOException e) {
      throw ConfigException.file(file, "cannot be read: " + e.getMessage());
    }
  }

  /** Applies {@code a.b.c=value}; the value is parsed as a YAML scalar, list or mapping. */
  @SuppressWarnings("unchecked")
  static void applyOverride(Map<String, Object> tree, String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw ConfigException.file("--set", "expected key.path=value, got '" + override + "'");
    }
    String keyPath = override.substring(0, eq).trim();
    String valueText = override.substring(eq + 1);
    Object value;
    try {
      value = valueText.isEmpty() ? null : newYaml().load(valueText);
    } catch (YAMLException e) {
      throw new ConfigException(keyPath, "--set value '" + valueText + "' is not valid YAML");
    }
    String[] parts = splitKeyPath(keyPath);
    Map<String, Object> node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
      if (!(child instanceof Map)) {
        throw new ConfigException(String.join(".", java.util.Arrays.copyOf(parts, i + 1)),
            "is a single value, so --set " + keyPath + " cannot go inside it");
      }
      node = (Map<String, Object>) child;
    }
    node.put(parts[parts.length - 1], value);
  }

  /**
   * Splits {@code a.b.c} at dots, except that a key under {@code spark.conf} is one Spark
   * property name and keeps its own dots ({@code spark.conf.spark.sql.shuffle.partitions}).
   */
  static String[] splitKeyPath(String keyPath) {
    String sparkConf = "spark.conf.";
    if (keyPath.startsWith(sparkConf) && keyPath.length() > sparkConf.length()) {
      return new String[] {"spark", "conf", keyPath.substring(sparkConf.length())};
    }
    return keyPath.split("\\.");
  }

  /** Mappings merge key by key; lists and scalars in {@code overlay} replace those in {@code base}. */
  @SuppressWarnings("unchecked")
  static void deepMerge(Map<String, Object> base, Map<String, Object> overlay) {
    for (Map.Entry<String, Object> e : overlay.entrySet()) {
      Object existing = base.get(e.getKey());
      if (existing instanceof Map && e.getValue() instanceof Map) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) existing);
        deepMerge(copy, (Map<String, Object>) e.getValue());
        base.put(e.getKey(), copy);
      } else {
        base.put(e.getKey(), e.getValue());
      }
    }
  }

  private static String resolveSibling(String file, String relative) {
    Path rel = new Path(relative);
    if (rel.isAbsolute() || rel.toUri().getScheme() != null) {
      return relative;
    }
    Path parent = new Path(file).getParent();
    return parent == null ? relative : new Path(parent, relative).toString();
  }

  private static Yaml newYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
        options, new PlainScalars());
  }

  /**
   * YAML 1.2's core schema for plain scalars: only true/false are booleans and only plain
   * numbers are numbers. YAML 1.1 would turn {@code allowed: [yes, no]} into booleans,
   * {@code 1:30} into 90 and a bare date into a timestamp, each silently changing a value.
   */
  static final class PlainScalars extends Resolver {
    private static final Pattern BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    private static final Pattern INT = Pattern.compile("^[-+]?[0-9]+$");
    private static final Pattern FLOAT =
        Pattern.compile("^[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$");

    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOL, "tTfF");
      addImplicitResolver(Tag.INT, INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
      addImplicitResolver(Tag.NULL, NULL, "~nN\0");
      addImplicitResolver(Tag.NULL, EMPTY, null);
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("").trim();
  }
}
