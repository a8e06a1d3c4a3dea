"""What every glmpipe DAG shares: the launcher's command line, its exit codes, and the flows' shape.

Every target (local Spark, EMR steps, a transient EMR cluster, EMR Serverless, Dataproc clusters,
Dataproc Batches) runs the same jobs in the same order; only "how one job is submitted", "how the
raw partition is waited for" and "where a job's result is read back" differ. A DAG file describes
that as a `Target`, and `target_dags` builds its two DAGs (daily scoring, training), so the
targets cannot drift apart. One setting, `[glmpipe] target`, chooses which targets are defined.

Nothing here touches a Variable, a connection or the clock at import time: the scheduler parses
this file often, so every deployment value is a Jinja template rendered when a task runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone

import json
import logging
from dataclasses import dataclass, field

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG, BaseOperator, CronDataIntervalTimetable, Param, TriggerRule, conf, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout

log = logging.getLogger(__name__)

# ---- the launcher (jobs/: dev.glmpipe.jobs.Main) --------------------------------------------
GLMPIPE_VERSION = "0.1.0-SNAPSHOT"  # the jar these DAGs were written against (pom.xml)
MAIN_CLASS = "dev.glmpipe.jobs.Main"
JOBS = ("datagen", "preprocess", "train", "evaluate", "export", "score", "monitor")

# Exit codes of the launcher. 2, 4 and 5 come back the same on every retry, so a retry only
# delays the alert; 3 (contract failure or a missing input partition) may be late data.
EXIT_OTHER = 1
EXIT_USAGE = 2
EXIT_DATA = 3
EXIT_REJECTED = 4
# monitor with monitor.on_alert=fail: the monitoring table and report are written, then the job
# fails so the alert is seen. A rerun computes the same metrics from the same data.
EXIT_MONITOR_ALERT = 5
NOT_RETRYABLE = {
    EXIT_USAGE: "usage or config error",
    EXIT_REJECTED: "candidate model rejected by the evaluation gate",
    EXIT_MONITOR_ALERT: "monitoring alert with monitor.on_alert=fail; everything was written",
}


# ---- which jar a platform takes -------------------------------------------------------------
# One shaded jar per Spark/Scala line, named by its build (pom.xml: glmpipe.build; scripts:
# GLMPIPE_BUILD): glmpipe-jobs-<version>-<build>.jar.
SPARK35_SCALA212 = "spark35_2.12"  # EMR 7.x, EMR Serverless 7.x, Dataproc 2.x, Dataproc Serverless 1.2
SPARK35_SCALA213 = "spark35_2.13"  # Dataproc Serverless 2.2 and 2.3
SPARK40_SCALA213 = "spark40_2.13"  # EMR 8.x, EMR Serverless 8.x, Dataproc 3.0, Dataproc Serverless 3.0
DEFAULT_BUILD = SPARK35_SCALA212
BUILDS = (SPARK35_SCALA212, SPARK35_SCALA213, SPARK40_SCALA213)


def jar_name(version: str, build: str = DEFAULT_BUILD) -> str:
    if build not in BUILDS:
        raise ValueError(f"unknown glmpipe build {build!r}: expected one of {BUILDS}")
    return f"glmpipe-jobs-{version}-{build}.jar"


# The build each platform line runs, by the major number of its release or runtime version.
EMR_BUILDS = {7: SPARK35_SCALA212, 8: SPARK40_SCALA213}  # emr-7.x: Spark 3.5 / 2.12; emr-8.x: Spark 4.0 / 2.13
DATAPROC_IMAGE_BUILDS = {2: SPARK35_SCALA212, 3: SPARK40_SCALA213}  # 2.2, 2.3: Spark 3.5; 3.0: Spark 4.0
DATAPROC_RUNTIME_BUILDS = {1: SPARK35_SCALA212, 2: SPARK35_SCALA213, 3: SPARK40_SCALA213}  # 1.2; 2.2, 2.3; 3.0


def _build_for(version: str, what: str, builds: dict, runs_on: str) -> str:
    match = re.fullmatch(r"(?:emr-)?(\d+)(?:\.\d+)*(?:-[A-Za-z0-9.-]+)?", str(version).strip())
    if not match:
        raise ValueError(f"{what} {version!r}: not a version such as 7.10.0, emr-8.0.0 or 2.2")
    build = builds.get(int(match.group(1)))
    if build is None:
        raise ValueError(f"{what} {version!r}: glmpipe runs on {runs_on}")
    return build


def emr_build(release_label: str) -> str:
    """The jar for an EMR (or EMR Serverless) release: emr-7.x runs Spark 3.5 / Scala 2.12,
    emr-8.x Spark 4.0 / Scala 2.13."""
    return _build_for(release_label, "EMR release", EMR_BUILDS, "emr-7.x (Spark 3.5) and emr-8.x (Spark 4.0)")


def dataproc_image_build(image_version: str) -> str:
    """The jar for a Dataproc cluster image: 2.x runs Spark 3.5 / Scala 2.12 (2.2 and 2.3 are
    the images with Spark 3.5), 3.0 Spark 4.0 / Scala 2.13."""
    return _build_for(image_version, "Dataproc image", DATAPROC_IMAGE_BUILDS, "2.x (Spark 3.5) and 3.0 (Spark 4.0) images")


def dataproc_runtime_build(runtime_version: str) -> str:
    """The jar for a Dataproc Serverless runtime: 1.2 runs Spark 3.5 / Scala 2.12, 2.2 and 2.3
    Spark 3.5 / Scala 2.13, 3.0 Spark 4.0 / Scala 2.13."""
    return _build_for(runtime_version, "Dataproc Serverless runtime", DATAPROC_RUNTIME_BUILDS, "1.2, 2.2, 2.3 and 3.0")


# ---- dates, as Jinja: rendered per run ------------------------------------------------------
DS = "{{ ds }}"
# The training window: the `train_days` days ending at ds (7 days: ds-6 .. ds).
TRAIN_FROM = "{{ macros.ds_add(ds, 1 - (params.train_days | int)) }}"
TRAIN_TO = DS

# ---- the run id each job gets (--run-id), as Jinja ------------------------------------------
# The launcher accepts run ids matching RUN_ID_PATTERN (dev.glmpipe.RunId) and names the run
# by it in its logs, its JSON result, the Spark UI's job descriptions and the runs table.
RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+@=-]{0,199}")
RUN_ID_MAX_LENGTH = 200
_NOT_IN_RUN_ID = re.compile(r"[^A-Za-z0-9._:+@=-]")
# A task id is at most 250 characters in Airflow; this many keep the rest of the id readable.
_TASK_ID_MAX_LENGTH = 100
RUN_ID_FILTER = "glmpipe_run_id"


def glmpipe_run_id(airflow_run_id: str, task_id: str, try_number: int | str) -> str:
    """`<Airflow run id>.<task id>.<try number>`, made a valid glmpipe run id.

    Airflow's own run ids (`scheduled__2026-11-08T02:00:00+00:00`, `manual__…`) and task ids
    pass unchanged. A run id given through the API or CLI may hold other characters (spaces,
    slashes, …) or be longer than glmpipe allows: then every other character becomes '-', the
    Airflow part is cut to fit, and 8 hex digits of its SHA-256 follow it, so two run ids
    that differ only in what was replaced or cut still give two ids. The task id and try number
    stay at the end, so the tasks of one run and the tries of one task never share an id.
    """
    run = str(airflow_run_id)
    suffix = f".{task_id}.{try_number}"
    whole = run + suffix
    if RUN_ID_PATTERN.fullmatch(whole):
        return whole
    suffix = f".{_NOT_IN_RUN_ID.sub('-', str(task_id))[:_TASK_ID_MAX_LENGTH]}.{try_number}"
    digest = hashlib.sha256(run.encode("utf-8")).hexdigest()[:8]
    # The id must start with a letter or digit; "r" stands in for a run id with none.
    head = _NOT_IN_RUN_ID.sub("-", run).lstrip("._:+@=-") or "r"
    head = head[: RUN_ID_MAX_LENGTH - len(suffix) - len(digest) - 1]
    return f"{head}-{digest}{suffix}"


def result_name(airflow_run_id: str, task_id: str) -> str:
    """The file name of a task's result under the results prefix: `<run id>.<task id>.json`.

    Without the try number: a later try replaces the file, and the check reads the last one.
    """
    return glmpipe_run_id(airflow_run_id, task_id, "json")


def idempotency_token(airflow_run_id: str, task_id: str, try_number: int | str) -> str:
    """A client token (EMR Serverless: 1-64 of [A-Za-z0-9_-]) that is the same for the same
    task try and different for every other: a re-sent start request starts nothing new."""
    digest = hashlib.sha256(glmpipe_run_id(airflow_run_id, task_id, try_number).encode("utf-8")).hexdigest()
    return f"glmpipe-{digest[:40]}"


def batch_id(airflow_run_id: str, task_id: str, try_number: int | str) -> str:
    """A Dataproc batch id (4-63 of [a-z0-9-], starting with a letter) derived from the run id,
    task and try: the same try always asks for the same batch, so a re-sent request (or a task
    restarted within its try) finds the batch already there and attaches to it instead of
    starting a second one. A new try (a cleared task) is a deliberate rerun: a new batch.
    """
    digest = hashlib.sha256(glmpipe_run_id(airflow_run_id, task_id, "b").encode("utf-8")).hexdigest()[:10]
    task = re.sub(r"[^a-z0-9]+", "-", str(task_id).lower()).strip("-")[:24] or "task"
    return f"glmpipe-{task}-{digest}-t{int(try_number)}"


def local_path(uri: str) -> str:
    """A local path from a path or a `file:` URI (the file sensor takes paths)."""
    uri = str(uri)
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if uri.startswith("file:"):
        return uri[len("file:"):]
    return uri


def bucket_of(uri: str) -> str:
    """`gs://bucket/a/b` -> `bucket`."""
    return str(uri).split("://", 1)[1].split("/", 1)[0]


def object_of(uri: str) -> str:
    """`gs://bucket/a/b` -> `a/b`."""
    rest = str(uri).split("://", 1)[1]
    return rest.split("/", 1)[1] if "/" in rest else ""


# Every DAG registers the filters (DAG(user_defined_filters=TEMPLATE_FILTERS)); ti.try_number is
# the try being run, so a retry, or a rerun after clearing the task, gets a new id.
TEMPLATE_FILTERS = {
    RUN_ID_FILTER: glmpipe_run_id,
    "glmpipe_result_name": result_name,
    "glmpipe_token": idempotency_token,
    "glmpipe_batch_id": batch_id,
    "local_path": local_path,
    "bucket_of": bucket_of,
    "object_of": object_of,
}
RUN_ID = f"{{{{ run_id | {RUN_ID_FILTER}(ti.task_id, ti.try_number) }}}}"

# ---- deployment settings, read when the file is parsed -------------------------------------
# Airflow config section [glmpipe] (airflow.cfg, or AIRFLOW__GLMPIPE__<KEY> in the environment).
SECTION = "glmpipe"
TARGETS = ("local", "emr", "emr_transient", "emr_serverless", "dataproc", "dataproc_batches")
DEFAULT_TARGET = "local"
# The raw partition is complete when this file is in it; "*" means any file at all.
DEFAULT_MARKER = "_SUCCESS"
ANY_FILE = "*"
DEFAULT_DATA_TIMEOUT_SECONDS = 6 * 3600
DEFAULT_DATA_POKE_SECONDS = 300


def setting_value(key: str, default: str) -> str:
    return str(conf.get(SECTION, key, fallback=default)).strip()


def enabled_targets() -> frozenset[str]:
    """`[glmpipe] target`: the target whose DAGs this deployment defines (a comma-separated list
    defines several; `all`, every one). Unknown names fail the parse, naming the setting."""
    raw = setting_value("target", DEFAULT_TARGET)
    names = {name.strip() for name in raw.split(",") if name.strip()}
    if names == {"all"}:
        return frozenset(TARGETS)
    unknown = names - set(TARGETS)
    if unknown or not names:
        raise ValueError(f"[{SECTION}] target = {raw!r}: expected one or more of {TARGETS} (or 'all')")
    return frozenset(names)


def data_marker() -> str:
    """`[glmpipe] data_marker`: `_SUCCESS` (default), another file name, or `*` for any file."""
    marker = setting_value("data_marker", DEFAULT_MARKER) or DEFAULT_MARKER
    if "/" in marker:
        raise ValueError(f"[{SECTION}] data_marker = {marker!r}: a file name in the partition, or '*'")
    return marker


def data_timeout() -> int:
    return int(setting_value("data_timeout", str(DEFAULT_DATA_TIMEOUT_SECONDS)))


def data_poke_interval() -> int:
    return int(setting_value("data_poke_interval", str(DEFAULT_DATA_POKE_SECONDS)))


# The platform each target runs on, which picks its jar (see "which jar a platform takes").
DEFAULT_EMR_RELEASE = "emr-7.10.0"
DEFAULT_DATAPROC_IMAGE = "2.2"
DEFAULT_DATAPROC_RUNTIME = "1.2"


def emr_release() -> str:
    """`[glmpipe] emr_release` (default emr-7.10.0): the release of the EMR cluster the `emr`
    target submits to, and of the cluster `emr_transient` creates."""
    release = setting_value("emr_release", DEFAULT_EMR_RELEASE) or DEFAULT_EMR_RELEASE
    emr_build(release)  # fails the parse, naming the value, if no jar runs there
    return release


def emr_serverless_release() -> str:
    """`[glmpipe] emr_serverless_release` (default: `emr_release`): the release label of the EMR
    Serverless application the `emr_serverless` target runs on."""
    release = setting_value("emr_serverless_release", "") or emr_release()
    emr_build(release)
    return release


def dataproc_image() -> str:
    """`[glmpipe] dataproc_image` (default 2.2): the image version of the `dataproc` target's cluster."""
    image = setting_value("dataproc_image", DEFAULT_DATAPROC_IMAGE) or DEFAULT_DATAPROC_IMAGE
    dataproc_image_build(image)
    return image


