"""Task order of each DAG, and the launcher arguments each task renders for a given logical date.

Templates are rendered through Airflow's own context and operators (tests/rendering.py), so a
wrong macro, param or Variable name fails here, not on the first scheduled run.
"""

from __future__ import annotations

import re
from pathlib import Path
from datetime import date, datetime, timezone

import pytest
from rendering import render_task, template_context

import glmpipe_common
from glmpipe_common import MAIN_CLASS, NOT_RETRYABLE, job_args

LOGICAL_DATE = datetime(2026, 11, 7, tzinfo=timezone.utc)  # a Saturday
# The run id Airflow gives a manual run at LOGICAL_DATE (what tests/rendering.py renders by default).
MANUAL_RUN_ID = "manual__2026-11-07T00:00:00+00:00"
# The flows' launcher runs by task id (monitor runs twice: drift, then --realized).
DAILY_JOBS = ("preprocess", "score", "monitor", "monitor_realized")
TRAIN_JOBS = ("train", "evaluate", "export")
JOBS_IN_FLOW = DAILY_JOBS + TRAIN_JOBS
CLOUD = ("emr", "emr_transient", "emr_serverless", "dataproc", "dataproc_batches")
ALL_TARGETS = ("local", *CLOUD)


def dag_of(dagbag, target: str, task_id: str):
    """The DAG of `target` that runs `task_id` (daily or training)."""
    return dagbag.dags[f"glmpipe_{target}" if task_id not in TRAIN_JOBS else f"glmpipe_{target}_train"]


def edges(dag) -> set[tuple[str, str]]:
    """upstream → downstream pairs, without the watcher's (it watches everything)."""
    return {
        (task.task_id, down)
        for task in dag.tasks
        for down in task.downstream_task_ids
        if down != "watcher"
    }


