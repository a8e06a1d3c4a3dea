package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.monitor.MonitorDates;
import dev.glmpipe.runs.PipelineContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code glmpipe monitor}: see {@link MonitorDates}. */
@Command(name = "monitor", description = "Watch scored dates: input and score drift, estimated performance, and"
    + " (with --realized) realized performance once labels arrive; writes the monitoring table and report.")
final class MonitorJob extends JobCommand<DateRange> {
  @Mixin DateOptions dates;

  @Option(names = "--new", description = "Monitor every scored date not monitored since it was (re)scored.")
  boolean newOnly;

  @Option(names = "--realized", description = "Realized performance instead of drift: for each given date, the scored"
      + " dates whose label window (monitor.labels) is open that day are measured against the labels arrived so far.")
  boolean realized;

  @Override
  protected DateRange options(GlmpipeConfig config) {
    if (newOnly && (dates.dt != null || dates.from != null || dates.to != null)) {
      throw GlmpipeException.usage("give either --new or dates (--dt, --from/--to), not both");
    }
    if (newOnly && realized) {
      throw GlmpipeException.usage("--realized takes dates (--dt, --from/--to): the labels' arrival dates to measure as of");
    }
    return newOnly ? null : dates.range();
  }

  @Override
  protected Object run(PipelineContext context, DateRange range) {
    MonitorDates monitor = MonitorDates.of(context);
    if (range == null) {
      return monitor.newOnly().execute();
    }
    monitor.dates(range);
    return (realized ? monitor.realized() : monitor).execute();
  }

  /** Realized-performance runs push under their own label, so they never overwrite the drift run's metrics. */
  @Override
  protected String metricsJob() {
    return realized ? "monitor_realized" : "monitor";
  }
}
