"""Every DAG file imports cleanly and every DAG keeps the conventions airflow-dags/README.md states."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from airflow.providers.amazon.aws.sensors.emr import EmrServerlessJobSensor, EmrStepSensor
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.google.cloud.sensors.dataproc import DataprocBatchSensor, DataprocJobSensor
from airflow.sdk import CronDataIntervalTimetable
from conftest import DAGS_DIR, DAGS_PROJECT, DAILY_DAG_IDS, EXPECTED_DAG_IDS, TARGETS, TRAIN_DAG_IDS

import glmpipe_common

DAG_FILES = {"glmpipe_local.py", "glmpipe_emr.py", "glmpipe_dataproc.py"}
RETRYING = (SparkSubmitOperator, EmrStepSensor, DataprocJobSensor, EmrServerlessJobSensor, DataprocBatchSensor)


def parse(target: str):
    """The DAG folder parsed as a deployment with `[glmpipe] target = <target>` parses it."""
    from airflow.dag_processing.dagbag import BundleDagBag

    old = os.environ.get("AIRFLOW__GLMPIPE__TARGET")
    os.environ["AIRFLOW__GLMPIPE__TARGET"] = target
    try:
        return BundleDagBag(dag_folder=DAGS_DIR, bundle_path=DAGS_DIR, bundle_name="dags-folder")
    finally:
        os.environ["AIRFLOW__GLMPIPE__TARGET"] = old


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {Path(dag.fileloc).name for dag in dagbag.dags.values()} == DAG_FILES
    assert all(Path(dag.fileloc).parent == DAGS_DIR for dag in dagbag.dags.values())


def test_expected_dag_ids_are_present(dagbag):
    assert set(dagbag.dag_ids) == EXPECTED_DAG_IDS


@pytest.mark.parametrize("target", TARGETS)
def test_one_setting_chooses_the_target(target):
    bag = parse(target)
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {f"glmpipe_{target}", f"glmpipe_{target}_train"}


def test_an_unknown_target_fails_the_parse_naming_the_setting():
    bag = parse("emr,kubernetes")
    assert bag.import_errors
    assert all("[glmpipe] target" in error for error in bag.import_errors.values())


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_dag_validates_and_has_no_cycle(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    dag.validate()
    # topological_sort raises on a cycle; every task appears once.
    assert len(dag.topological_sort()) == len(dag.tasks)


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_every_task_has_owner_and_the_retry_policy(dagbag, dag_id):
    """Only what may pass by itself retries: local spark-submits (exit codes 2, 4 and 5 fail at
    once, see GlmpipeSparkSubmitOperator) and the cloud sensors' API polls; cloud submissions
    and the data sensor never (its timeout is the answer)."""
    for task in dagbag.dags[dag_id].tasks:
        assert task.owner == glmpipe_common.OWNER, task.task_id
        retrying = isinstance(task, RETRYING)
        expected = 2 if retrying else 0
        assert task.retries == expected, f"{dag_id}.{task.task_id}: retries {task.retries}, want {expected}"
        if task.retries:
            assert task.retry_delay >= timedelta(minutes=1), task.task_id


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_schedule_and_catchup_as_documented(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    # A data-interval timetable: ds is the day that ended, not the day the run starts on.
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    expected = "0 2 * * *" if dag_id in DAILY_DAG_IDS else "0 3 * * 1"
    assert (dag.timetable.expression, str(dag.timetable.timezone)) == (expected, "UTC")


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_every_dag_registers_the_run_id_filter(dagbag, dag_id):
    """The --run-id template uses it; without it the first job task would fail to render."""
    filters = dagbag.dags[dag_id].user_defined_filters
    assert filters[glmpipe_common.RUN_ID_FILTER] is glmpipe_common.glmpipe_run_id


@pytest.mark.parametrize("dag_id", sorted(DAILY_DAG_IDS))
def test_every_daily_dag_waits_for_data_in_reschedule_mode(dagbag, dag_id):
    sensor = dagbag.dags[dag_id].get_task("wait_for_data")
    assert sensor.mode == "reschedule"
    assert sensor.timeout == glmpipe_common.DEFAULT_DATA_TIMEOUT_SECONDS
    assert sensor.poke_interval == glmpipe_common.DEFAULT_DATA_POKE_SECONDS
    assert dagbag.dags[dag_id].get_task("trigger_retrain").trigger_dag_id == f"{dag_id}_train"
    if "emr" in dag_id:
        assert sensor.deferrable is True  # S3KeySensor defers to the triggerer


def test_ruff_airflow_rules_are_clean():
    """`ruff check --select AIR`: no Airflow 2 names, no removed template keys or arguments."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.fail(f"no ruff next to {sys.executable}: run scripts/test-airflow.sh, which installs it")
    done = subprocess.run([str(ruff), "check", "--no-cache", "--select", "AIR", "--preview", "dags", "tests"],
                          cwd=DAGS_PROJECT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


REMOVED_TEMPLATE_KEYS = ("execution_date", "next_ds", "prev_ds", "tomorrow_ds", "yesterday_ds",
                         "next_execution_date", "prev_execution_date", "conf.", "triggering_dataset_events")


def test_no_removed_template_keys():
    for path in DAGS_DIR.glob("*.py"):
        text = path.read_text()
        for key in REMOVED_TEMPLATE_KEYS:
            assert f"{{{{ {key}" not in text and f" {key} }}}}" not in text, f"{path.name}: {key}"


def test_a_flow_without_the_run_id_filter_fails_when_parsed():
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    def submit(task_id, args):
        op = EmptyOperator(task_id=task_id)
        return op, op

    target = glmpipe_common.Target(name="t", description="t", submit=submit, conf="c.yaml",
                                   wait_for_data=lambda: EmptyOperator(task_id="wait_for_data"))
    with DAG(dag_id="no_filters", schedule=None), pytest.raises(ValueError, match="user_defined_filters"):
        glmpipe_common.daily_flow(target)
