"""Every DAG file imports cleanly and every DAG keeps the conventions airflow-dags/README.md states."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.google.cloud.sensors.dataproc import DataprocJobSensor
from airflow.sdk import CronDataIntervalTimetable
from conftest import DAGS_DIR, EXPECTED_DAG_IDS

import glmpipe_common

SCHEDULED = {"glmpipe_local", "glmpipe_emr", "glmpipe_dataproc"}
DAG_FILES = {"glmpipe_local.py", "glmpipe_emr.py", "glmpipe_dataproc.py"}


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {Path(dag.fileloc).name for dag in dagbag.dags.values()} == DAG_FILES
    assert all(Path(dag.fileloc).parent == DAGS_DIR for dag in dagbag.dags.values())


def test_expected_dag_ids_are_present(dagbag):
    assert set(dagbag.dag_ids) == EXPECTED_DAG_IDS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_dag_validates_and_has_no_cycle(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    dag.validate()
    # topological_sort raises on a cycle; every task appears once.
    assert len(dag.topological_sort()) == len(dag.tasks)


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_every_task_has_owner_and_the_retry_policy(dagbag, dag_id):
    """Only what may pass by itself retries: local spark-submits (exit codes 2, 4 and 5 fail at
    once, see GlmpipeSparkSubmitOperator) and the cloud sensors' API polls; cloud submissions never."""
    for task in dagbag.dags[dag_id].tasks:
        assert task.owner == glmpipe_common.OWNER, task.task_id
        retrying = isinstance(task, (SparkSubmitOperator, EmrStepSensor, DataprocJobSensor))
        expected = 2 if retrying else 0
        assert task.retries == expected, f"{dag_id}.{task.task_id}: retries {task.retries}, want {expected}"
        if task.retries:
            assert task.retry_delay >= timedelta(minutes=1), task.task_id


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_schedule_and_catchup_as_documented(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    if dag_id in SCHEDULED:
        # A data-interval timetable: ds is the day that ended, not the day the run starts on.
        assert isinstance(dag.timetable, CronDataIntervalTimetable)
        assert (dag.timetable.expression, str(dag.timetable.timezone)) == ("0 2 * * *", "UTC")
    else:
        assert dag.schedule is None  # glmpipe_emr_transient: triggered by hand


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_every_dag_registers_the_run_id_filter(dagbag, dag_id):
    """The --run-id template uses it; without it the first job task would fail to render."""
    filters = dagbag.dags[dag_id].user_defined_filters
    assert filters[glmpipe_common.RUN_ID_FILTER] is glmpipe_common.glmpipe_run_id


def test_a_flow_without_the_run_id_filter_fails_when_parsed():
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    def submit(task_id, args):
        op = EmptyOperator(task_id=task_id)
        return op, op

    with DAG(dag_id="no_filters", schedule=None), pytest.raises(ValueError, match="user_defined_filters"):
        glmpipe_common.daily_flow(submit, "c.yaml")