def dataproc_runtime() -> str:
    """`[glmpipe] dataproc_runtime` (default 1.2): the Dataproc Serverless runtime version the
    `dataproc_batches` target asks for."""
    runtime = setting_value("dataproc_runtime", DEFAULT_DATAPROC_RUNTIME) or DEFAULT_DATAPROC_RUNTIME
    dataproc_runtime_build(runtime)
    return runtime


def deferrable_sensors() -> bool:
    """`[glmpipe] deferrable_sensors` (default true): S3 and GCS data sensors defer to the
    triggerer; without a triggerer set it to false and they reschedule instead."""
    return setting_value("deferrable_sensors", "true").lower() in ("1", "true", "yes")


# ---- DAG-level settings ------------------------------------------------------------------
OWNER = "glmpipe"
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
# Airflow 3 turns a plain cron string into a CronTriggerTimetable, whose ds is the day the run
# starts on, a day still being written. A data-interval timetable makes ds the day that just
# ended: the run at 02:00 UTC on 2026-11-08 has ds = 2026-11-07. The two hours are slack for
# late raw files; the data sensor waits for the rest.
SCHEDULE = CronDataIntervalTimetable("0 2 * * *", timezone="UTC")
# Training: every Monday at 03:00 UTC, after the daily run scored Sunday; it trains on the
# train_days days ending on Sunday (the day before its data interval ends).
TRAIN_SCHEDULE = CronDataIntervalTimetable("0 3 * * 1", timezone="UTC")
# Explicit although it is Airflow 3's default: a new deployment must not backfill a year.
CATCHUP = False