def flow_edges(last_of: dict[str, str], first_of: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """The daily flow's order; `last_of[job]` is the task that is done when the job is."""
    first_of = first_of or {job: job for job in DAILY_JOBS}
    return {
        ("wait_for_data", first_of["preprocess"]),
        (last_of["preprocess"], first_of["score"]),
        (last_of["score"], first_of["monitor"]),
        (last_of["monitor"], first_of["monitor_realized"]),
        (last_of["monitor_realized"], "check_alerts"),
        ("check_alerts", "trigger_retrain"),
    }


def train_edges(last_of: dict[str, str]) -> set[tuple[str, str]]:
    return {(last_of["train"], "evaluate"), (last_of["evaluate"], "export")}


def res(prefix: str, task_id: str) -> list[str]:
    """`--result-uri <prefix>/results/<Airflow run id>.<task id>.json`, as each cloud job passes it."""
    return ["--result-uri", f"{prefix}/results/{MANUAL_RUN_ID}.{task_id}.json"]


WINDOW = {"to": "2026-11-07"}  # what the alert check passes the training DAG for ds 2026-11-07


def rid(task_id: str, try_number: int = 1) -> list[str]:
    """`--run-id <Airflow run id>.<task id>.<try number>`, as each glmpipe task passes it."""
    return ["--run-id", f"{MANUAL_RUN_ID}.{task_id}.{try_number}"]


# ---- task order --------------------------------------------------------------------------
def test_local_order(dagbag):
    assert edges(dagbag.dags["glmpipe_local"]) == flow_edges({job: job for job in DAILY_JOBS})
    assert edges(dagbag.dags["glmpipe_local_train"]) == train_edges({job: job for job in TRAIN_JOBS})


@pytest.mark.parametrize("target", ["emr", "emr_serverless", "dataproc", "dataproc_batches"])
def test_cloud_order_submits_then_waits_for_each_job(dagbag, target):
    expected = flow_edges({job: f"wait_{job}" for job in DAILY_JOBS})
    expected |= {(job, f"wait_{job}") for job in DAILY_JOBS}
    assert edges(dagbag.dags[f"glmpipe_{target}"]) == expected
    expected = train_edges({job: f"wait_{job}" for job in TRAIN_JOBS}) | {(job, f"wait_{job}") for job in TRAIN_JOBS}
    assert edges(dagbag.dags[f"glmpipe_{target}_train"]) == expected


def test_transient_emr_creates_after_the_data_is_there_and_terminates_last(dagbag):
    dag = dagbag.dags["glmpipe_emr_transient"]
    expected = flow_edges({job: f"wait_{job}" for job in DAILY_JOBS})
    expected |= {(job, f"wait_{job}") for job in DAILY_JOBS}
    expected |= {("wait_for_data", "create_cluster"), ("create_cluster", "preprocess"),
                 ("create_cluster", "terminate_cluster"), ("wait_monitor_realized", "terminate_cluster")}
    assert edges(dag) == expected
    assert dag.get_task("create_cluster").is_setup
    assert dag.get_task("terminate_cluster").is_teardown
    train = dagbag.dags["glmpipe_emr_transient_train"]
    assert {("create_cluster", "train"), ("wait_export", "terminate_cluster")} <= edges(train)


@pytest.mark.parametrize("target", ALL_TARGETS)
def test_watcher_sees_every_task_but_the_alert_check_setup_and_teardown(dagbag, target):
    """(A failed teardown fails the run by itself: on_failure_fail_dagrun.)"""
    dag = dagbag.dags[f"glmpipe_{target}"]
    watched = dag.get_task("watcher").upstream_task_ids
    unwatched = {t.task_id for t in dag.tasks if t.is_setup or t.is_teardown} | {"check_alerts", "watcher"}
    assert watched == {t.task_id for t in dag.tasks} - unwatched
    assert dag.get_task("watcher").trigger_rule == "one_failed"
    assert dag.get_task("watcher").on_failure_callback in (None, [])


@pytest.mark.parametrize("target", ALL_TARGETS)
def test_realized_and_the_alert_check_follow_whatever_happened(dagbag, target):
    """The drift step needs the day's scores; realized performance (earlier dates) only waits
    for the drift step to be done, so a drift alert does not hold it back, and the alert check
    reads whatever results there are (an exit 5 with on_alert=fail still wrote its result)."""
    dag = dagbag.dags[f"glmpipe_{target}"]
    assert dag.get_task("monitor").trigger_rule == "all_success"
    assert dag.get_task("monitor_realized").trigger_rule == "all_done"
    assert dag.get_task("check_alerts").trigger_rule == "all_done"
    others = {t.task_id for t in dag.tasks if t.trigger_rule == "all_done"}
    assert others - {"monitor_realized", "check_alerts", "terminate_cluster"} == set()


def test_the_alert_conf_names_the_reason_and_the_window():
    results = {
        "monitor": {"dates": [{"dt": "2026-11-07", "alerts": [
            {"kind": "input_drift", "feature": "monthly_charges", "metric": "psi", "value": 0.9}]}]},
        "monitor_realized": {"dates": [{"dt": "2026-11-01", "alerts": [
            {"kind": "realized_performance", "feature": None, "metric": "auc_roc_drop", "value": 0.08}]}]},
    }
    request = glmpipe_common.retrain_request(results, "2026-11-07", "scheduled__x")
    assert request["reason"] == "drift+performance"
    assert request["to"] == "2026-11-07"
    assert request["alert_count"] == 2
    assert request["triggered_by"] == "scheduled__x"
    assert glmpipe_common.retrain_request({"monitor": {"dates": [{"dt": "d", "alerts": []}]},
                                           "monitor_realized": None}, "d", "r") is None


# ---- launcher arguments and exit codes ------------------------------------------------------
def test_job_args_put_flags_after_the_dates():
    assert job_args("monitor", "c.yaml", run_id="r1", dt="2026-11-07", flags=["--realized"], version="v1",
                    overrides={"monitor.on_alert": "fail"}, result_uri="s3://b/r.json") == [
        "monitor", "--conf", "c.yaml", "--run-id", "r1", "--dt", "2026-11-07", "--realized",
        "--model-version", "v1", "--result-uri", "s3://b/r.json", "--set", "monitor.on_alert=fail"]


@pytest.mark.parametrize("flags", ["--realized", ["realized"], ["--dt", "2026-11-07"]])
def test_job_args_refuse_what_is_not_a_list_of_switches(flags):
    with pytest.raises(ValueError, match="flags"):
        job_args("monitor", "c.yaml", dt="2026-11-07", flags=flags)


def test_only_exit_codes_a_retry_cannot_change_fail_at_once():
    """2 usage/config, 4 model rejected, 5 monitoring alert with on_alert=fail (everything
    written) repeat on every retry; 1 and 3 (late input) may pass."""
    assert set(NOT_RETRYABLE) == {2, 4, 5}
    assert "on_alert=fail" in NOT_RETRYABLE[glmpipe_common.EXIT_MONITOR_ALERT]


# ---- local: SparkSubmitOperator arguments -------------------------------------------------------
@pytest.fixture
def local_variables(monkeypatch):
    """The Variables the local DAG reads, as a worker's environment would hold them."""
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_JAR", "jars/glmpipe-jobs-all.jar")
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_CONF", "conf/local.yaml")


def test_local_score_renders_the_day(dagbag, local_variables):
    task = render_task(dagbag.dags["glmpipe_local"], "score", LOGICAL_DATE)
    assert task.application_args == ["score", "--conf", "conf/local.yaml", *rid("score"), "--dt", "2026-11-07"]
    assert task.application == "jars/glmpipe-jobs-all.jar"
    assert task._java_class == MAIN_CLASS
    assert task._conn_id == "glmpipe_spark_local"
    assert task.name == "glmpipe-score-2026-11-07"


def test_local_preprocess_renders_the_day(dagbag, local_variables):
    task = render_task(dagbag.dags["glmpipe_local"], "preprocess", LOGICAL_DATE)
    assert task.application_args == [
        "preprocess", "--conf", "conf/local.yaml", *rid("preprocess"), "--dt", "2026-11-07"]


def test_local_train_renders_the_seven_days_ending_at_ds(dagbag, local_variables):
    task = render_task(dagbag.dags["glmpipe_local_train"], "train", LOGICAL_DATE, conf=WINDOW)
    assert task.application_args == [
        "train", "--conf", "conf/local.yaml", *rid("train"), "--from", "2026-11-01", "--to", "2026-11-07"]


def test_local_train_by_schedule_ends_on_the_sunday_before_its_interval_ends(dagbag, local_variables):
    """The training DAG runs Mondays 03:00; a run whose interval ends Monday 2026-11-02 trains
    on the week ending Sunday 2026-11-01."""
    task = render_task(dagbag.dags["glmpipe_local_train"], "train", LOGICAL_DATE)
    assert task.application_args[-4:] == ["--from", "2026-10-26", "--to", "2026-11-01"]


def test_local_train_window_follows_params(dagbag, local_variables):
    task = render_task(dagbag.dags["glmpipe_local_train"], "train", LOGICAL_DATE, conf={"train_days": 1, **WINDOW})
    assert task.application_args[-4:] == ["--from", "2026-11-07", "--to", "2026-11-07"]


def test_local_monitor_renders_the_day(dagbag, local_variables):
    task = render_task(dagbag.dags["glmpipe_local"], "monitor", LOGICAL_DATE)
    assert task.application_args == ["monitor", "--conf", "conf/local.yaml", *rid("monitor"), "--dt", "2026-11-07"]
    assert task.name == "glmpipe-monitor-2026-11-07"


def test_local_monitor_realized_renders_the_day_and_the_switch(dagbag, local_variables):
    task = render_task(dagbag.dags["glmpipe_local"], "monitor_realized", LOGICAL_DATE)
    assert task.application_args == [
        "monitor", "--conf", "conf/local.yaml", *rid("monitor_realized"), "--dt", "2026-11-07", "--realized"]
    assert task.name == "glmpipe-monitor_realized-2026-11-07"


def test_local_set_follows_the_realized_switch(dagbag, local_variables):
    conf = {"set": {"monitor.on_alert": "fail"}}
    task = render_task(dagbag.dags["glmpipe_local"], "monitor_realized", LOGICAL_DATE, conf=conf)
    assert task.application_args[-3:] == ["--realized", "--set", "monitor.on_alert=fail"]


@pytest.mark.parametrize("job", ["evaluate", "export"])
def test_local_evaluate_and_export_take_the_latest_version(dagbag, local_variables, job):
    task = render_task(dagbag.dags["glmpipe_local_train"], job, LOGICAL_DATE)
    assert task.application_args == [job, "--conf", "conf/local.yaml", *rid(job)]


def test_local_params_win_over_variables_and_set_becomes_overrides(dagbag, local_variables):
    conf = {"jar": "other.jar", "conf": "other.yaml",
            "set": {"storage.root": "file:///srv/glmpipe", "model.reg_param": 0.01}}
    task = render_task(dagbag.dags["glmpipe_local"], "score", LOGICAL_DATE, conf=conf)
    assert task.application == "other.jar"
    assert task.application_args == [
        "score", "--conf", "other.yaml", *rid("score"), "--dt", "2026-11-07",
        "--set", "storage.root=file:///srv/glmpipe", "--set", "model.reg_param=0.01"]


def test_a_missing_variable_fails_the_render_naming_it(dagbag, monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_GLMPIPE_LOCAL_JAR", raising=False)
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_CONF", "conf/local.yaml")
    with pytest.raises(Exception, match="glmpipe_local_jar"):
        render_task(dagbag.dags["glmpipe_local"], "score", LOGICAL_DATE)


# ---- EMR: the step definitions --------------------------------------------------------------
@pytest.fixture
def emr_variables(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_CLUSTER_ID", "j-2AXXXXXXGAPLF")
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_ARTIFACTS", "s3://example-bucket/glmpipe")
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_RAW", "s3://example-bucket/landing/churn")
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_SERVERLESS_APP_ID", "00fexampleapp")
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_SERVERLESS_ROLE_ARN", "arn:aws:iam::123456789012:role/glmpipe")


def emr_args(launcher_args: list[str], version: str = glmpipe_common.GLMPIPE_VERSION) -> list[str]:
    return ["spark-submit", "--deploy-mode", "cluster", "--conf", "spark.yarn.maxAppAttempts=1", "--class", MAIN_CLASS,
            f"s3://example-bucket/glmpipe/glmpipe-jobs-{version}-spark35_2.12.jar", *launcher_args]


def test_emr_score_step(dagbag, emr_variables):
    task = render_task(dagbag.dags["glmpipe_emr"], "score", LOGICAL_DATE)
    assert task.job_flow_id == "j-2AXXXXXXGAPLF"
    assert task.steps == [{
        "Name": "glmpipe score 2026-11-07",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": emr_args(["score", "--conf", "s3://example-bucket/glmpipe/conf/emr.yaml",
                              *rid("score"), "--dt", "2026-11-07", *res("s3://example-bucket/glmpipe", "score")]),
        },
    }]


