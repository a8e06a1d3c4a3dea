package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.HadoopSettings;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.runs.RunRecord;
import dev.glmpipe.runs.RunRecords;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code glmpipe runs list|show}: the run records, without Spark. Each prints one JSON line; a
 * run id with no record is a usage error (exit 2).
 */
@Command(name = "runs", description = "Read the run records: which runs happened, how long they took, what failed.",
    mixinStandardHelpOptions = true, subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class})
final class RunsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "a subcommand is required: one of " + String.join(", ", spec.subcommands().keySet()));
  }

  /** Config loading, the runs table on the Hadoop file system, and the one-line JSON result. */
  @Command(mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:ok", "1:unexpected failure", "2:usage or config error (unknown run id)"})
  abstract static class RecordsCommand implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    Launcher launcher;

    protected abstract Object run(RunRecords records);

    @Override
    public Integer call() {
      GlmpipeConfig config = configOptions.load();
      RunRecords records = new RunRecords(HadoopSettings.of(config), TableLayout.of(config.storage()).runs());
      launcher.out().println(JsonFiles.toJsonLine(run(records)));
      launcher.out().flush();
      return 0;
    }
  }

  /** One line per run in {@code runs list}: enough to see what happened, {@code runs show} has the rest. */
  record RunLine(String runId, String job, String status, int exitCode, String startedAt, double durationSeconds,
      String modelVersion, List<String> dates, Long rowsIn, Long rowsOut, Long rowsQuarantined, String error) {
    static RunLine of(RunRecord r) {
      return new RunLine(r.runId(), r.job(), r.status(), r.exitCode(), r.startedAt(), r.durationSeconds(), r.modelVersion(),
          r.dates(), r.rowsIn(), r.rowsOut(), r.rowsQuarantined(), r.error());
    }
  }

  record ListResult(String table, String from, String to, String job, String status, int count, List<RunLine> runs) {}

  @Command(name = "list", description = "Runs started on a range of UTC dates (default: the last 7 days), newest first.")
  static final class ListRuns extends RecordsCommand {
    @Mixin DateOptions dates;

    @Option(names = "--days", paramLabel = "N", description = "Without dates: the last N days, today included (default 7).")
    int days = 7;

    @Option(names = "--job", paramLabel = "JOB", description = "Only this job's runs (preprocess, train, …).")
    String job;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only runs with this status: succeeded or failed.")
    String status;

    @Override
    protected Object run(RunRecords records) {
      if (status != null && !List.of(RunRecord.SUCCEEDED, RunRecord.FAILED).contains(status)) {
        throw GlmpipeException.usage("--status must be succeeded or failed, not '" + status + "'");
      }
      if (days < 1) {
        throw GlmpipeException.usage("--days must be at least 1");
      }
      LocalDate from;
      LocalDate to;
      if (dates.dt == null && dates.from == null && dates.to == null) {
        to = LocalDate.now(ZoneOffset.UTC);
        from = to.minusDays(days - 1L);
      } else {
        from = dates.range().from();
        to = dates.range().to();
      }
      List<RunLine> lines = records.list(from, to, job).stream()
          .filter(r -> status == null || status.equals(r.status())).map(RunLine::of).toList();
      return new ListResult(records.table().toString(), from.toString(), to.toString(), job, status, lines.size(), lines);
    }
  }

  @Command(name = "show", description = "One run's full record: phases, rows, bytes, task metrics, versions, error.")
  static final class Show extends RecordsCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run's id (as printed first in its result).")
    String runId;

    @Override
    protected Object run(RunRecords records) {
      RunRecord record = records.get(runId);
      if (record == null) {
        throw GlmpipeException.usage("no run record with run id '" + runId + "' in " + records.table());
      }
      return record;
    }
  }
}
