"""glmpipe_local and glmpipe_local_train run by Airflow itself on real Spark: the pyspark
package's spark-submit, master local[2], the shaded jar, storage in a temp dir.

One storage root, days in order: datagen makes raw data for 2026-11-06..09 (the 9th drifted);
the training DAG trains on the 6th (`dag.test()`: the champion); then `airflow backfill create`
over the 7th..9th, run by a real scheduler (LocalExecutor) and the Execution API
(`airflow api-server`) on 127.0.0.1 (tests/airflow_services.py), one run at a time:
- the 7th, data complete: wait_for_data → preprocess → score → monitor → monitor_realized, no alert;
- the 8th, whose marker lands only once its sensor was rescheduled (reschedule mode): the flow runs after it;
- the 9th, drifted: monitor alerts, and the alert check triggers the training DAG with the reason.
With `dag.test()`: a day with no data times out naming the partition; a config error fails at
once, without retries, and the test notifier records it. A stand-in application run by the same
spark-submit checks which exit codes the operator retries.
Sensors poke every second; the missing day times out after a few (the [glmpipe] data_* settings).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
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


# The JVM of each spark-submit (in client mode, the driver's): the tests' jobs are a few seconds
# on a few thousand rows, which HotSpot's optimizing compiler (C2) and G1's threads only slow
# down; the C1 compiler and the serial collector halve each job's CPU time. Nothing a job does
# changes. A deployment keeps the JVM's defaults.
TEST_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="module")
def spark_submit_env():
    """spark-submit on PATH (the operator runs that name), bound to loopback."""
    home = spark_home()
    return {
        "SPARK_HOME": str(home),
        "PATH": f"{home / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_SUBMIT_OPTS": TEST_JVM_OPTIONS,
    }


@pytest.fixture(scope="module")
def spark_env(spark_submit_env):
    """spark_submit_env and the shaded jar."""
    jar = Path(os.environ.get("GLMPIPE_JAR") or JAR)
    if not jar.exists():
        pytest.fail(f"no jar at {jar}: build it with `./mvnw -B -q -DskipTests package` at the repo root")
    return {**spark_submit_env, "GLMPIPE_JAR": str(jar)}


SENSOR_SETTINGS = {"AIRFLOW__GLMPIPE__DATA_POKE_INTERVAL": "1", "AIRFLOW__GLMPIPE__DATA_TIMEOUT": "6"}


def deployment_env(spark_env: dict[str, str], root: Path | None = None) -> dict[str, str]:
    """What a deployment provides: the spark and fs connections, the DAG's Variables, the settings."""
    env = {
        **spark_env,
        **SENSOR_SETTINGS,
        "AIRFLOW_CONN_GLMPIPE_SPARK_LOCAL": json.dumps(
            {"conn_type": "spark", "host": "local[2]", "extra": {"deploy-mode": "client"}}),
        "AIRFLOW_CONN_FS_DEFAULT": json.dumps({"conn_type": "fs"}),
        "AIRFLOW_VAR_GLMPIPE_LOCAL_JAR": spark_env["GLMPIPE_JAR"],
        "AIRFLOW_VAR_GLMPIPE_LOCAL_CONF": str(CONF),
    }
    if root is not None:
        env["AIRFLOW_VAR_GLMPIPE_LOCAL_RAW"] = (root / "raw").as_uri()
    return env


def deploy_local(monkeypatch: pytest.MonkeyPatch, spark_env: dict[str, str], root: Path | None = None) -> None:
    """The deployment's environment in this process (for `dag.test()`)."""
    for key, value in deployment_env(spark_env, root).items():
        monkeypatch.setenv(key, value)