def test_emr_train_step_covers_the_window(dagbag, emr_variables):
    task = render_task(dagbag.dags["glmpipe_emr_train"], "train", LOGICAL_DATE, conf=WINDOW)
    assert task.steps[0]["HadoopJarStep"]["Args"] == emr_args(
        ["train", "--conf", "s3://example-bucket/glmpipe/conf/emr.yaml", *rid("train"),
         "--from", "2026-11-01", "--to", "2026-11-07", *res("s3://example-bucket/glmpipe", "train")])


@pytest.mark.parametrize(("task_id", "flags"), [("monitor", []), ("monitor_realized", ["--realized"])])
def test_emr_monitor_steps(dagbag, emr_variables, task_id, flags):
    task = render_task(dagbag.dags["glmpipe_emr"], task_id, LOGICAL_DATE)
    assert task.steps == [{
        "Name": f"glmpipe {task_id} 2026-11-07",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": emr_args(["monitor", "--conf", "s3://example-bucket/glmpipe/conf/emr.yaml",
                              *rid(task_id), "--dt", "2026-11-07", *flags, *res("s3://example-bucket/glmpipe", task_id)]),
        },
    }]


def test_emr_params_pick_cluster_and_jar_version(dagbag, emr_variables):
    conf = {"cluster_id": "j-OTHER", "version": "1.4.0"}
    task = render_task(dagbag.dags["glmpipe_emr"], "preprocess", LOGICAL_DATE, conf=conf)
    assert task.job_flow_id == "j-OTHER"
    assert task.steps[0]["HadoopJarStep"]["Args"] == emr_args(
        ["preprocess", "--conf", "s3://example-bucket/glmpipe/conf/emr.yaml", *rid("preprocess"), "--dt", "2026-11-07",
         *res("s3://example-bucket/glmpipe", "preprocess")],
        version="1.4.0")


