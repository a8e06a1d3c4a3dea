package dev.glmpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class VersionIdTest {
  @Test
  void generatedIdsAreValid() {
    String id = VersionId.generate(ZonedDateTime.of(2026, 11, 23, 16, 21, 16, 0, ZoneOffset.UTC));
    assertThat(id).startsWith("20261123-162116-");
    assertThat(VersionId.isValid(id)).isTrue();
    assertThat(VersionId.require("--model-version", id)).isEqualTo(id);
    assertThat(VersionId.require("--model-version", null)).isNull();
  }

  @Test
  void anythingElseIsAUsageErrorNamingTheArgument() {
    for (String bad : new String[] {"../x", "a/b", "../../churn/versions/20261123-162116-b5b8", "20261123-162116-b5b8/..",
        "20261123-162116-B5B8", "20261123-162116-b5b", "", ".", "..", "champion/../x", "nope", "_tmp-20261123-162116-b5b8"}) {
      assertThat(VersionId.isValid(bad)).as(bad).isFalse();
      assertThatThrownBy(() -> VersionId.require("--model-version", bad))
          .isInstanceOf(GlmpipeException.class)
          .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(GlmpipeException.EXIT_USAGE))
          .hasMessage("--model-version must be a version id like 20261123-162116-b5b8, not '" + bad + "'");
    }
  }

  @Test
  void aliasesAreAcceptedOnlyWhereAsked() {
    assertThat(VersionId.requireVersionOrAlias("--shadow", "champion")).isEqualTo("champion");
    assertThat(VersionId.requireVersionOrAlias("--shadow", "previous")).isEqualTo("previous");
    assertThatThrownBy(() -> VersionId.require("VERSION", "champion")).hasMessageStartingWith("VERSION must be a version id");
    assertThatThrownBy(() -> VersionId.requireVersionOrAlias("--shadow", "../../x"))
        .hasMessage("--shadow must be a version id like 20261123-162116-b5b8 or an alias (champion, previous), not '../../x'");
  }

  @Test
  void theErrorStaysOnOneLine() {
    assertThatThrownBy(() -> VersionId.require("VERSION", "a\nb")).hasMessageEndingWith("not 'a?b'");
  }
}