# Every task starts from this; the tasks that may retry set `retries` themselves.
DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 0,
    "retry_delay": timedelta(minutes=5),
}


def daily_params() -> dict[str, Param]:
    """Run-time knobs of the daily DAGs (Trigger DAG w/ config, or `dag.test(run_conf=…)`)."""
    return {
        "retrain_on_alert": Param(True, type="boolean",
                                  description="trigger the training DAG when monitoring raises an alert"),
    }


def train_params() -> dict[str, Param]:
    """Run-time knobs of the training DAGs; the alert check fills reason, alerts and triggered_by."""
    return {
        "train_days": Param(7, type="integer", minimum=1, description="days of data to train on, ending at `to`"),
        "to": Param(None, type=["null", "string"], format="date",
                    description="last day of the window; default: the day before the run's data interval ends"),
        "reason": Param("schedule", type=["null", "string"], description="why this training runs: schedule, manual, drift, performance"),
        "alerts": Param([], type=["null", "array"], description="the monitoring alerts that triggered it"),
        "triggered_by": Param(None, type=["null", "string"], description="the daily run whose monitoring triggered it"),
    }


def setting(param: str, variable: str) -> str:
    """A value taken from the run's params when given, else from an Airflow Variable.

    Rendered when the task runs; a missing Variable fails that task naming the Variable.
    (Not `var.value.get(name)`: without a default, Airflow 3.3 renders a missing one as NOTSET.)
    """
    return f"{{{{ params.{param} or var.value.{variable} }}}}"


