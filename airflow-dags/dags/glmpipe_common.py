"""What every glmpipe DAG shares: the launcher's command line, its exit codes, and the flow's shape.

Local Spark, EMR and Dataproc run the same jobs in the same order; only "how one job is submitted"
differs. A DAG file passes that as a function to `daily_flow`, and this module builds the launcher
arguments and wires the tasks, so the three DAGs cannot drift apart.

Nothing here touches a Variable, a connection or the clock at import time: the scheduler parses
this file often, so every deployment value is a Jinja template rendered when a task runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import BaseOperator, CronDataIntervalTimetable, Param, TriggerRule, task
from airflow.sdk.exceptions import AirflowFailException

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


def jar_name(version: str) -> str:
    return f"glmpipe-jobs-{version}-all.jar"


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


# Every DAG registers the filter (DAG(user_defined_filters=TEMPLATE_FILTERS)); ti.try_number is
# the try being run, so a retry, or a rerun after clearing the task, gets a new id.
TEMPLATE_FILTERS = {RUN_ID_FILTER: glmpipe_run_id}
RUN_ID = f"{{{{ run_id | {RUN_ID_FILTER}(ti.task_id, ti.try_number) }}}}"

# ---- DAG-level settings ------------------------------------------------------------------
OWNER = "glmpipe"
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
# Airflow 3 turns a plain cron string into a CronTriggerTimetable, whose ds is the day the run
# starts on, a day still being written. A data-interval timetable makes ds the day that just
# ended: the run at 02:00 UTC on 2026-11-08 has ds = 2026-11-07. The two hours are slack for
# late raw files.
SCHEDULE = CronDataIntervalTimetable("0 2 * * *", timezone="UTC")
# Explicit although it is Airflow 3's default: a new deployment must not backfill a year.
CATCHUP = False
# Retraining runs on the run whose ds is a Sunday (ISO weekday 7): it trains on Monday..Sunday.
RETRAIN_ISO_WEEKDAY = 7
RETRAIN_MODES = ("auto", "always", "never")

# Every task starts from this; the tasks that may retry set `retries` themselves.
DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 0,
    "retry_delay": timedelta(minutes=5),
}


def common_params() -> dict[str, Param]:
    """Run-time knobs shared by all platforms (Trigger DAG w/ config, or `dag.test(run_conf=…)`)."""
    return {
        "retrain": Param(
            "auto",
            enum=list(RETRAIN_MODES),
            description="auto: retrain when ds is a Sunday; always / never: force it.",
        ),
        "train_days": Param(7, type="integer", minimum=1, description="days of data, ending at ds, to train on"),
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
) -> list[str]:
    """`<job> --conf <yaml> [--run-id ID] [--dt D | --from D --to D] [flags ...] [--model-version V] [--set k=v ...]`.

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
    args += set_args(overrides or {})
    return args


def set_args(overrides: Mapping[str, str]) -> list[str]:
    """`--set key=value` pairs; a key whose value is empty is left out (the config file decides)."""
    args: list[str] = []
    for key, value in overrides.items():
        if value not in (None, ""):
            args += ["--set", f"{key}={value}"]
    return args


def flow_args(conf: str) -> dict[str, list[str]]:
    """The launcher arguments of each step of the daily flow, by task id.

    Every step gets its own run id (RUN_ID), rendered from the task's id and try number.
    """
    return {
        "preprocess": job_args("preprocess", conf, run_id=RUN_ID, dt=DS),
        "train": job_args("train", conf, run_id=RUN_ID, date_from=TRAIN_FROM, date_to=TRAIN_TO),
        # evaluate and export act on the latest version, which is the one train just wrote:
        # the flow runs one at a time (max_active_runs=1), so nothing else trains in between.
        "evaluate": job_args("evaluate", conf, run_id=RUN_ID),
        "export": job_args("export", conf, run_id=RUN_ID),
        "score": job_args("score", conf, run_id=RUN_ID, dt=DS),
        # Drift of the day just scored; then realized performance, as of that day, of every
        # scored date whose label window is open on it (monitor.labels).
        "monitor": job_args("monitor", conf, run_id=RUN_ID, dt=DS),
        "monitor_realized": job_args("monitor", conf, run_id=RUN_ID, dt=DS, flags=["--realized"]),
    }


