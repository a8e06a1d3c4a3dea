package dev.glmpipe.jobs;

import dev.glmpipe.config.LoggingConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.plugins.util.PluginManager;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.format}: with {@code json}, the driver's console log lines become one JSON
 * object each (log4j2's JSON template layout with {@value #TEMPLATE}), for log shippers.
 *
 * <p>Applied once the config is loaded: every console appender of the running Log4j 2
 * configuration (ours from {@code conf/log4j2.properties}, Spark's defaults, or the platform's)
 * is replaced by one with the same name, target and filters and the JSON layout. Levels and
 * other appenders (files) stay as configured; executors keep the platform's log config. A JVM
 * runs one job, so nothing switches back; {@code text} changes nothing.
 */
public final class LogFormat {
  private static final Logger LOG = LoggerFactory.getLogger(LogFormat.class);

  /** Our event template: timestamp, level, logger, thread, message, run_id, exception. */
  static final String TEMPLATE = "classpath:dev/glmpipe/jobs/log-event.json";

  /**
   * Where the layout's resolvers (the plugins behind {@code "$resolver"}) live. Under
   * spark-submit our jar sits on a child class loader that Log4j's plugin registry, read when
   * Spark first logged, never saw; naming the package makes Log4j scan it there too.
   */
  private static final String RESOLVER_PACKAGE = "org.apache.logging.log4j.layout.template.json";

  /** Long enough for a Spark stack trace, well under what CloudWatch or Cloud Logging take per entry. */
  private static final int MAX_STRING_LENGTH = 65_536;

  private LogFormat() {}

  /** Switches the driver's console logging to JSON lines if {@code logging.format} says so. */
  public static void apply(LoggingConfig logging) {
    switchToJson(logging, false);
  }

  /**
   * Switches again what Spark switched back. Spark 4, when it runs on its default Log4j profile
   * (no log4j2.properties of the platform's), reconfigures Log4j as its context starts, which
   * drops the JSON layout {@link #apply} set; its start-up lines keep Spark's format, and from
   * here on every line is JSON again. Changes nothing when the layout is still in place (Spark 3.5).
   */
  public static void reapplyAfterSparkStart(LoggingConfig logging) {
    switchToJson(logging, true);
  }

  /** {@code again}: after Spark started, when only a layout Spark reset needs switching, silently otherwise. */
  private static void switchToJson(LoggingConfig logging, boolean again) {
    if (logging.format() != LoggingConfig.Format.JSON) {
      return;
    }
    if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
      if (!again) {
        LOG.warn("logging.format=json needs Log4j 2 as the logging backend; the log keeps its format");
      }
      return;
    }
    int switched;
    try {
      switched = toJson(context);
    } catch (RuntimeException | LinkageError e) {
      // A log format is no reason to fail a run: say so in the format we have.
      LOG.warn("logging.format=json could not be applied{}; the log keeps its format", again ? " again after Spark started" : "", e);
      return;
    }
    if (again) {
      if (switched > 0) {
        LOG.info("log format: json again ({} console appender(s)): Spark reset the logging as its context started", switched);
      }
    } else if (switched == 0) {
      LOG.warn("logging.format=json: the Log4j configuration has no console appender; the log keeps its format");
    } else {
      LOG.info("log format: json ({} console appender(s), template {})", switched, TEMPLATE);
    }
  }

  private static synchronized int toJson(LoggerContext context) {
    if (!(context.getConfiguration() instanceof AbstractConfiguration config)) {
      return 0;
    }
    List<ConsoleAppender> consoles = new ArrayList<>();
    for (Appender appender : config.getAppenders().values()) {
      if (appender instanceof ConsoleAppender console && !(console.getLayout() instanceof JsonTemplateLayout)) {
        consoles.add(console);
      }
    }
    if (consoles.isEmpty()) {
      return 0;
    }
    PluginManager.addPackage(RESOLVER_PACKAGE);
    Layout<String> layout = JsonTemplateLayout.newBuilder()
        .setConfiguration(config)
        .setEventTemplateUri(TEMPLATE)
        .setMaxStringLength(MAX_STRING_LENGTH)
        .build();

    Set<LoggerConfig> loggers = Collections.newSetFromMap(new IdentityHashMap<>());
    loggers.add(config.getRootLogger());
    loggers.addAll(config.getLoggers().values());
    for (ConsoleAppender old : consoles) {
      String name = old.getName();
      ConsoleAppender json = ConsoleAppender.newBuilder()
          .setName(name)
          .setTarget(old.getTarget())
          .setLayout(layout)
          .setFilter(old.getFilter())
          .setIgnoreExceptions(old.ignoreExceptions())
          .setConfiguration(config)
          .build();
      json.start();
      // Which loggers wrote to it, with the level and filter of their reference.
      Map<LoggerConfig, AppenderRef> users = new LinkedHashMap<>();
      for (LoggerConfig logger : loggers) {
        if (logger.getAppenders().containsKey(name)) {
          users.put(logger, logger.getAppenderRefs().stream()
              .filter(ref -> name.equals(ref.getRef())).findFirst().orElse(null));
        }
      }
      // Detaches it from every logger and stops it (the shared System.err stream stays open).
      config.removeAppender(name);
      config.addAppender(json);
      users.forEach((logger, ref) -> {
        Level level = ref == null ? null : ref.getLevel();
        Filter filter = ref == null ? null : ref.getFilter();
        logger.addAppender(json, level, filter);
      });
    }
    context.updateLoggers();
    return consoles.size();
  }
}