# ---- launcher argument lists --------------------------------------------------------------
def job_args(
    job: str,
    conf: str,
    *,
    dt: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    run_id: str | None = None,
    flags: Sequence[str] = (),
    version: str | None = None,
    overrides: Mapping[str, str] | None = None,
    result_uri: str | None = None,
) -> list[str]:
    """`<job> --conf <yaml> [--run-id ID] [--dt D | --from D --to D] [flags ...] [--model-version V] [--result-uri U] [--set k=v ...]`.

    `flags` are the job's own switches, e.g. monitor's `--realized`.
    """
    if job not in JOBS:
        raise ValueError(f"unknown glmpipe job {job!r}; expected one of {JOBS}")
    if dt is not None and (date_from is not None or date_to is not None):
        raise ValueError("give either dt or date_from/date_to, not both")
    if (date_from is None) != (date_to is None):
        raise ValueError("date_from and date_to go together")
    if isinstance(flags, str) or not all(flag.startswith("--") for flag in flags):
        # A bare string would be spread into characters; a value without its option, misplaced.
        raise ValueError(f"flags must be a sequence of --options, got {flags!r}")
    args = [job, "--conf", conf]
    if run_id is not None:
        args += ["--run-id", run_id]
    if dt is not None:
        args += ["--dt", dt]
    if date_from is not None:
        args += ["--from", date_from, "--to", date_to]
    args += flags
    if version is not None:
        args += ["--model-version", version]  # the launcher's --version prints its own version
    if result_uri is not None:
        args += ["--result-uri", result_uri]
    args += set_args(overrides or {})
    return args