def local_dags():
    """glmpipe_local and glmpipe_local_train parsed now, with the environment's settings."""
    from airflow.dag_processing.dagbag import BundleDagBag
    from conftest import DAGS_DIR

    bag = BundleDagBag(dag_folder=DAGS_DIR / "glmpipe_local.py", bundle_path=DAGS_DIR, bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    return bag.dags["glmpipe_local"], bag.dags["glmpipe_local_train"]


def day(dt: str) -> datetime:
    return datetime.fromisoformat(dt).replace(tzinfo=timezone.utc)


def mark_complete(root: Path, dt: str) -> None:
    """What the raw data's producer does last: the partition's _SUCCESS marker."""
    partition = root / "raw" / f"dt={dt}"
    assert any(partition.iterdir()), f"no raw data in {partition}"
    (partition / "_SUCCESS").write_text("")


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
    # Fewer rows than the default keep each job short.
    return {"storage.root": root.as_uri(), "storage.tables.raw": "raw", "datagen.rows_per_day": "1500"}


@dataclass(frozen=True)
class FinishedRun:
    """What the tests read of a finished DAG run: Airflow's view of it, and its storage root."""

    run_id: str
    state: str
    states: dict[str, str]
    starts: dict[str, object]
    try_numbers: dict[str, int]
    # The application_args each spark-submit task rendered, as Airflow stored them for its UI.
    rendered_args: dict[str, list[str]]
    root: Path


DAYS = ("2026-11-06", "2026-11-07", "2026-11-08", "2026-11-09")
TRAIN_DAY = DAYS[0]
BACKFILL_DAYS = DAYS[1:]  # the 7th (data there), the 8th (data late), the 9th (drifted)
LATE_DAY = "2026-11-08"
DRIFT_DAY = "2026-11-09"
# A large shift of one input on the drift day: its PSI passes both bands.
DRIFT = f"[{{from: {DRIFT_DAY}, kind: shift, column: monthly_charges, by: 60.0}}]"


def finished(run, root: Path) -> FinishedRun:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields

    tis = run.get_task_instances()
    rendered = {ti.task_id: RenderedTaskInstanceFields.get_templated_fields(ti) or {} for ti in tis}
    return FinishedRun(
        run_id=run.run_id,
        state=str(run.state),
        states={ti.task_id: str(ti.state) for ti in tis},
        starts={ti.task_id: ti.start_date for ti in tis},
        try_numbers={ti.task_id: ti.try_number for ti in tis},
        rendered_args={task_id: fields["application_args"] for task_id, fields in rendered.items()
                       if "application_args" in fields},
        root=root,
    )


@pytest.fixture(scope="module")
def storage(airflow_db, spark_env, tmp_path_factory) -> Path:
    """Raw data for DAYS (the last one drifted), the 6th preprocessed, and a champion trained on it
    by the training DAG."""
    root = tmp_path_factory.mktemp("daily") / "storage"
    overrides = storage_overrides(root)
    with pytest.MonkeyPatch.context() as monkeypatch:
        deploy_local(monkeypatch, spark_env, root)
        datagen = run_job(["datagen", "--conf", str(CONF), "--from", TRAIN_DAY, "--to", DAYS[-1],
                           *glmpipe_common.set_args({**overrides, "datagen.drift": DRIFT})], spark_env)
        assert datagen["rows"] > 0
        run_job(["preprocess", "--conf", str(CONF), "--dt", TRAIN_DAY, *glmpipe_common.set_args(overrides)], spark_env)
        _, train = local_dags()
        trained = train.test(logical_date=day(TRAIN_DAY),
                             run_conf={"to": TRAIN_DAY, "train_days": 1, "reason": "manual", "set": overrides})
        states = {ti.task_id: str(ti.state) for ti in trained.get_task_instances()}
        assert states == {"train": "success", "evaluate": "success", "export": "success"}, states
        assert str(trained.state) == "success"
    return root


def run_daily(spark_env, root: Path, dt: str) -> FinishedRun:
    """glmpipe_local over `dt` with `dag.test()`."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        deploy_local(monkeypatch, spark_env, root)
        daily, _ = local_dags()
        run = daily.test(logical_date=day(dt), run_conf={"set": storage_overrides(root)})
    return finished(run, root)


# ---- the backfill: a real scheduler runs three days --------------------------------------------
# The scheduler's own sensor timeout: it only has to outlast the late marker on a busy machine.
BACKFILL_DATA_TIMEOUT = 900
BACKFILL_TIMEOUT = 1800  # seconds for the three runs; ~2 min on a quiet machine
FINISHED = {"success", "failed"}


@dataclass(frozen=True)
class Backfilled:
    """The backfill's runs by ds, when the late day's marker landed, the backfill's id."""

    runs: dict[str, FinishedRun]
    late_marker_at: datetime
    backfill_id: int
    logical_dates: dict[str, datetime]
    run_types: dict[str, str]
    ends: dict[str, datetime]


def backfill_runs(session) -> list:
    from airflow.models.dagrun import DagRun
    from airflow.utils.types import DagRunType

    return list(session.query(DagRun).filter(DagRun.dag_id == "glmpipe_local",
                                             DagRun.run_type == DagRunType.BACKFILL_JOB)
                .order_by(DagRun.logical_date))


def wait_for_backfill(services, root: Path) -> datetime:
    """Polls the DB until every backfill run has finished; lands the late day's marker once that
    day's sensor has been rescheduled (it looked, found nothing, and freed its slot: a
    TaskReschedule row)."""
    import time

    from airflow.models.taskinstance import TaskInstance
    from airflow.models.taskreschedule import TaskReschedule
    from airflow.utils.session import create_session

    landed_at = None
    deadline = time.monotonic() + BACKFILL_TIMEOUT
    while True:
        services.check_running()
        with create_session() as session:
            runs = backfill_runs(session)
            states = {run.run_id: str(run.state) for run in runs}
            late = next((run for run in runs if run.logical_date.date().isoformat() == LATE_DAY), None)
            rescheduled = False
            if late is not None and landed_at is None:
                ti = session.query(TaskInstance).filter_by(dag_id="glmpipe_local", run_id=late.run_id,
                                                           task_id="wait_for_data").one_or_none()
                rescheduled = ti is not None and session.query(TaskReschedule).filter(
                    TaskReschedule.ti_id == ti.id).count() > 0
        if rescheduled:
            mark_complete(root, LATE_DAY)
            landed_at = datetime.now(timezone.utc)
        if len(states) == len(BACKFILL_DAYS) and set(states.values()) <= FINISHED:
            assert landed_at is not None, "the late day's sensor was never rescheduled"
            return landed_at
        if time.monotonic() > deadline:
            raise AssertionError(f"backfill not done after {BACKFILL_TIMEOUT} s: {states}\n"
                                 f"scheduler:\n{services.log('scheduler')}")
        time.sleep(1)


def set_paused(dag_id: str, paused: bool) -> None:
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(DagModel).filter(DagModel.dag_id == dag_id).update({"is_paused": paused})


@pytest.fixture(scope="module")
def backfilled(storage, spark_env, tmp_path_factory) -> Backfilled:
    """`airflow backfill create` over the 7th..9th, run by a scheduler and the Execution API.

    As a deployment: the DAGs serialized (`airflow dags reserialize`, what the DAG processor
    does), the daily DAG unpaused (a paused DAG's backfill runs wait), the training DAG left
    paused (the drift alert's training run is created, not run), the connections, Variables and
    settings in the scheduler's environment, which its task processes inherit. The scheduler
    creates no scheduled runs ([scheduler] use_job_schedule = False): only the backfill's.
    """
    from airflow.models.backfill import Backfill
    from airflow.utils.session import create_session
    from airflow_services import airflow_services

    for dt in BACKFILL_DAYS:
        if dt != LATE_DAY:
            mark_complete(storage, dt)
    workdir = tmp_path_factory.mktemp("backfill")
    env = {**os.environ, **deployment_env(spark_env, storage),
           "AIRFLOW__GLMPIPE__DATA_TIMEOUT": str(BACKFILL_DATA_TIMEOUT)}
    with airflow_services(workdir, env) as services:
        services.cli("dags", "reserialize")
        services.cli("dags", "unpause", "glmpipe_local")
        set_paused("glmpipe_local_train", True)  # what `airflow dags pause` does, without its start-up
        # --to-date is inclusive and a run's logical date is 02:00 of its ds: the 9th's run is
        # at 2026-11-09T02:00, so the range ends there.
        services.cli("backfill", "create", "--dag-id", "glmpipe_local",
                     "--from-date", BACKFILL_DAYS[0], "--to-date", f"{BACKFILL_DAYS[-1]}T02:00:00+00:00",
                     "--max-active-runs", "1",
                     "--dag-run-conf", json.dumps({"set": storage_overrides(storage)}))
        # Started once the backfill's runs exist: on sqlite, one writer at a time.
        services.start_api_server()
        services.start_scheduler()
        landed_at = wait_for_backfill(services, storage)
    with create_session() as session:
        runs = backfill_runs(session)
        by_day = {run.logical_date.date().isoformat(): run for run in runs}
        backfill_ids = {run.backfill_id for run in runs}
        assert len(backfill_ids) == 1, backfill_ids
        backfill_id = backfill_ids.pop()
        assert session.get(Backfill, backfill_id).dag_id == "glmpipe_local"
        return Backfilled(
            runs={dt: finished(run, storage) for dt, run in by_day.items()},
            late_marker_at=landed_at,
            backfill_id=backfill_id,
            logical_dates={dt: run.logical_date for dt, run in by_day.items()},
            run_types={dt: str(run.run_type) for dt, run in by_day.items()},
            ends={dt: run.end_date for dt, run in by_day.items()},
        )


def test_backfill_creates_one_run_per_day_run_one_at_a_time(backfilled):
    assert sorted(backfilled.runs) == list(BACKFILL_DAYS)
    for dt, run in backfilled.runs.items():
        assert backfilled.run_types[dt] == "backfill", backfilled.run_types
        # Each run is the day's scheduled interval: 02:00 UTC of ds, ds the day it processes.
        assert backfilled.logical_dates[dt] == day(dt).replace(hour=2)
        # Named, like a scheduled run, after the moment the run was due: when its interval ended.
        assert run.run_id == f"backfill__{(day(dt) + timedelta(days=1)).date()}T02:00:00+00:00"
        assert run.state == "success", (dt, run.states)
        assert run.rendered_args["preprocess"][run.rendered_args["preprocess"].index("--dt") + 1] == dt
    # --max-active-runs 1: each day starts after the one before it ended.
    for before, after in itertools.pairwise(BACKFILL_DAYS):
        first_start = min(s for s in backfilled.runs[after].starts.values() if s is not None)
        assert first_start >= backfilled.ends[before], (before, after)


@pytest.fixture(scope="module")
def daily_run(backfilled) -> FinishedRun:
    """The 7th: its data complete before the run."""
    return backfilled.runs[DT]


def test_day_with_data_runs_preprocess_score_and_monitor(daily_run):
    assert daily_run.states == {
        "wait_for_data": "success",
        "preprocess": "success",
        "score": "success",
        "monitor": "success",
        "monitor_realized": "success",
        "check_alerts": "success",
        "trigger_retrain": "skipped",  # no alert
        "watcher": "skipped",  # nothing failed
    }
    assert daily_run.state == "success"


@pytest.mark.parametrize("dt", BACKFILL_DAYS)
def test_every_day_has_scores_and_monitoring(backfilled, dt):
    root = backfilled.runs[dt].root
    scored = list(root.glob(f"scores/*/dt={dt}/_SUCCESS"))
    assert scored, f"no scores partition for {dt} under {root}"
    assert list(scored[0].parent.glob("*.parquet")), "the scores partition has no data files"
    # storage.tables.monitoring and .reports keep their defaults (conf/base.yaml).
    monitored = root / "monitoring" / MODEL / f"dt={dt}"
    assert (monitored / "_SUCCESS").is_file(), f"no monitoring partition for {dt} at {monitored}"
    assert (root / "reports" / f"monitoring-{MODEL}.html").is_file(), "no monitoring report"


def test_the_monitor_result_is_the_tasks_xcom(daily_run):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        value = session.query(XComModel).filter_by(dag_id="glmpipe_local", run_id=daily_run.run_id,
                                                   task_id="monitor", key="return_value").one().value
    result = value if isinstance(value, dict) else json.loads(value)
    assert result["job"] == "monitor" and result["alert_count"] == 0
    assert result["run_id"] == task_run_id(daily_run, "monitor")


def task_run_id(run: FinishedRun, task_id: str) -> str:
    """The run id the task passed: Airflow's run id needs no change, so it is the plain join."""
    return f"{run.run_id}.{task_id}.{run.try_numbers[task_id]}"


@pytest.mark.parametrize("dt", BACKFILL_DAYS)
def test_each_job_was_submitted_with_its_own_run_id(backfilled, dt):
    run = backfilled.runs[dt]
    launcher_jobs = {t: a for t, a in glmpipe_common.flow_args(str(CONF)).items() if t in glmpipe_common.DAILY_JOBS}
    assert set(run.rendered_args) == set(launcher_jobs)
    for task_id, args in run.rendered_args.items():
        assert args[0] == launcher_jobs[task_id][0], args
        assert args[args.index("--run-id") + 1] == task_run_id(run, task_id), args


def run_records(root: Path) -> list[tuple[Path, dict]]:
    """Every record of the runs table (<storage root>/runs/dt=<day>/job=<job>/<file>.json)."""
    return [(path, json.loads(path.read_text())) for path in sorted(root.glob("runs/dt=*/job=*/*.json"))]


@pytest.mark.parametrize("dt", BACKFILL_DAYS)
def test_every_job_of_the_run_left_its_record_under_the_task_run_id(backfilled, dt):
    """Each glmpipe task passed --run-id <Airflow run id>.<task id>.<try number>; the launcher
    writes the runs table's record under that id, so a record leads back to its Airflow task."""
    run = backfilled.runs[dt]
    by_run_id: dict[str, list[tuple[Path, dict]]] = {}
    for path, record in run_records(run.root):
        by_run_id.setdefault(record["run_id"], []).append((path, record))
    for task_id in glmpipe_common.DAILY_JOBS:
        job = glmpipe_common.flow_args(str(CONF))[task_id][0]
        run_id = task_run_id(run, task_id)
        found = by_run_id.get(run_id, [])
        assert len(found) == 1, (
            f"{len(found)} records with run_id {run_id!r} under {run.root / 'runs'}; "
            f"run ids found: {sorted(by_run_id)}")
        path, record = found[0]
        assert record["status"] == "succeeded", record
        assert record["job"] in {job, task_id}, record
        if task_id in ("preprocess", "score"):
            assert dt in record["dates"], record
        assert path.parent.name == f"job={record['job']}", path


def test_late_data_is_waited_for_then_the_flow_runs(backfilled):
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.taskreschedule import TaskReschedule
    from airflow.utils.session import create_session

    run, landed_at = backfilled.runs[LATE_DAY], backfilled.late_marker_at
    assert run.states["wait_for_data"] == "success"
    assert run.try_numbers["wait_for_data"] == 1  # rescheduled while waiting, not failed and retried
    with create_session() as session:
        ti = session.query(TaskInstance).filter_by(dag_id="glmpipe_local", run_id=run.run_id,
                                                   task_id="wait_for_data").one()
        reschedules = session.query(TaskReschedule).filter(TaskReschedule.ti_id == ti.id).count()
    assert reschedules >= 1, "the sensor was never rescheduled"
    # The sensor was there before the marker and let the flow start only after it landed.
    assert run.starts["preprocess"] > landed_at, (run.starts, landed_at)
    for task_id in ("preprocess", "score", "monitor", "monitor_realized"):
        assert run.states[task_id] == "success", run.states
    assert run.state == "success"


def test_a_drift_alert_triggers_the_training_dag_with_the_reason(backfilled):
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    drift_run = backfilled.runs[DRIFT_DAY]
    assert drift_run.states["monitor"] == "success"  # on_alert: report (the default)
    assert drift_run.states["check_alerts"] == "success"
    assert drift_run.states["trigger_retrain"] == "success"
    assert drift_run.state == "success"
    with create_session() as session:
        triggered = session.query(DagRun).filter_by(dag_id="glmpipe_local_train", run_id=f"retrain__{DRIFT_DAY}").one()
        conf = dict(triggered.conf)
    assert conf["reason"].startswith("drift"), conf
    assert conf["to"] == DRIFT_DAY
    assert conf["triggered_by"] == drift_run.run_id
    assert conf["alert_count"] >= 1
    assert any(a["kind"] == "input_drift" and a["feature"] == "monthly_charges" for a in conf["alerts"]), conf["alerts"]


def test_a_day_whose_data_never_comes_times_out_naming_the_partition(airflow_db, spark_env, monkeypatch, tmp_path):
    """No raw partition: the sensor fails after data_timeout (no retry) naming the partition, the
    flow is upstream_failed, the watcher fails the run, and the notifier gets the message."""
    missing = "2026-11-10"
    root = tmp_path / "storage"
    (root / "raw").mkdir(parents=True)
    record = tmp_path / "notifications.jsonl"
    monkeypatch.setenv("AIRFLOW__GLMPIPE__NOTIFIERS", json.dumps([{
        "class": "recording_notifier.RecordingNotifier",
        "kwargs": {"path": str(record), "message": "{{ glmpipe_failure_text }}"}}]))
    run = run_daily(spark_env, root, missing)
    assert run.states["wait_for_data"] == "failed"
    assert run.try_numbers["wait_for_data"] == 1
    for task_id in ("preprocess", "score", "monitor"):
        assert run.states[task_id] == "upstream_failed", run.states
    assert run.states["watcher"] == "failed"
    assert run.state == "failed"
    partition = str(root / "raw" / f"dt={missing}")
    notes = {n["failure"]["task_id"]: n for n in map(json.loads, record.read_text().splitlines())}
    assert notes["wait_for_data"]["failure"]["error"] == (
        f"raw partition {partition} not complete: no _SUCCESS marker in it after 6 s (timeout, [glmpipe] data_timeout)")


def test_config_error_fails_at_once_and_the_notifier_gets_it(airflow_db, spark_env, monkeypatch, tmp_path):
    """Exit code 2 is not retried although the task has retries; the watcher fails the run; the
    deployment's notifier (here the test's) gets the run id, task, exit code and one-line error."""
    record = tmp_path / "notifications.jsonl"
    monkeypatch.setenv("AIRFLOW__GLMPIPE__NOTIFIERS", json.dumps([{
        "class": "recording_notifier.RecordingNotifier",
        "kwargs": {"path": str(record), "message": "{{ glmpipe_failure_text }}"}}]))
    # The config fails before any data is read: a marked raw partition lets the sensor pass.
    storage = tmp_path / "storage"
    partition = storage / "raw" / f"dt={DT}"
    partition.mkdir(parents=True)
    (partition / "part-0.csv").write_text("customer_id\n1\n")
    mark_complete(storage, DT)
    overrides = {**storage_overrides(storage), "no_such.key": "1"}
    deploy_local(monkeypatch, spark_env, storage)
    daily, _ = local_dags()
    run = daily.test(logical_date=day(DT), run_conf={"set": overrides})

    tis = {ti.task_id: ti for ti in run.get_task_instances()}
    assert str(tis["preprocess"].state) == "failed"  # not up_for_retry
    assert tis["preprocess"].try_number == 1
    assert str(tis["score"].state) == "upstream_failed"
    # Realized performance runs whatever the drift step did (ALL_DONE), and meets the same error.
    assert str(tis["monitor_realized"].state) == "failed"
    assert str(tis["watcher"].state) == "failed"
    assert str(run.state) == "failed"

    notes = [json.loads(line) for line in record.read_text().splitlines()]
    by_task = {note["failure"]["task_id"]: note for note in notes}
    assert set(by_task) == {"preprocess", "monitor_realized"}  # not the watcher
    note = by_task["preprocess"]
    assert note["failure"]["run_id"] == run.run_id
    assert note["failure"]["exit_code"] == glmpipe_common.EXIT_USAGE
    assert "no_such" in note["failure"]["error"]
    assert note["failure"]["glmpipe_run_id"] == f"{run.run_id}.preprocess.1"
    assert note["message"].startswith(f"glmpipe glmpipe_local.preprocess failed (run {run.run_id}, try 1, exit code 2): ")


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
