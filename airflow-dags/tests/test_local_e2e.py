"""glmpipe_local run by Airflow itself (`dag.test()`) on real Spark: the pyspark package's
spark-submit, master local[2], the shaded jar, storage in a temp dir.

One run with retrain=always covers the whole flow in seven spark-submits: preprocess → train →
evaluate → export → score → monitor → monitor --realized (train_days=1: datagen makes one day of
raw data, and train needs every day of its window). Another run checks that a config error fails
at once, without retries; a stand-in application run by the same spark-submit checks which exit
codes the operator retries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import REPO_ROOT

import glmpipe_common

LOGICAL_DATE = datetime(2026, 11, 7, tzinfo=timezone.utc)
DT = "2026-11-07"
JAR = REPO_ROOT / "jobs" / "target" / glmpipe_common.jar_name(glmpipe_common.GLMPIPE_VERSION)
CONF = REPO_ROOT / "conf" / "local.yaml"
SPARK_SUBMIT_TIMEOUT = 300  # seconds; one local job takes ~10
MODEL = "churn"  # dataset.name in conf/base.yaml


def spark_home() -> Path:
    """SPARK_HOME of the pyspark package (scripts/lib/common.sh: ensure_pyspark)."""
    if os.environ.get("GLMPIPE_SPARK_HOME"):
        home = Path(os.environ["GLMPIPE_SPARK_HOME"])
    else:
        python = REPO_ROOT / ".venv" / "spark" / "bin" / "python"
        found = python.exists() and subprocess.run(
            [str(python), "-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"],
            capture_output=True, text=True, check=False)
        home = Path(found.stdout.strip()) if found and found.returncode == 0 else None
    if home is None or not (home / "bin" / "spark-submit").exists():
        pytest.fail("no spark-submit: run scripts/test-airflow.sh, or install it with "
                    "`bash -c 'source scripts/lib/common.sh && ensure_pyspark'` "
                    "and set GLMPIPE_SPARK_HOME to the path it prints")
    return home


@pytest.fixture(scope="module")
def spark_submit_env():
    """spark-submit on PATH (the operator runs that name), bound to loopback."""
    home = spark_home()
    return {
        "SPARK_HOME": str(home),
        "PATH": f"{home / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


@pytest.fixture(scope="module")
def spark_env(spark_submit_env):
    """spark_submit_env and the shaded jar."""
    jar = Path(os.environ.get("GLMPIPE_JAR") or JAR)
    if not jar.exists():
        pytest.fail(f"no jar at {jar}: build it with `./mvnw -B -q -DskipTests package` at the repo root")
    return {**spark_submit_env, "GLMPIPE_JAR": str(jar)}


@pytest.fixture
def local_airflow(airflow_db, spark_env, monkeypatch):
    """What a deployment provides: the spark connection and the DAG's two Variables."""
    for key, value in spark_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AIRFLOW_CONN_GLMPIPE_SPARK_LOCAL",
                       json.dumps({"conn_type": "spark", "host": "local[2]", "extra": {"deploy-mode": "client"}}))
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_JAR", spark_env["GLMPIPE_JAR"])
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_CONF", str(CONF))


def run_job(args: list[str], env: dict[str, str]) -> dict:
    """One launcher run outside Airflow (to make the raw input); returns its JSON result."""
    cmd = ["spark-submit", "--master", "local[2]", "--class", glmpipe_common.MAIN_CLASS, env["GLMPIPE_JAR"], *args]
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=SPARK_SUBMIT_TIMEOUT, check=False)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def storage_overrides(root: Path) -> dict[str, str]:
    # conf/local.yaml reads raw data from ./data-samples/raw; the test's own raw data sits under root.
    return {"storage.root": root.as_uri(), "storage.tables.raw": "raw"}


def states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def test_daily_flow_with_retrain_runs_on_real_spark(local_airflow, spark_env, dagbag, tmp_path):
    root = tmp_path / "storage"
    overrides = storage_overrides(root)
    datagen = run_job(["datagen", "--conf", str(CONF), "--dt", DT,
                       *glmpipe_common.set_args(overrides)], spark_env)
    assert datagen["rows"] > 0

    run = dagbag.dags["glmpipe_local"].test(
        logical_date=LOGICAL_DATE,
        run_conf={"retrain": "always", "train_days": 1, "set": overrides},
    )

    assert states(run) == {
        "preprocess": "success",
        "should_retrain": "success",
        "train": "success",
        "evaluate": "success",
        "export": "success",
        "skip_retrain": "skipped",
        "retrain_finished": "success",
        "score": "success",
        "monitor": "success",
        "monitor_realized": "success",
        "watcher": "skipped",  # nothing failed
    }
    assert str(run.state) == "success"
    scored = list(root.glob(f"scores/*/dt={DT}/_SUCCESS"))
    assert scored, f"no scores partition for {DT} under {root}"
    assert list(scored[0].parent.glob("*.parquet")), "the scores partition has no data files"
    # storage.tables.monitoring and .reports keep their defaults (conf/base.yaml).
    monitored = root / "monitoring" / MODEL / f"dt={DT}"
    assert (monitored / "_SUCCESS").is_file(), f"no monitoring partition for {DT} at {monitored}"
    assert (root / "reports" / f"monitoring-{MODEL}.html").is_file(), "no monitoring report"