def set_args(overrides: Mapping[str, str]) -> list[str]:
    """`--set key=value` pairs; a key whose value is empty is left out (the config file decides)."""
    args: list[str] = []
    for key, value in overrides.items():
        if value not in (None, ""):
            args += ["--set", f"{key}={value}"]
    return args


# The training window's last day: `to` when given (the alert check gives the scored date), else
# the day before the run's data interval ends (a Monday 03:00 run: the Sunday just ended).
TRAIN_TO = "{{ params.to or macros.ds_add(data_interval_end | ds, -1) }}"
TRAIN_FROM = ("{{ macros.ds_add(params.to or macros.ds_add(data_interval_end | ds, -1), "
              "1 - (params.train_days | int)) }}")
DAILY_JOBS = ("preprocess", "score", "monitor", "monitor_realized")
TRAIN_JOBS = ("train", "evaluate", "export")
MONITOR_TASKS = ("monitor", "monitor_realized")


def result_uri(results: str | None, task_id: str) -> str | None:
    """Where a cloud job writes its one-line result: `<results>/<run id>.<task id>.json`."""
    if results is None:
        return None
    return f"{results}/{{{{ run_id | glmpipe_result_name('{task_id}') }}}}"


def flow_args(conf: str, results: str | None = None) -> dict[str, list[str]]:
    """The launcher arguments of each step of both flows, by task id.

    Every step gets its own run id (RUN_ID), rendered from the task's id and try number. On
    the cloud targets (`results` given) each job also writes its result line to a file.
    """
    def args(task_id: str, job: str, **kwargs) -> list[str]:
        return job_args(job, conf, run_id=RUN_ID, result_uri=result_uri(results, task_id), **kwargs)

    return {
        "preprocess": args("preprocess", "preprocess", dt=DS),
        "score": args("score", "score", dt=DS),
        # Drift of the day just scored; then realized performance, as of that day, of every
        # scored date whose label window is open on it (monitor.labels).
        "monitor": args("monitor", "monitor", dt=DS),
        "monitor_realized": args("monitor_realized", "monitor", dt=DS, flags=["--realized"]),
        "train": args("train", "train", date_from=TRAIN_FROM, date_to=TRAIN_TO),
        # evaluate and export act on the latest version, which is the one train just wrote:
        # the training DAG runs one at a time (max_active_runs=1), so nothing else trains in between.
        "evaluate": args("evaluate", "evaluate"),
        "export": args("export", "export"),
    }


