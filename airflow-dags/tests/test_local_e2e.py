"""glmpipe_local run by Airflow itself (`dag.test()`) on real Spark: the pyspark package's
spark-submit, master local[2], the shaded jar, storage in a temp dir.

One run with retrain=always covers the whole flow in seven spark-submits: preprocess → train →
evaluate → export → score → monitor → monitor --realized (train_days=1: datagen makes one day of
raw data, and train needs every day of its window). Two tests read what it did: the tables and
report it wrote, and the runs table's record of each job under the run id the task passed.
Another run checks that a config error fails at once, without retries; a stand-in application
run by the same spark-submit checks which exit codes the operator retries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
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


def deploy_local(monkeypatch: pytest.MonkeyPatch, spark_env: dict[str, str]) -> None:
    """What a deployment provides: the spark connection and the DAG's two Variables."""
    for key, value in spark_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AIRFLOW_CONN_GLMPIPE_SPARK_LOCAL",
                       json.dumps({"conn_type": "spark", "host": "local[2]", "extra": {"deploy-mode": "client"}}))
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_JAR", spark_env["GLMPIPE_JAR"])
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_CONF", str(CONF))


@pytest.fixture
def local_airflow(airflow_db, spark_env, monkeypatch):
    deploy_local(monkeypatch, spark_env)


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


@dataclass(frozen=True)
class FinishedRun:
    """What the tests read of a finished DAG run: Airflow's view of it, and its storage root."""

    run_id: str
    state: str
    states: dict[str, str]
    try_numbers: dict[str, int]
    # The application_args each spark-submit task rendered, as Airflow stored them for its UI.
    rendered_args: dict[str, list[str]]
    root: Path


@pytest.fixture(scope="module")
def daily_run(airflow_db, spark_env, dagbag, tmp_path_factory) -> FinishedRun:
    """One daily run with retrain=always on a day of generated raw data (seven spark-submits)."""
    root = tmp_path_factory.mktemp("daily") / "storage"
    overrides = storage_overrides(root)
    with pytest.MonkeyPatch.context() as monkeypatch:
        deploy_local(monkeypatch, spark_env)
        datagen = run_job(["datagen", "--conf", str(CONF), "--dt", DT,
                           *glmpipe_common.set_args(overrides)], spark_env)
        assert datagen["rows"] > 0
        run = dagbag.dags["glmpipe_local"].test(
            logical_date=LOGICAL_DATE,
            run_conf={"retrain": "always", "train_days": 1, "set": overrides},
        )
    from airflow.models.renderedtifields import RenderedTaskInstanceFields

    tis = run.get_task_instances()
    rendered = {ti.task_id: RenderedTaskInstanceFields.get_templated_fields(ti) or {} for ti in tis}
    return FinishedRun(
        run_id=run.run_id,
        state=str(run.state),
        states={ti.task_id: str(ti.state) for ti in tis},
        try_numbers={ti.task_id: ti.try_number for ti in tis},
        rendered_args={task_id: fields["application_args"] for task_id, fields in rendered.items()
                       if "application_args" in fields},
        root=root,
    )


def test_daily_flow_with_retrain_runs_on_real_spark(daily_run):
    root = daily_run.root
    assert daily_run.states == {
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
    assert daily_run.state == "success"
    scored = list(root.glob(f"scores/*/dt={DT}/_SUCCESS"))
    assert scored, f"no scores partition for {DT} under {root}"
    assert list(scored[0].parent.glob("*.parquet")), "the scores partition has no data files"
    # storage.tables.monitoring and .reports keep their defaults (conf/base.yaml).
    monitored = root / "monitoring" / MODEL / f"dt={DT}"
    assert (monitored / "_SUCCESS").is_file(), f"no monitoring partition for {DT} at {monitored}"
    assert (root / "reports" / f"monitoring-{MODEL}.html").is_file(), "no monitoring report"


def task_run_id(run: FinishedRun, task_id: str) -> str:
    """The run id the task passed: Airflow's run id needs no change, so it is the plain join."""
    return f"{run.run_id}.{task_id}.{run.try_numbers[task_id]}"


def test_each_job_was_submitted_with_its_own_run_id(daily_run):
    launcher_jobs = glmpipe_common.flow_args(str(CONF))
    assert set(daily_run.rendered_args) == set(launcher_jobs)
    for task_id, args in daily_run.rendered_args.items():
        assert args[0] == launcher_jobs[task_id][0], args
        assert args[args.index("--run-id") + 1] == task_run_id(daily_run, task_id), args


def run_records(root: Path) -> list[tuple[Path, dict]]:
    """Every record of the runs table (<storage root>/runs/dt=<day>/job=<job>/<file>.json)."""
    return [(path, json.loads(path.read_text())) for path in sorted(root.glob("runs/dt=*/job=*/*.json"))]


def test_every_job_of_the_run_left_its_record_under_the_task_run_id(daily_run):
    """Each glmpipe task passed --run-id <Airflow run id>.<task id>.<try number>; the launcher
    writes the runs table's record under that id, so a record leads back to its Airflow task."""
    records = run_records(daily_run.root)
    by_run_id: dict[str, list[tuple[Path, dict]]] = {}
    for path, record in records:
        by_run_id.setdefault(record["run_id"], []).append((path, record))
    launcher_job = {task_id: args[0] for task_id, args in glmpipe_common.flow_args(str(CONF)).items()}
    for task_id, job in launcher_job.items():
        run_id = task_run_id(daily_run, task_id)
        found = by_run_id.get(run_id, [])
        assert len(found) == 1, (
            f"{len(found)} records with run_id {run_id!r} under {daily_run.root / 'runs'}; "
            f"run ids found: {sorted(by_run_id)}")
        path, record = found[0]
        assert record["status"] == "succeeded", record
        # monitor_realized runs the monitor job (with --realized); its metrics label it
        # monitor_realized, so either name is the task's job.
        assert record["job"] in {job, task_id}, record
        assert path.parent.name == f"job={record['job']}", path


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