class UpstreamXComs:
    """Stands in for the one thing only a run against a real cloud produces: what an upstream
    task returned. Every other part of the context is Airflow's own, the task instance's
    other attributes (task_id, try_number, …) included."""

    def __init__(self, ti, returned: dict[str, object]):
        self.ti = ti
        self.returned = returned

    def __getattr__(self, name):
        return getattr(self.ti, name)

    def xcom_pull(self, task_ids=None, key="return_value", **_):
        assert key == "return_value"
        return self.returned[task_ids]


def test_emr_sensor_waits_for_the_step_its_submit_task_added(dagbag, emr_variables):
    task, context = template_context(dagbag.dags["glmpipe_emr_train"], "wait_train", LOGICAL_DATE)
    context["ti"] = UpstreamXComs(context["ti"], {"train": ["s-1TRAINSTEP"]})
    task.render_template_fields(context)
    assert (task.job_flow_id, task.step_id) == ("j-2AXXXXXXGAPLF", "s-1TRAINSTEP")


def test_emr_transient_uses_the_cluster_it_created(dagbag, emr_variables):
    dag = dagbag.dags["glmpipe_emr_transient"]
    create = render_task(dag, "create_cluster", LOGICAL_DATE)
    assert create.is_setup
    assert create.job_flow_overrides["Name"] == "glmpipe-2026-11-07"
    assert create.job_flow_overrides["LogUri"] == "s3://example-bucket/glmpipe/emr-logs/"
    for task_id in ("score", "monitor_realized", "terminate_cluster"):
        task, context = template_context(dag, task_id, LOGICAL_DATE)
        context["ti"] = UpstreamXComs(context["ti"], {"create_cluster": "j-CREATED"})
        task.render_template_fields(context)
        assert task.job_flow_id == "j-CREATED", task_id


# ---- Dataproc: the job resources ----------------------------------------------------------------
@pytest.fixture
def dataproc_variables(monkeypatch):
    for name, value in {
        "PROJECT": "example-project",
        "REGION": "europe-west1",
        "CLUSTER": "glmpipe-cluster",
        "ARTIFACTS": "gs://example-bucket/glmpipe",
        "RAW": "gs://example-bucket/landing/churn",
    }.items():
        monkeypatch.setenv(f"AIRFLOW_VAR_GLMPIPE_DATAPROC_{name}", value)


def dataproc_job(job: str, launcher_args: list[str]) -> dict:
    return {
        "reference": {"project_id": "example-project"},
        "placement": {"cluster_name": "glmpipe-cluster"},
        "labels": {"app": "glmpipe", "glmpipe-job": job},
        "spark_job": {
            "main_class": MAIN_CLASS,
            "jar_file_uris": [f"gs://example-bucket/glmpipe/glmpipe-jobs-{glmpipe_common.GLMPIPE_VERSION}-spark35_2.12.jar"],
            "args": launcher_args,
        },
    }


def test_dataproc_score_job(dagbag, dataproc_variables):
    task = render_task(dagbag.dags["glmpipe_dataproc"], "score", LOGICAL_DATE)
    assert (task.project_id, task.region) == ("example-project", "europe-west1")
    assert task.asynchronous is True
    assert task.job == dataproc_job(
        "score",
        ["score", "--conf", "gs://example-bucket/glmpipe/conf/dataproc.yaml", *rid("score"), "--dt", "2026-11-07",
         *res("gs://example-bucket/glmpipe", "score")])