# ---- monitoring alerts -> the training DAG ------------------------------------------------
DRIFT_KINDS = {"input_drift", "score_drift", "score_distribution", "data_quality"}
PERFORMANCE_KINDS = {"estimated_performance", "realized_performance"}
MAX_ALERTS_IN_CONF = 20


def retrain_request(results: Mapping[str, Mapping | None], ds: str, run_id: str) -> dict | None:
    """The training run's conf when the monitor results hold alerts, else None.

    `results` maps a monitor task to its one-line JSON result (None when there is none: the
    task did not run or wrote nothing). The reason is `drift`, `performance` or both, from the
    alerts' kinds; the window ends at ds, the date that alerted.
    """
    alerts: list[dict] = []
    for task_id, result in results.items():
        for day in (result or {}).get("dates") or []:
            for alert in day.get("alerts") or []:
                alerts.append({"task": task_id, "dt": day.get("dt"), **alert})
    if not alerts:
        return None
    kinds = {a.get("kind") for a in alerts}
    reasons = [r for r, ks in (("drift", DRIFT_KINDS), ("performance", PERFORMANCE_KINDS)) if kinds & ks]
    return {
        "reason": "+".join(reasons) or "alert",
        "to": ds,
        "alerts": alerts[:MAX_ALERTS_IN_CONF],
        "alert_count": len(alerts),
        "triggered_by": run_id,
    }


# ---- targets --------------------------------------------------------------------------------
# A job as tasks: the first one (what its upstream points to) and the last one (done when the job is).
JobTasks = tuple[BaseOperator, BaseOperator]
SubmitJob = Callable[[str, Sequence[str]], JobTasks]
ReadResult = Callable[[str, Mapping], "dict | None"]


@dataclass(frozen=True)
class Target:
    """How one platform runs glmpipe.

    - `submit(task_id, args)` makes the task(s) of one job; `conf` is the config template;
    - `wait_for_data()` makes the sensor of the day's raw partition (task id `wait_for_data`);
    - `results`: the prefix the cloud jobs write their result lines to (None: local, where the
      operator returns the result from spark-submit's output as its XCom);
    - `read_result(uri, context)` reads one result file (None when it is not there);
    - `cluster((first, last))` wraps a flow in setup/teardown tasks (a transient cluster) and
      returns the setup task.
    """

    name: str
    description: str
    submit: SubmitJob
    conf: str
    wait_for_data: Callable[[], BaseOperator]
    params: dict[str, Param] = field(default_factory=dict)
    results: str | None = None
    read_result: ReadResult | None = None
    cluster: Callable[[JobTasks], BaseOperator] | None = None
    tags: tuple[str, ...] = ()


def daily_dag_id(target: str) -> str:
    return f"glmpipe_{target}"


def train_dag_id(target: str) -> str:
    return f"glmpipe_{target}_train"


