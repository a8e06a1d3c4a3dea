"""glmpipe on Google Dataproc: the daily flow as Spark jobs on a cluster that already runs.

Each job is a DataprocSubmitJobOperator (asynchronous: it returns the job id) followed by a
DataprocJobSensor that waits for that job. What this needs (see airflow-dags/README.md):

- connection `google_cloud_default` (or Application Default Credentials on the worker);
- Variables `glmpipe_dataproc_project`, `glmpipe_dataproc_region`, `glmpipe_dataproc_cluster`
  and `glmpipe_dataproc_artifacts` (gs://bucket/prefix holding glmpipe-jobs-<version>-all.jar
  and conf/dataproc.yaml), or the run's params of the same meaning.

Dataproc 2.x images run Spark 3.5 / Scala 2.12, the default jar; 3.0 images need the
Spark 4 / Scala 2.13 build.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow.providers.google.cloud.operators.dataproc import DataprocSubmitJobOperator
from airflow.providers.google.cloud.sensors.dataproc import DataprocJobSensor
from airflow.sdk import DAG, Param

from glmpipe_common import (
    CATCHUP,
    DEFAULT_ARGS,
    GLMPIPE_VERSION,
    MAIN_CLASS,
    SCHEDULE,
    START_DATE,
    TEMPLATE_FILTERS,
    JobTasks,
    common_params,
    daily_flow,
    jar_name,
    setting,
)

DAG_ID = "glmpipe_dataproc"
GCP_CONN_ID = "google_cloud_default"
PROJECT_ID = setting("project", "glmpipe_dataproc_project")
REGION = setting("region", "glmpipe_dataproc_region")
CLUSTER_NAME = setting("cluster", "glmpipe_dataproc_cluster")
ARTIFACTS = setting("artifacts", "glmpipe_dataproc_artifacts")
JAR = f"{ARTIFACTS}/{jar_name('{{ params.version }}')}"
CONF = f"{ARTIFACTS}/conf/dataproc.yaml"

# Retries: a job is submitted once. Its driver's exit code (2 usage/config, 4 model rejected,
# 5 monitoring alert, …) does not reach Airflow as such, so a blind resubmission could only
# repeat those; rerun by clearing the task (jobs are idempotent per date). The sensor only
# polls the Dataproc API and may retry its transient errors; after a failed job a retry just
# sees the failure again.
SENSOR_RETRIES = 2
POKE_SECONDS = 60
JOB_TIMEOUT_SECONDS = 6 * 3600


def spark_job(task_id: str, args: Sequence[str]) -> dict:
    """A Dataproc Job resource running the launcher with `args`."""
    return {
        "reference": {"project_id": PROJECT_ID},
        "placement": {"cluster_name": CLUSTER_NAME},
        # Labels make the jobs of one flow easy to find in the console and in billing.
        "labels": {"app": "glmpipe", "glmpipe-job": task_id},
        "spark_job": {
            "main_class": MAIN_CLASS,
            "jar_file_uris": [JAR],
            "args": list(args),
        },
    }


def submit_dataproc(task_id: str, args: Sequence[str]) -> JobTasks:
    submit = DataprocSubmitJobOperator(
        task_id=task_id,
        project_id=PROJECT_ID,
        region=REGION,
        job=spark_job(task_id, args),
        gcp_conn_id=GCP_CONN_ID,
        asynchronous=True,  # the sensor waits, so a poll error does not resubmit the job
        retries=0,
    )
    wait = DataprocJobSensor(
        task_id=f"wait_{task_id}",
        project_id=PROJECT_ID,
        region=REGION,
        dataproc_job_id=f"{{{{ ti.xcom_pull(task_ids='{task_id}') }}}}",
        gcp_conn_id=GCP_CONN_ID,
        mode="reschedule",  # frees the worker slot during hour-long jobs
        poke_interval=POKE_SECONDS,
        timeout=JOB_TIMEOUT_SECONDS,
        retries=SENSOR_RETRIES,
    )
    submit >> wait
    return submit, wait


with DAG(
    dag_id=DAG_ID,
    description="glmpipe on an existing Dataproc cluster: preprocess → [retrain on Sundays] → score → monitor",
    schedule=SCHEDULE,
    start_date=START_DATE,
    catchup=CATCHUP,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    user_defined_filters=TEMPLATE_FILTERS,  # glmpipe_run_id, for --run-id
    params={
        **common_params(),
        "project": Param(None, type=["null", "string"], description="default: Variable glmpipe_dataproc_project"),
        "region": Param(None, type=["null", "string"], description="default: Variable glmpipe_dataproc_region"),
        "cluster": Param(None, type=["null", "string"], description="default: Variable glmpipe_dataproc_cluster"),
        "artifacts": Param(None, type=["null", "string"], description="gs:// prefix; default: Variable glmpipe_dataproc_artifacts"),
        "version": Param(GLMPIPE_VERSION, type="string", description="glmpipe jar version"),
    },
    tags=["glmpipe", "dataproc"],
) as dag:
    daily_flow(submit_dataproc, CONF)