def test_dataproc_train_job_covers_the_window(dagbag, dataproc_variables):
    task = render_task(dagbag.dags["glmpipe_dataproc_train"], "train", LOGICAL_DATE, conf=WINDOW)
    assert task.job["spark_job"]["args"] == [
        "train", "--conf", "gs://example-bucket/glmpipe/conf/dataproc.yaml", *rid("train"),
        "--from", "2026-11-01", "--to", "2026-11-07", *res("gs://example-bucket/glmpipe", "train")]


@pytest.mark.parametrize(("task_id", "flags"), [("monitor", []), ("monitor_realized", ["--realized"])])
def test_dataproc_monitor_jobs(dagbag, dataproc_variables, task_id, flags):
    task = render_task(dagbag.dags["glmpipe_dataproc"], task_id, LOGICAL_DATE)
    assert task.job == dataproc_job(
        task_id, ["monitor", "--conf", "gs://example-bucket/glmpipe/conf/dataproc.yaml", *rid(task_id),
                  "--dt", "2026-11-07", *flags, *res("gs://example-bucket/glmpipe", task_id)])


def test_dataproc_params_pick_the_cluster(dagbag, dataproc_variables):
    conf = {"project": "p2", "region": "us-central1", "cluster": "c2"}
    task = render_task(dagbag.dags["glmpipe_dataproc"], "preprocess", LOGICAL_DATE, conf=conf)
    assert (task.project_id, task.region) == ("p2", "us-central1")
    assert task.job["placement"] == {"cluster_name": "c2"}
    assert task.job["reference"] == {"project_id": "p2"}


def test_dataproc_sensor_waits_for_the_job_its_submit_task_started(dagbag, dataproc_variables):
    task, context = template_context(dagbag.dags["glmpipe_dataproc"], "wait_score", LOGICAL_DATE)
    context["ti"] = UpstreamXComs(context["ti"], {"score": "job-4f2a"})
    task.render_template_fields(context)
    assert (task.project_id, task.region, task.dataproc_job_id) == ("example-project", "europe-west1", "job-4f2a")


# ---- run ids: --run-id <Airflow run id>.<task id>.<try number> --------------------------------
# What the launcher accepts (dev.glmpipe.RunId), written out here rather than taken from the DAGs.
VALID_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+@=-]{0,199}")
ALL_DAGS = ALL_TARGETS


@pytest.fixture
def all_variables(local_variables, emr_variables, dataproc_variables):
    """The Variables of every DAG."""


def launcher_args(task) -> list[str]:
    """The glmpipe launcher's arguments in a rendered task of any of the DAGs."""
    if hasattr(task, "application_args"):  # SparkSubmitOperator
        return task.application_args
    if hasattr(task, "steps"):  # EmrAddStepsOperator: spark-submit's arguments after the jar
        (step,) = task.steps
        args = step["HadoopJarStep"]["Args"]
        return args[args.index(MAIN_CLASS) + 2:]
    if hasattr(task, "job_driver"):  # EmrServerlessStartJobOperator
        return task.job_driver["sparkSubmit"]["entryPointArguments"]
    if hasattr(task, "batch"):  # DataprocCreateBatchOperator
        return task.batch["spark_batch"]["args"]
    return task.job["spark_job"]["args"]  # DataprocSubmitJobOperator


def rendered_run_id(dagbag, target: str, task_id: str, *, run_id: str | None = None, try_number: int = 1) -> str:
    dag = dag_of(dagbag, target, task_id)
    task, context = template_context(dag, task_id, LOGICAL_DATE, run_id=run_id, try_number=try_number)
    # glmpipe_emr_transient's steps go to the cluster create_cluster made.
    context["ti"] = UpstreamXComs(context["ti"], {"create_cluster": "j-CREATED"})
    task.render_template_fields(context)
    args = launcher_args(task)
    assert args.count("--run-id") == 1, args
    return args[args.index("--run-id") + 1]


@pytest.mark.parametrize("dag_id", ALL_DAGS)
def test_every_job_gets_the_airflow_run_task_and_try(dagbag, all_variables, dag_id):
    ids = {task_id: rendered_run_id(dagbag, dag_id, task_id) for task_id in JOBS_IN_FLOW}
    assert ids == {task_id: f"{MANUAL_RUN_ID}.{task_id}.1" for task_id in JOBS_IN_FLOW}
    # Two tasks of one run never share an id: monitor and monitor_realized run the same job.
    assert len(set(ids.values())) == len(JOBS_IN_FLOW)
    assert all(VALID_RUN_ID.fullmatch(run_id) for run_id in ids.values())


@pytest.mark.parametrize("dag_id", ALL_DAGS)
def test_only_the_tasks_that_run_a_job_get_a_run_id(dagbag, dag_id):
    """Every other task (branch, joins, sensors, the cluster's setup and teardown) runs no job."""
    dags = (dagbag.dags[f"glmpipe_{dag_id}"], dagbag.dags[f"glmpipe_{dag_id}_train"])
    with_run_id = {
        t.task_id for dag in dags for t in dag.tasks
        if any("--run-id" in repr(getattr(t, field, None))
               for field in ("application_args", "steps", "job", "job_driver", "batch"))
    }
    assert with_run_id == set(JOBS_IN_FLOW)


