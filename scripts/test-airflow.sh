#!/usr/bin/env bash
# Tests glmpipe's Airflow DAGs against a real, pinned Airflow 3 (no mocks):
#   1. .venv/airflow with the versions pinned in airflow-dags/constraints-py3.11.txt
#      (made once, reused while the pins are unchanged),
#   2. a real spark-submit (pyspark's bin/, via ensure_pyspark) and the shaded jar (build_jar),
#   3. moto in server mode (.venv/moto, via ensure_moto) for the EMR DAGs' AWS APIs on 127.0.0.1,
#   4. pytest on airflow-dags/tests/ — extra arguments go to pytest (e.g. -k wiring);
#      ruff (pinned with Airflow) checks the DAGs with its Airflow rules inside the tests.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/s3.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/s3.sh"

DAGS_PROJECT="$GLMPIPE_ROOT/airflow-dags"
AIRFLOW_VENV="$GLMPIPE_ROOT/.venv/airflow"
CONSTRAINTS="$DAGS_PROJECT/constraints-py3.11.txt"
REQUIREMENTS="$DAGS_PROJECT/requirements.txt"
# pip is not in a pip freeze, so it is pinned here to keep resolution the same everywhere.
PIP_VERSION="26.3"

# The constraints were frozen on Python 3.11: another minor version would resolve other wheels.
find_python311() {
  local py
  for py in "${GLMPIPE_AIRFLOW_PYTHON:-}" python3.11 python3; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$py"
      return 0
    fi
  done
  die "Python 3.11 not found (Debian: apt-get install -y python3.11 python3.11-venv; or set GLMPIPE_AIRFLOW_PYTHON)"
}

# The marker holds the hash of the pins, so editing them rebuilds the venv and nothing else does.
ensure_airflow_venv() {
  local marker="$AIRFLOW_VENV/.glmpipe-installed" want
  want=$(cat "$CONSTRAINTS" "$REQUIREMENTS" <(echo "pip==$PIP_VERSION") | sha256sum | cut -d' ' -f1)
  if [ -x "$AIRFLOW_VENV/bin/airflow" ] && [ "$(cat "$marker" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local py start
  py=$(find_python311)
  start=$(date +%s)
  log "installing Airflow into .venv/airflow from $(basename "$CONSTRAINTS") (about 2 GB, a few minutes, once)"
  rm -rf "$AIRFLOW_VENV"
  "$py" -m venv "$AIRFLOW_VENV" || die "python -m venv failed (Debian: apt-get install -y python3-venv)"
  "$AIRFLOW_VENV/bin/pip" install -q --disable-pip-version-check "pip==$PIP_VERSION" \
    || die "could not install pip==$PIP_VERSION"
  "$AIRFLOW_VENV/bin/pip" install -q --disable-pip-version-check -c "$CONSTRAINTS" -r "$REQUIREMENTS" \
    || die "pip install -c $CONSTRAINTS -r $REQUIREMENTS failed"
  "$AIRFLOW_VENV/bin/pip" check >&2 || die "the Airflow venv has conflicting requirements (pip check)"
  echo "$want" > "$marker"
  log "Airflow venv ready in $(( $(date +%s) - start ))s"
}

main() {
  ensure_airflow_venv
  # The end-to-end test submits the real jar with a real spark-submit.
  GLMPIPE_SPARK_HOME=$(ensure_pyspark)
  build_jar
  # The EMR DAGs run against moto (tests/test_emr_moto.py starts and stops its server).
  ensure_moto
  GLMPIPE_MOTO_PYTHON="$MOTO_VENV/bin/python"
  export GLMPIPE_SPARK_HOME GLMPIPE_JAR GLMPIPE_MOTO_PYTHON
  cd "$DAGS_PROJECT"
  "$AIRFLOW_VENV/bin/python" -m pytest tests "$@"
}

# Sourcing the file (to reuse ensure_airflow_venv) defines the functions without running the tests.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
