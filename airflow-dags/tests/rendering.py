"""Render a task's templates for a logical date the way `airflow tasks render` does.

The steps are those of the CLI command (airflow/cli/commands/task_command.py: task_render):
a DagRun and TaskInstance in memory, the Task SDK's RuntimeTaskInstance builds the template
context (ds, macros, params merged with the run's conf, var, …), and the operator's own
render_template_fields renders it. It needs no DB; Variables come from the environment
(AIRFLOW_VAR_…), as on a worker with the environment secrets backend.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from airflow.dag_processing.dagbag import BundleDagBag
from airflow.cli.commands.task_command import _get_template_context
from airflow.models.dagrun import DagRun
from airflow.models.taskinstance import TaskInstance
from airflow.serialization.serialized_objects import DagSerialization
from airflow.utils.state import DagRunState
from airflow.utils.types import DagRunType
from conftest import DAGS_DIR


def fresh_dag(dag):
    """The DAG parsed anew from its file, as a worker does for each task.

    Rendering writes its results onto the task, and resolving params writes the run's conf into
    the DAG's Param objects (which even a deepcopy shares), so every render gets its own parse.
    """
    bag = BundleDagBag(dag_folder=dag.fileloc, bundle_path=DAGS_DIR, bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    return bag.dags[dag.dag_id]


def manual_run_id(logical_date: datetime) -> str:
    """The run id Airflow gives a manual run at logical_date (DagRunType.MANUAL)."""
    return DagRun.generate_run_id(run_type=DagRunType.MANUAL, logical_date=logical_date,
                                  run_after=logical_date)


def template_context(dag, task_id: str, logical_date: datetime, conf: dict | None = None, *,
                     run_id: str | None = None, try_number: int = 1):
    """(a private copy of the task, its template context) for a manual run at logical_date.

    `run_id` defaults to the one Airflow would give the manual run; `try_number` is the try
    being run (1 on a first run, as on a worker: the scheduler counts it up before it queues).
    """
    dag = fresh_dag(dag)
    scheduler_dag = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    interval = scheduler_dag.timetable.infer_manual_data_interval(run_after=logical_date)
    run = DagRun(
        dag_id=dag.dag_id,
        run_id=run_id or manual_run_id(logical_date),
        run_type=DagRunType.MANUAL,
        logical_date=logical_date,
        data_interval=interval,
        run_after=interval.end,
        conf=conf or {},
        state=DagRunState.RUNNING,
    )
    ti = TaskInstance(scheduler_dag.get_task(task_id), run_id=run.run_id, map_index=-1,
                      dag_version_id=uuid.uuid4())
    ti.dag_run = run
    ti.try_number = try_number
    task = dag.get_task(task_id)
    return task, _get_template_context(ti, task)


def render_task(dag, task_id: str, logical_date: datetime, conf: dict | None = None, *,
                run_id: str | None = None, try_number: int = 1):
    """A copy of the task with every template field rendered."""
    task, context = template_context(dag, task_id, logical_date, conf, run_id=run_id, try_number=try_number)
    task.render_template_fields(context)
    return task