@pytest.mark.parametrize("dag_id", ALL_DAGS)
def test_a_retry_gets_a_new_run_id(dagbag, all_variables, dag_id):
    first = rendered_run_id(dagbag, dag_id, "monitor_realized", try_number=1)
    third = rendered_run_id(dagbag, dag_id, "monitor_realized", try_number=3)
    assert third == f"{MANUAL_RUN_ID}.monitor_realized.3"
    assert first != third


def test_a_scheduled_run_id_passes_unchanged(dagbag, all_variables):
    scheduled = "scheduled__2026-11-08T02:00:00+00:00"  # the scheduled run whose ds is 2026-11-07
    assert rendered_run_id(dagbag, "local", "score", run_id=scheduled, try_number=2) == (
        f"{scheduled}.score.2")


# Run ids the API or `airflow dags trigger --run-id` may give. Airflow's default
# [scheduler] allowed_run_id_pattern, ^[A-Za-z0-9_.~:+-]+$, lets through '~', a leading '_', '.'
# or '-', and up to 250 characters; a deployment may widen the pattern to anything.
ODD_RUN_IDS = [
    "~nightly~rerun",
    "_leading-underscore",
    "x" * 250,  # the longest Airflow stores
    "a" * 196,  # fits alone, not with the task and try
    "backfill for/ticket #42 (retry)",  # widened pattern
    "ünïcode_lauf_2026-11-07",  # widened pattern
]


@pytest.fixture
def any_run_id_allowed(monkeypatch):
    """A deployment that accepts any run id (Airflow reads the setting when it checks one)."""
    monkeypatch.setenv("AIRFLOW__SCHEDULER__ALLOWED_RUN_ID_PATTERN", ".*")


@pytest.mark.parametrize("dag_id", ALL_DAGS)
@pytest.mark.parametrize("odd", ODD_RUN_IDS, ids=lambda odd: odd[:20])
def test_an_odd_airflow_run_id_still_renders_a_valid_run_id(dagbag, all_variables, any_run_id_allowed, dag_id, odd):
    tasks = ("monitor", "monitor_realized")
    ids = [rendered_run_id(dagbag, dag_id, task_id, run_id=odd, try_number=2) for task_id in tasks]
    for task_id, run_id in zip(tasks, ids):
        assert VALID_RUN_ID.fullmatch(run_id), run_id
        assert run_id.endswith(f".{task_id}.2"), run_id
    assert ids[0] != ids[1]


def test_odd_run_ids_keep_what_they_can_and_stay_apart():
    run_id = glmpipe_common.glmpipe_run_id("backfill for/ticket #42", "score", 1)
    assert re.fullmatch(r"backfill-for-ticket--42-[0-9a-f]{8}\.score\.1", run_id), run_id
    # Run ids that differ only in what is replaced or cut give different ids.
    assert glmpipe_common.glmpipe_run_id("a b", "score", 1) != glmpipe_common.glmpipe_run_id("a/b", "score", 1)
    long_a, long_b = "x" * 240 + "a", "x" * 240 + "b"
    assert glmpipe_common.glmpipe_run_id(long_a, "score", 1) != glmpipe_common.glmpipe_run_id(long_b, "score", 1)
    assert len(glmpipe_common.glmpipe_run_id(long_a, "score", 1)) == 200
    # Nothing but replaced characters: the id still starts with a letter or digit.
    assert VALID_RUN_ID.fullmatch(glmpipe_common.glmpipe_run_id("///", "score", 1))
    # A task id as long as Airflow allows.
    long_task = glmpipe_common.glmpipe_run_id("manual__x", "t" * 250, 12)
    assert VALID_RUN_ID.fullmatch(long_task) and long_task.endswith(".12")


# ---- EMR Serverless: the job run ----------------------------------------------------------------
def test_emr_serverless_score_job_run(dagbag, emr_variables):
    task = render_task(dagbag.dags["glmpipe_emr_serverless"], "score", LOGICAL_DATE)
    assert (task.application_id, task.execution_role_arn) == ("00fexampleapp", "arn:aws:iam::123456789012:role/glmpipe")
    assert task.job_driver == {"sparkSubmit": {
        "entryPoint": f"s3://example-bucket/glmpipe/glmpipe-jobs-{glmpipe_common.GLMPIPE_VERSION}-spark35_2.12.jar",
        "entryPointArguments": ["score", "--conf", "s3://example-bucket/glmpipe/conf/emr.yaml", *rid("score"),
                                "--dt", "2026-11-07", *res("s3://example-bucket/glmpipe", "score")],
        "sparkSubmitParameters": f"--class {MAIN_CLASS}",
    }}
    assert task.name == "glmpipe score 2026-11-07"
    assert task.wait_for_completion is False
    token = task.config["clientToken"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token)
    # The same try gives the same token (a re-sent start finds its job run); the next try another.
    again = render_task(dagbag.dags["glmpipe_emr_serverless"], "score", LOGICAL_DATE)
    retry = render_task(dagbag.dags["glmpipe_emr_serverless"], "score", LOGICAL_DATE, try_number=2)
    assert again.config["clientToken"] == token != retry.config["clientToken"]