# ---- the flow -------------------------------------------------------------------------------
def should_retrain(mode: str, day: date) -> bool:
    if mode not in RETRAIN_MODES:
        raise AirflowFailException(f"params.retrain must be one of {RETRAIN_MODES}, got {mode!r}")
    if mode == "auto":
        return day.isoweekday() == RETRAIN_ISO_WEEKDAY
    return mode == "always"


# A job as tasks: the first one (what a branch points to) and the last one (done when the job is).
JobTasks = tuple[BaseOperator, BaseOperator]
SubmitJob = Callable[[str, Sequence[str]], JobTasks]


def daily_flow(submit: SubmitJob, conf: str) -> JobTasks:
    """Wire the daily flow inside the current DAG context; return its first and last task.

        preprocess ─► should_retrain ─► train ─► evaluate ─► export ─┐
                            └────────► skip_retrain ─────────────────┴► retrain_finished
        preprocess, retrain_finished ─► score ─► monitor ─► monitor_realized
        every task ─► watcher

    Retraining comes before scoring so a Sunday's scores already use the new champion. A failed
    or rejected retrain must not stop the daily scores (the champion stays valid), hence the
    ALL_DONE join; the watcher then still marks the run failed, so the failure is not hidden.

    The two monitor steps run one after the other: the drift step reads the day's scores, and
    both rewrite the model's monitoring report at the end, which two at once would race on.
    Realized performance follows the drift step whatever its outcome (ALL_DONE): it measures
    earlier scored dates, which neither a drift alert (exit 5 with on_alert=fail) nor a day
    without scores makes wrong, and the day a date's label window closes is that date's last
    chance to get its final numbers without a manual rerun.
    """
    args = flow_args(conf)
    preprocess_first, preprocess = submit("preprocess", args["preprocess"])
    filters = preprocess.dag.user_defined_filters or {}
    if filters.get(RUN_ID_FILTER) is not glmpipe_run_id:
        # Caught when the file is parsed rather than when the first task renders its --run-id.
        raise ValueError(f"DAG {preprocess.dag.dag_id}: give it user_defined_filters=TEMPLATE_FILTERS "
                         f"(the --run-id template uses the {RUN_ID_FILTER} filter)")
    train_first, train = submit("train", args["train"])
    evaluate_first, evaluate = submit("evaluate", args["evaluate"])
    export_first, export = submit("export", args["export"])
    score_first, score = submit("score", args["score"])
    monitor_first, monitor = submit("monitor", args["monitor"])
    realized_first, realized = submit("monitor_realized", args["monitor_realized"])

    branch = _retrain_branch(train_first.task_id)
    skip = EmptyOperator(task_id="skip_retrain")
    finished = EmptyOperator(task_id="retrain_finished", trigger_rule=TriggerRule.ALL_DONE)

    preprocess >> branch >> [train_first, skip]
    train >> evaluate_first
    evaluate >> export_first
    [export, skip] >> finished
    [preprocess, finished] >> score_first
    score >> monitor_first
    monitor >> realized_first
    realized_first.trigger_rule = TriggerRule.ALL_DONE

    # The branch skips every direct downstream task it does not follow, the watcher included,
    # so the branch is left out; its failure still reaches the watcher through train/skip_retrain.
    # Setup tasks (a cluster created for the run) may only lead to ALL_SUCCESS tasks; their
    # failure reaches the watcher through the body too.
    watch = watcher()
    watched = [
        t for t in preprocess.dag.tasks
        if t not in (watch.operator, branch.operator) and not t.is_setup
    ]
    watched >> watch
    return preprocess_first, realized


def _retrain_branch(train_task_id: str):
    @task.branch(task_id="should_retrain")
    def decide(ds: str | None = None, params: dict | None = None) -> str:
        mode = (params or {}).get("retrain", "auto")
        return train_task_id if should_retrain(mode, date.fromisoformat(ds)) else "skip_retrain"

    return decide()


@task(trigger_rule=TriggerRule.ONE_FAILED, retries=0)
def watcher() -> None:
    """Fails the run when any task failed, even if the tasks after it carried on.

    The same device as Airflow's own system tests: a run's state comes from its leaf tasks,
    and the last monitor step (a leaf) still succeeds after a rejected retrain.
    """
    raise AirflowFailException("a task of this run failed; see the failed task's log")
