#!/usr/bin/env bash
# Tests the builds other than the default (README: Which jar each platform takes), each its own
# shaded jar compiled into its own target/<build>/, so nothing the default build made is redone
# or overwritten. ANSI mode is on for one Spark 3.5 build and off for one Spark 4 build, so both
# lines run both modes (the default build runs 3.5 with it off, Spark 4.0 runs with it on).
#
#   scripts/test-builds.sh [lean|full] [BUILD...]    BUILD: spark40_2.13 spark35_2.13 spark42_2.13 (default: all three)
#
# lean (what scripts/test.sh runs, to stay in CI's time budget): every build compiles, packages
# and lists its jar (ShadedJarIT); its unit tests of what differs by Spark line (the compiled
# scorer and the ONNX/JSON exports against MLlib, the pipeline loader and MLlib's private
# readers, the internal-row scans, ANSI mode); and the end-to-end pipeline (PipelineIT) through
# the launcher, plus scoring (ScoreIT) and the contract on Spark 4.0.
# full: every unit test on each build; integration tests: on Spark 4.0 the pipeline, scoring,
# training, release, preprocess, contract, bad input, monitoring and Iceberg ones; on the other
# two the pipeline and scoring ones.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"
require_java17

level="${1:-lean}"
case "$level" in lean|full) shift || true ;; *) level=lean ;; esac
builds=("$@")
[ "${#builds[@]}" -gt 0 ] || builds=(spark40_2.13 spark35_2.13 spark42_2.13)

# Unit tests of what differs by Spark line (lean).
SPARK_LINE_UNITS="CompiledScorerParityTest,CompiledPlanTest,CompiledOneHotTest,OnnxParityTest,ExportedModelParityTest,PipelineLoaderTest,FittedPlanTest,StatisticsPassTest,BinnedCountsTest,TrainServeIdentityTest,AnsiDataErrorTest,RealizedPerformanceTest,EstimatedPerformanceTest"

for build in "${builds[@]}"; do
  case "$build" in
    spark40_2.13) profile=spark40;          ansi="";           full_its="ShadedJarIT,PipelineIT,ScoreIT,TrainIT,ReleaseIT,PreprocessIT,ContractIT,BadInputIT,MonitorIT,IcebergScoresIT"
                  lean_units="$SPARK_LINE_UNITS,ContractValidatorTest"; lean_its="ShadedJarIT,PipelineIT,ScoreIT" ;;
    spark35_2.13) profile=spark35-scala213; ansi="-Dtest.ansi=true";  full_its="ShadedJarIT,PipelineIT,ScoreIT"
                  lean_units="$SPARK_LINE_UNITS"; lean_its="ShadedJarIT,PipelineIT" ;;
    spark42_2.13) profile=spark4-latest;    ansi="-Dtest.ansi=false"; full_its="ShadedJarIT,PipelineIT,ScoreIT"
                  lean_units="$SPARK_LINE_UNITS"; lean_its="ShadedJarIT,PipelineIT" ;;
    *) die "not a build to test here: $build (spark40_2.13, spark35_2.13, spark42_2.13)" ;;
  esac
  if [ "$level" = full ]; then
    units=() its="$full_its"
  else
    units=("-Dtest=$lean_units" -Dsurefire.failIfNoSpecifiedTests=false) its="$lean_its"
  fi
  log "build $build ($level): ./mvnw -P $profile verify"
  started=$(date +%s)
  # shellcheck disable=SC2086
  ./mvnw -B -P "$profile" $ansi verify "${units[@]}" -Dit.test="$its" -Dfailsafe.failIfNoSpecifiedTests=false
  log "build $build ($level): passed in $(( $(date +%s) - started )) s"
done