def test_emr_serverless_sensor_waits_for_the_job_run_its_start_task_started(dagbag, emr_variables):
    task, context = template_context(dagbag.dags["glmpipe_emr_serverless"], "wait_score", LOGICAL_DATE)
    context["ti"] = UpstreamXComs(context["ti"], {"score": "00fjobrun"})
    task.render_template_fields(context)
    assert (task.application_id, task.job_run_id) == ("00fexampleapp", "00fjobrun")


def test_emr_serverless_params_pick_the_application(dagbag, emr_variables):
    conf = {"application_id": "00fother", "execution_role_arn": "arn:aws:iam::1:role/other"}
    task = render_task(dagbag.dags["glmpipe_emr_serverless_train"], "train", LOGICAL_DATE, conf=conf)
    assert (task.application_id, task.execution_role_arn) == ("00fother", "arn:aws:iam::1:role/other")


# ---- Dataproc Batches: the batch request ---------------------------------------------------------
def test_dataproc_batch_request_and_its_id(dagbag, dataproc_variables):
    task = render_task(dagbag.dags["glmpipe_dataproc_batches"], "monitor_realized", LOGICAL_DATE)
    assert (task.project_id, task.region, task.asynchronous) == ("example-project", "europe-west1", True)
    assert task.batch == {
        "spark_batch": {
            "main_class": MAIN_CLASS,
            "jar_file_uris": [f"gs://example-bucket/glmpipe/glmpipe-jobs-{glmpipe_common.GLMPIPE_VERSION}-spark35_2.12.jar"],
            "args": ["monitor", "--conf", "gs://example-bucket/glmpipe/conf/dataproc.yaml", *rid("monitor_realized"),
                     "--dt", "2026-11-07", "--realized", *res("gs://example-bucket/glmpipe", "monitor_realized")],
        },
        "runtime_config": {"version": "1.2"},  # Spark 3.5 / Scala 2.12: the default jar
        "labels": {"app": "glmpipe", "glmpipe-job": "monitor_realized"},
    }
    batch_id = task.batch_id
    assert re.fullmatch(r"[a-z][a-z0-9-]{2,61}[a-z0-9]", batch_id), batch_id
    # Derived from the run id, task and try: the same try asks for the same batch (a re-sent
    # create attaches to it: AlreadyExists), a new try (a cleared task) for a new one.
    again = render_task(dagbag.dags["glmpipe_dataproc_batches"], "monitor_realized", LOGICAL_DATE)
    retry = render_task(dagbag.dags["glmpipe_dataproc_batches"], "monitor_realized", LOGICAL_DATE, try_number=2)
    other_run = render_task(dagbag.dags["glmpipe_dataproc_batches"], "monitor_realized", LOGICAL_DATE,
                            run_id="scheduled__2026-11-08T02:00:00+00:00")
    assert again.batch_id == batch_id
    assert len({batch_id, retry.batch_id, other_run.batch_id}) == 3
    assert batch_id.endswith("-t1") and retry.batch_id.endswith("-t2")


def test_dataproc_batch_sensor_waits_for_the_batch_its_create_task_made(dagbag, dataproc_variables):
    task, context = template_context(dagbag.dags["glmpipe_dataproc_batches"], "wait_score", LOGICAL_DATE)
    context["ti"] = UpstreamXComs(context["ti"], {"score": {
        "name": "projects/example-project/locations/europe-west1/batches/glmpipe-score-abc-t1"}})
    task.render_template_fields(context)
    assert (task.project_id, task.region, task.batch_id) == ("example-project", "europe-west1", "glmpipe-score-abc-t1")


