"""glmpipe on Google Dataproc: two targets, the same jobs and arguments.

- `dataproc`: each job is a DataprocSubmitJobOperator (asynchronous: it returns the job id) on a
  cluster that already runs, followed by a DataprocJobSensor;
- `dataproc_batches`: each job is a DataprocCreateBatchOperator (Dataproc Serverless) whose batch
  id is derived from the run id, task and try, followed by a DataprocBatchSensor.

Each daily DAG first waits for the raw partition with a GCS sensor. Jobs write their one-line
result to `<artifacts>/results/` (--result-uri), where the alert check reads monitor's. What this
needs (see airflow-dags/README.md):

- `[glmpipe] target` naming the target(s);
- connection `google_cloud_default` (or Application Default Credentials on the worker);
- Variables `glmpipe_dataproc_project`, `glmpipe_dataproc_region`, `glmpipe_dataproc_artifacts`
  (gs://bucket/prefix holding the jar of the platform's build, glmpipe-jobs-<version>-<build>.jar,
  and conf/dataproc.yaml) and
  `glmpipe_dataproc_raw` (the raw table's gs:// location); `dataproc` also
  `glmpipe_dataproc_cluster`; or the run's params of the same meaning.

`[glmpipe] dataproc_image` (the cluster's image version, default 2.2) and `[glmpipe]
dataproc_runtime` (the Serverless runtime to ask for, default 1.2) pick the jar: 2.x images and
runtime 1.2 run Spark 3.5 / Scala 2.12 (spark35_2.12), runtimes 2.2 and 2.3 Spark 3.5 / Scala
2.13 (spark35_2.13), image 3.0 and runtime 3.0 Spark 4.0 / Scala 2.13 (spark40_2.13).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from airflow.providers.google.cloud.hooks.gcs import GCSHook
from airflow.providers.google.cloud.operators.dataproc import (
    DataprocCreateBatchOperator,
    DataprocSubmitJobOperator,
)
from airflow.providers.google.cloud.sensors.dataproc import DataprocBatchSensor, DataprocJobSensor
from airflow.providers.google.cloud.sensors.gcs import (
    GCSObjectExistenceSensor,
    GCSObjectsWithPrefixExistenceSensor,
)
from airflow.sdk import Param

from glmpipe_common import (
    ANY_FILE,
    GLMPIPE_VERSION,
    MAIN_CLASS,
    RawPartitionTimeout,
    Target,
    bucket_of,
    data_marker,
    dataproc_image,
    dataproc_image_build,
    dataproc_runtime,
    dataproc_runtime_build,
    deferrable_sensors,
    enabled_targets,
    jar_name,
    marker_path,
    object_of,
    sensor_kwargs,
    setting,
    target_dags,
)

DAG_ID = "glmpipe_dataproc"
BATCHES_DAG_ID = "glmpipe_dataproc_batches"
GCP_CONN_ID = "google_cloud_default"
PROJECT_ID = setting("project", "glmpipe_dataproc_project")
REGION = setting("region", "glmpipe_dataproc_region")
CLUSTER_NAME = setting("cluster", "glmpipe_dataproc_cluster")
ARTIFACTS = setting("artifacts", "glmpipe_dataproc_artifacts")
# The jar of the platform's Spark line, from the image / runtime the deployment names.
JAR = f"{ARTIFACTS}/{jar_name('{{ params.version }}', dataproc_image_build(dataproc_image()))}"
CONF = f"{ARTIFACTS}/conf/dataproc.yaml"
RESULTS = f"{ARTIFACTS}/results"
RAW = setting("raw", "glmpipe_dataproc_raw")
PARTITION = f"{RAW}/dt={{{{ ds }}}}"
# `[glmpipe] dataproc_runtime`: 1.2 (default) runs Spark 3.5 / Scala 2.12, 2.2 and 2.3 Spark 3.5 /
# Scala 2.13, 3.0 Spark 4.0 / Scala 2.13.
BATCH_RUNTIME_VERSION = dataproc_runtime()
BATCH_JAR = f"{ARTIFACTS}/{jar_name('{{ params.version }}', dataproc_runtime_build(BATCH_RUNTIME_VERSION))}"
BATCH_ID = "{{ run_id | glmpipe_batch_id(ti.task_id, ti.try_number) }}"

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


def submit_dataproc(task_id: str, args: Sequence[str]):
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


def spark_batch(task_id: str, args: Sequence[str]) -> dict:
    """A Dataproc Batch resource running the launcher with `args` on the Serverless runtime set."""
    return {
        "spark_batch": {
            "main_class": MAIN_CLASS,
            "jar_file_uris": [BATCH_JAR],
            "args": list(args),
        },
        "runtime_config": {"version": BATCH_RUNTIME_VERSION},
        "labels": {"app": "glmpipe", "glmpipe-job": task_id},
    }


def submit_batch(task_id: str, args: Sequence[str]):
    create = DataprocCreateBatchOperator(
        task_id=task_id,
        project_id=PROJECT_ID,
        region=REGION,
        batch=spark_batch(task_id, args),
        # The same id for the same try: a create sent again finds the batch (AlreadyExists)
        # and attaches to it rather than starting a second one.
        batch_id=BATCH_ID,
        gcp_conn_id=GCP_CONN_ID,
        asynchronous=True,  # the sensor waits
        retries=0,
    )
    wait = DataprocBatchSensor(
        task_id=f"wait_{task_id}",
        project_id=PROJECT_ID,
        region=REGION,
        batch_id=f"{{{{ ti.xcom_pull(task_ids='{task_id}')['name'].split('/')[-1] }}}}",
        gcp_conn_id=GCP_CONN_ID,
        mode="reschedule",
        poke_interval=POKE_SECONDS,
        timeout=JOB_TIMEOUT_SECONDS,
        retries=SENSOR_RETRIES,
    )
    create >> wait
    return create, wait


class RawPartitionGCSSensor(RawPartitionTimeout, GCSObjectExistenceSensor):
    """GCSObjectExistenceSensor on `<raw>/dt=<ds>/<marker>`."""

    template_fields = (*GCSObjectExistenceSensor.template_fields, "partition")


class RawPartitionGCSPrefixSensor(RawPartitionTimeout, GCSObjectsWithPrefixExistenceSensor):
    """Any object under `<raw>/dt=<ds>/` (marker `*`)."""

    template_fields = (*GCSObjectsWithPrefixExistenceSensor.template_fields, "partition")


def wait_for_gcs_data():
    marker = data_marker()
    if marker == ANY_FILE:
        sensor = RawPartitionGCSPrefixSensor(
            bucket=f"{{{{ ({RAW[3:-3]}) | bucket_of }}}}",
            prefix=f"{{{{ ({RAW[3:-3]}) | object_of }}}}/dt={{{{ ds }}}}/",
            google_cloud_conn_id=GCP_CONN_ID,
            deferrable=deferrable_sensors(),
            **sensor_kwargs(),
        )
    else:
        sensor = RawPartitionGCSSensor(
            bucket=f"{{{{ ({RAW[3:-3]}) | bucket_of }}}}",
            object=f"{{{{ ({RAW[3:-3]}) | object_of }}}}/dt={{{{ ds }}}}/{marker}",
            google_cloud_conn_id=GCP_CONN_ID,
            deferrable=deferrable_sensors(),
            **sensor_kwargs(),
        )
    sensor.partition = PARTITION
    sensor.marker = marker
    return sensor


def read_gcs_result(uri: str, context: Mapping) -> dict | None:
    """A job's result line from GCS; None when the job wrote none (it never started)."""
    hook = GCSHook(gcp_conn_id=GCP_CONN_ID)
    bucket, name = bucket_of(uri), object_of(uri)
    if not hook.exists(bucket, name):
        return None
    return json.loads(hook.download(bucket, name).decode("utf-8").strip().splitlines()[-1])