def test_config_error_fails_at_once_and_fails_the_run(local_airflow, dagbag, tmp_path):
    """Exit code 2 is not retried although the task has retries; the watcher fails the run."""
    overrides = {**storage_overrides(tmp_path / "storage"), "no_such.key": "1"}
    run = dagbag.dags["glmpipe_local"].test(
        logical_date=LOGICAL_DATE,
        run_conf={"retrain": "never", "set": overrides},
    )

    tis = {ti.task_id: ti for ti in run.get_task_instances()}
    assert str(tis["preprocess"].state) == "failed"  # not up_for_retry
    assert tis["preprocess"].try_number == 1
    assert str(tis["score"].state) == "upstream_failed"
    assert str(tis["monitor"].state) == "upstream_failed"
    # Realized performance runs whatever the drift step did (ALL_DONE), and meets the same error.
    assert str(tis["monitor_realized"].state) == "failed"
    assert tis["monitor_realized"].try_number == 1
    assert str(tis["watcher"].state) == "failed"
    assert str(run.state) == "failed"


@pytest.mark.parametrize(
    ("code", "retried"),
    [
        (glmpipe_common.EXIT_OTHER, True),
        (glmpipe_common.EXIT_USAGE, False),
        (glmpipe_common.EXIT_REJECTED, False),
        (glmpipe_common.EXIT_MONITOR_ALERT, False),
    ],
)
def test_exit_codes_a_retry_cannot_change_fail_at_once(spark_submit_env, monkeypatch, tmp_path, code, retried):
    """The operator reads the exit code spark-submit passes on from its application.

    The launcher cannot be made to exit with each code on demand (5 needs a monitoring alert),
    so the application is a Python file exiting with the code, run by the same real spark-submit
    in client mode; spark-submit exits with an application's own exit code either way.
    """
    from airflow.sdk.exceptions import AirflowFailException
    from glmpipe_local import SPARK_CONN_ID, GlmpipeSparkSubmitOperator

    for key, value in spark_submit_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(f"AIRFLOW_CONN_{SPARK_CONN_ID.upper()}", json.dumps({"conn_type": "spark", "host": "local[2]"}))
    app = tmp_path / "exit_with.py"
    app.write_text("import sys\nsys.exit(int(sys.argv[1]))\n")
    op = GlmpipeSparkSubmitOperator(
        task_id="monitor", conn_id=SPARK_CONN_ID, application=str(app), application_args=[str(code)])
    with pytest.raises(Exception) as failure:
        op.execute({})
    assert op.exit_code() == code
    assert isinstance(failure.value, AirflowFailException) is not retried
    if not retried:
        assert f"exited with {code}" in str(failure.value)


def test_missing_input_stays_retryable(spark_env, monkeypatch, tmp_path):
    """Exit code 3 (no raw partition yet) may be late data: the operator leaves it to retries."""
    from airflow.sdk.exceptions import AirflowFailException
    from glmpipe_local import SPARK_CONN_ID, GlmpipeSparkSubmitOperator

    for key, value in spark_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(f"AIRFLOW_CONN_{SPARK_CONN_ID.upper()}", json.dumps({"conn_type": "spark", "host": "local[2]"}))
    op = GlmpipeSparkSubmitOperator(
        task_id="preprocess",
        conn_id=SPARK_CONN_ID,
        application=spark_env["GLMPIPE_JAR"],
        java_class=glmpipe_common.MAIN_CLASS,
        application_args=glmpipe_common.job_args(
            "preprocess", str(CONF), dt=DT, overrides=storage_overrides(tmp_path / "empty")),
    )
    with pytest.raises(Exception) as failure:
        op.execute({})
    assert op.exit_code() == glmpipe_common.EXIT_DATA
    assert not isinstance(failure.value, AirflowFailException)
