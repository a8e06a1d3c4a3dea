package dev.glmpipe.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ledger records name the run that scored; records written before they did still read. */
class ScoringLedgerTest {
  private static final LocalDate DT = LocalDate.parse("2026-11-07");

  @TempDir Path tmp;

  @Test
  void aRecordNamesItsRunAndAnOlderRecordWithoutOneStillReads() throws Exception {
    ScoringLedger ledger = new ScoringLedger(new Configuration(), new org.apache.hadoop.fs.Path(tmp.toUri()));
    Path dir = Files.createDirectories(tmp.resolve("_ledger/dt=" + DT));
    Files.writeString(dir.resolve("v1.json"), "{\"dt\": \"2026-11-07\", \"model_version\": \"v1\", \"rows\": 5,"
        + " \"scored_at\": \"2026-11-08T01:00:00Z\", \"input_committed_at\": 100, \"engine\": \"compiled\"}",
        StandardCharsets.UTF_8);
    ledger.record(new ScoringLedger.Entry(DT.toString(), "v2", 5, "2026-11-08T02:00:00Z", 100, "compiled", "score-1"));

    assertThat(ledger.entries(DT)).extracting(ScoringLedger.Entry::modelVersion, ScoringLedger.Entry::runId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("v1", null), org.assertj.core.groups.Tuple.tuple("v2", "score-1"));
    assertThat(Files.readString(dir.resolve("v2.json"))).contains("\"run_id\" : \"score-1\"");
    // The old record still counts for what is done.
    assertThat(ledger.needsScoring(DT, "v2", 100, false)).isFalse();
  }
}