def target_dags(target: Target, notifier_callbacks: list | None = None) -> tuple[DAG, DAG]:
    """The target's two DAGs: daily scoring (`glmpipe_<target>`) and training (`glmpipe_<target>_train`)."""
    callbacks = notifier_callbacks if notifier_callbacks is not None else failure_callbacks()
    default_args = {**DEFAULT_ARGS, "on_failure_callback": callbacks}
    with DAG(
        dag_id=train_dag_id(target.name),
        description=f"glmpipe training on {target.description}: train → evaluate → export (promote)",
        schedule=TRAIN_SCHEDULE,
        start_date=START_DATE,
        catchup=CATCHUP,
        max_active_runs=1,  # evaluate/export act on "the latest version": one training at a time
        default_args=default_args,
        user_defined_filters=TEMPLATE_FILTERS,  # glmpipe_run_id, for --run-id
        params={**train_params(), **target.params},
        tags=["glmpipe", "train", *target.tags],
    ) as train_dag:
        training_flow(target)
    with DAG(
        dag_id=daily_dag_id(target.name),
        description=f"glmpipe on {target.description}: wait for data → preprocess → score → monitor [→ retrain]",
        schedule=SCHEDULE,
        start_date=START_DATE,
        catchup=CATCHUP,
        max_active_runs=1,
        default_args=default_args,
        user_defined_filters=TEMPLATE_FILTERS,
        params={**daily_params(), **target.params},
        tags=["glmpipe", *target.tags],
    ) as daily_dag:
        daily_flow(target)
    return daily_dag, train_dag


def _check_filters(task: BaseOperator) -> None:
    filters = task.dag.user_defined_filters or {}
    if filters.get(RUN_ID_FILTER) is not glmpipe_run_id:
        # Caught when the file is parsed rather than when the first task renders its --run-id.
        raise ValueError(f"DAG {task.dag.dag_id}: give it user_defined_filters=TEMPLATE_FILTERS "
                         f"(the --run-id template uses the {RUN_ID_FILTER} filter)")


def training_flow(target: Target) -> JobTasks:
    """train ─► evaluate ─► export, inside the current DAG context.

    export promotes a version that passed evaluate's gate; the next daily run scores with it. A
    rejected version (exit 4) fails this DAG's run, never the daily scores: the champion stays.
    """
    args = flow_args(target.conf, target.results)
    train_first, train = target.submit("train", args["train"])
    _check_filters(train_first)
    evaluate_first, evaluate = target.submit("evaluate", args["evaluate"])
    export_first, export = target.submit("export", args["export"])
    train >> evaluate_first
    evaluate >> export_first
    if target.cluster:
        target.cluster((train_first, export))
    return train_first, export


def daily_flow(target: Target) -> JobTasks:
    """Wire the daily flow inside the current DAG context; return its first and last task.

        wait_for_data ─► preprocess ─► score ─► monitor ─► monitor_realized ─► check_alerts ─► trigger_retrain
        every task but check_alerts ─► watcher

    The two monitor steps run one after the other: the drift step reads the day's scores, and
    both rewrite the model's monitoring report at the end, which two at once would race on.
    Realized performance follows the drift step whatever its outcome (ALL_DONE): it measures
    earlier scored dates, which neither a drift alert (exit 5 with on_alert=fail) nor a day
    without scores makes wrong, and the day a date's label window closes is that date's last
    chance to get its final numbers without a manual rerun. check_alerts reads both results
    whatever happened (ALL_DONE) and, on an alert, triggers the training DAG with the reason.
    """
    args = flow_args(target.conf, target.results)
    wait = target.wait_for_data()
    preprocess_first, preprocess = target.submit("preprocess", args["preprocess"])
    _check_filters(preprocess_first)
    score_first, score = target.submit("score", args["score"])
    monitor_first, monitor = target.submit("monitor", args["monitor"])
    realized_first, realized = target.submit("monitor_realized", args["monitor_realized"])

    wait >> preprocess_first
    preprocess >> score_first
    score >> monitor_first
    monitor >> realized_first
    realized_first.trigger_rule = TriggerRule.ALL_DONE

    check = _check_alerts(target)
    trigger_retrain = TriggerDagRunOperator(
        task_id="trigger_retrain",
        trigger_dag_id=train_dag_id(target.name),
        # One training per alerting date, however often the daily run is retried or rerun.
        trigger_run_id="retrain__{{ ds }}",
        skip_when_already_exists=True,
        conf=check,
        wait_for_completion=False,
    )
    realized >> check.operator >> trigger_retrain

    # A short-circuit (like a branch) skips every direct downstream task it does not follow,
    # the watcher included, so check_alerts is left out; a failure of it reaches the watcher
    # through trigger_retrain. Setup tasks (a cluster created for the run) may only lead to
    # ALL_SUCCESS tasks; their failure reaches the watcher through the body too.
    watch = watcher()
    watched = [
        t for t in wait.dag.tasks
        if t not in (watch.operator, check.operator) and not t.is_setup
    ]
    watched >> watch
    if target.cluster:
        # The cluster starts once the day's data is there, not while the sensor waits.
        wait >> target.cluster((preprocess_first, realized))
    return wait, trigger_retrain