def dataproc_params(**extra: Param) -> dict[str, Param]:
    return {
        "project": Param(None, type=["null", "string"], description="default: Variable glmpipe_dataproc_project"),
        "region": Param(None, type=["null", "string"], description="default: Variable glmpipe_dataproc_region"),
        "artifacts": Param(None, type=["null", "string"], description="gs:// prefix; default: Variable glmpipe_dataproc_artifacts"),
        "raw": Param(None, type=["null", "string"], description="gs:// raw table; default: Variable glmpipe_dataproc_raw"),
        "version": Param(GLMPIPE_VERSION, type="string", description="glmpipe jar version"),
        **extra,
    }


COMMON = {"conf": CONF, "wait_for_data": wait_for_gcs_data, "results": RESULTS, "read_result": read_gcs_result}
DATAPROC = Target(
    name="dataproc", description="an existing Dataproc cluster", submit=submit_dataproc,
    params=dataproc_params(cluster=Param(None, type=["null", "string"], description="default: Variable glmpipe_dataproc_cluster")),
    tags=("dataproc",), **COMMON)
DATAPROC_BATCHES = Target(
    name="dataproc_batches", description="Dataproc Serverless batches", submit=submit_batch,
    params=dataproc_params(), tags=("dataproc", "serverless"), **COMMON)

_enabled = enabled_targets()
if "dataproc" in _enabled:
    dag, train_dag = target_dags(DATAPROC)
if "dataproc_batches" in _enabled:
    batches_dag, batches_train_dag = target_dags(DATAPROC_BATCHES)