# ---- the data sensors ------------------------------------------------------------------------
def test_local_data_sensor_waits_for_the_marker_of_the_day(dagbag, local_variables, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_RAW", "file:///srv/raw/churn")
    task = render_task(dagbag.dags["glmpipe_local"], "wait_for_data", LOGICAL_DATE)
    assert task.filepath == "/srv/raw/churn/dt=2026-11-07/_SUCCESS"
    assert task.partition == "/srv/raw/churn/dt=2026-11-07"


def test_s3_data_sensor_waits_for_the_marker_of_the_day(dagbag, emr_variables):
    for target in ("emr", "emr_transient", "emr_serverless"):
        task = render_task(dagbag.dags[f"glmpipe_{target}"], "wait_for_data", LOGICAL_DATE)
        assert task.bucket_key == "s3://example-bucket/landing/churn/dt=2026-11-07/_SUCCESS"
        assert task.wildcard_match is True


def test_gcs_data_sensor_waits_for_the_marker_of_the_day(dagbag, dataproc_variables):
    for target in ("dataproc", "dataproc_batches"):
        task = render_task(dagbag.dags[f"glmpipe_{target}"], "wait_for_data", LOGICAL_DATE)
        assert (task.bucket, task.object) == ("example-bucket", "landing/churn/dt=2026-11-07/_SUCCESS")
        assert task.partition == "gs://example-bucket/landing/churn/dt=2026-11-07"


@pytest.mark.parametrize(("marker", "local", "s3", "gcs_class"), [
    ("*", "/srv/raw/churn/dt=2026-11-07/*", "s3://example-bucket/landing/churn/dt=2026-11-07/*",
     "GCSObjectsWithPrefixExistenceSensor"),
    ("READY", "/srv/raw/churn/dt=2026-11-07/READY", "s3://example-bucket/landing/churn/dt=2026-11-07/READY",
     "GCSObjectExistenceSensor"),
])
def test_the_marker_setting(all_variables, monkeypatch, marker, local, s3, gcs_class):
    from conftest import DAGS_DIR
    from airflow.dag_processing.dagbag import BundleDagBag

    monkeypatch.setenv("AIRFLOW__GLMPIPE__DATA_MARKER", marker)
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_LOCAL_RAW", "/srv/raw/churn")
    bag = BundleDagBag(dag_folder=DAGS, bundle_path=DAGS, bundle_name="dags-folder")
    assert render_task(bag.dags["glmpipe_local"], "wait_for_data", LOGICAL_DATE).filepath == local
    assert render_task(bag.dags["glmpipe_emr"], "wait_for_data", LOGICAL_DATE).bucket_key == s3
    gcs = render_task(bag.dags["glmpipe_dataproc"], "wait_for_data", LOGICAL_DATE)
    assert gcs_class in [c.__name__ for c in type(gcs).__mro__]


# ---- which jar each platform takes -----------------------------------------------------------
DAGS = Path(__file__).resolve().parents[1] / "dags"

@pytest.mark.parametrize("release, build", [
    ("emr-7.10.0", "spark35_2.12"), ("emr-7.12.0", "spark35_2.12"), ("emr-8.0.0", "spark40_2.13")])
def test_emr_release_picks_the_jar(release, build):
    assert glmpipe_common.emr_build(release) == build


@pytest.mark.parametrize("image, build", [("2.2", "spark35_2.12"), ("2.3-debian12", "spark35_2.12"), ("3.0", "spark40_2.13")])
def test_dataproc_image_picks_the_jar(image, build):
    assert glmpipe_common.dataproc_image_build(image) == build


@pytest.mark.parametrize("runtime, build", [
    ("1.2", "spark35_2.12"), ("2.2", "spark35_2.13"), ("2.3", "spark35_2.13"), ("3.0", "spark40_2.13")])
def test_dataproc_serverless_runtime_picks_the_jar(runtime, build):
    assert glmpipe_common.dataproc_runtime_build(runtime) == build


@pytest.mark.parametrize("bad", ["emr-6.15.0", "emr-9.0.0", "latest"])
def test_a_release_no_jar_runs_on_fails_naming_it(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        glmpipe_common.emr_build(bad)


def test_platform_settings_pick_each_targets_jar(monkeypatch, emr_variables, dataproc_variables):
    """EMR 8 and Dataproc 3.0 / Serverless 2.2 deployments: the DAGs submit the Scala 2.13 jars."""
    from airflow.dag_processing.dagbag import BundleDagBag

    monkeypatch.setenv("AIRFLOW__GLMPIPE__EMR_RELEASE", "emr-8.0.0")
    monkeypatch.setenv("AIRFLOW__GLMPIPE__DATAPROC_IMAGE", "3.0")
    monkeypatch.setenv("AIRFLOW__GLMPIPE__DATAPROC_RUNTIME", "2.2")
    bag = BundleDagBag(dag_folder=DAGS, bundle_path=DAGS, bundle_name="dags-folder")
    assert not bag.import_errors
    version = glmpipe_common.GLMPIPE_VERSION
    step = render_task(bag.dags["glmpipe_emr"], "score", LOGICAL_DATE)
    assert f"s3://example-bucket/glmpipe/glmpipe-jobs-{version}-spark40_2.13.jar" in step.steps[0]["HadoopJarStep"]["Args"]
    run = render_task(bag.dags["glmpipe_emr_serverless"], "score", LOGICAL_DATE)
    assert run.job_driver["sparkSubmit"]["entryPoint"].endswith(f"-{version}-spark40_2.13.jar")
    create = render_task(bag.dags["glmpipe_emr_transient"], "create_cluster", LOGICAL_DATE)
    assert create.job_flow_overrides["ReleaseLabel"] == "emr-8.0.0"
    job = render_task(bag.dags["glmpipe_dataproc"], "score", LOGICAL_DATE)
    assert job.job["spark_job"]["jar_file_uris"] == [f"gs://example-bucket/glmpipe/glmpipe-jobs-{version}-spark40_2.13.jar"]
    batch = render_task(bag.dags["glmpipe_dataproc_batches"], "score", LOGICAL_DATE)
    assert batch.batch["runtime_config"] == {"version": "2.2"}
    assert batch.batch["spark_batch"]["jar_file_uris"] == [f"gs://example-bucket/glmpipe/glmpipe-jobs-{version}-spark35_2.13.jar"]


def test_a_platform_setting_no_jar_runs_on_fails_the_parse(monkeypatch):
    from airflow.dag_processing.dagbag import BundleDagBag

    monkeypatch.setenv("AIRFLOW__GLMPIPE__EMR_RELEASE", "emr-6.15.0")
    bag = BundleDagBag(dag_folder=DAGS, bundle_path=DAGS, bundle_name="dags-folder")
    assert any("emr-6.15.0" in str(e) for e in bag.import_errors.values())