def _check_alerts(target: Target):
    @task.short_circuit(task_id="check_alerts", trigger_rule=TriggerRule.ALL_DONE,
                        ignore_downstream_trigger_rules=False)
    def check(results_prefix: str | None = None, **context) -> dict | bool:
        """The monitor results of this run: on an alert, the training run's conf; else False."""
        params = context["params"]
        results: dict[str, dict | None] = {}
        for task_id in MONITOR_TASKS:
            if target.read_result is None:
                results[task_id] = context["ti"].xcom_pull(task_ids=task_id)
            else:
                uri = f"{results_prefix}/{result_name(context['run_id'], task_id)}"
                results[task_id] = target.read_result(uri, context)
            log.info("%s result: %s", task_id, json.dumps(results[task_id])[:2000])
        request = retrain_request(results, context["ds"], context["run_id"])
        if request is None:
            log.info("no monitoring alert for %s", context["ds"])
            return False
        log.warning("monitoring raised %d alert(s) (%s) for %s", request["alert_count"], request["reason"], context["ds"])
        if not params.get("retrain_on_alert", True):
            log.info("retrain_on_alert is off: not triggering %s", train_dag_id(target.name))
            return False
        return request

    return check(results_prefix=target.results)


@task(trigger_rule=TriggerRule.ONE_FAILED, retries=0, on_failure_callback=[])
def watcher() -> None:
    """Fails the run when any task failed, even if the tasks after it carried on.

    The same device as Airflow's own system tests: a run's state comes from its leaf tasks,
    and the alert check (a leaf) still succeeds after a monitor step failed. It notifies no one:
    the failed task already did.
    """
    raise AirflowFailException("a task of this run failed; see the failed task's log")


# ---- the data sensor --------------------------------------------------------------------------
class RawPartitionTimeout:
    """Mixin for a data sensor: its timeout fails naming the partition and the marker it waited for.

    The subclass lists `partition` among its template fields; `marker` is the setting.
    """

    partition: str = ""
    marker: str = DEFAULT_MARKER

    def execute(self, context, *args, **kwargs):
        try:
            return super().execute(context, *args, **kwargs)
        except AirflowSensorTimeout as err:
            raise AirflowSensorTimeout(self.timeout_message()) from err

    def execute_complete(self, context, *args, **kwargs):
        try:
            return super().execute_complete(context, *args, **kwargs)
        except AirflowSensorTimeout as err:
            raise AirflowSensorTimeout(self.timeout_message()) from err

    def timeout_message(self) -> str:
        what = "file" if self.marker == ANY_FILE else f"{self.marker} marker"
        return (f"raw partition {self.partition} not complete: no {what} in it after "
                f"{int(self.timeout)} s (timeout, [glmpipe] data_timeout)")


def marker_path(partition: str, marker: str) -> str:
    return f"{partition}/{marker}"


def sensor_kwargs() -> dict:
    """What every data sensor shares: reschedule mode (frees the worker slot between pokes),
    the poke interval and timeout of the settings, no retries (a timeout is the answer)."""
    return {
        "task_id": "wait_for_data",
        "mode": "reschedule",
        "poke_interval": data_poke_interval(),
        "timeout": data_timeout(),
        "retries": 0,
    }


# ---- failure notification ------------------------------------------------------------------
def failure_callbacks() -> list:
    """The deployment's notifiers (`[glmpipe] notifiers`), wrapped so they get glmpipe's summary."""
    from glmpipe_notify import configured_notifier

    notifier = configured_notifier()
    return [notifier] if notifier is not None else []
