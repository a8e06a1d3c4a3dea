"""glmpipe on Amazon EMR: three targets, the same jobs and arguments.

- `emr`: each job is an EmrAddStepsOperator (one `spark-submit --deploy-mode cluster` step through
  command-runner.jar) on a cluster that already runs, followed by an EmrStepSensor;
- `emr_transient`: the same steps on a cluster each DAG run creates first (setup) and terminates
  at the end whatever happened (teardown), as in Airflow's example_emr.py;
- `emr_serverless`: each job is an EmrServerlessStartJobOperator on an EMR Serverless
  application, followed by an EmrServerlessJobSensor.

Each daily DAG first waits for the raw partition with an S3KeySensor (deferrable). Jobs write
their one-line result to `<artifacts>/results/` (--result-uri), where the alert check reads
monitor's. What this needs (see airflow-dags/README.md):

- `[glmpipe] target` naming the target(s);
- connection `aws_default` (or the run's credentials chain), with the region;
- Variables `glmpipe_emr_artifacts` (s3://bucket/prefix holding the jar of the platform's build,
  glmpipe-jobs-<version>-<build>.jar, and conf/emr.yaml) and `glmpipe_emr_raw` (the raw table's s3:// location), or the run's params;
- `emr`: Variable `glmpipe_emr_cluster_id` (j-…); `emr_serverless`: Variables
  `glmpipe_emr_serverless_app_id` and `glmpipe_emr_serverless_role_arn`;
- `[glmpipe] emr_release` (default emr-7.10.0: the cluster's release, and the one
  `emr_transient` creates) and `[glmpipe] emr_serverless_release` (default: emr_release). They
  pick the jar: emr-7.x takes the spark35_2.12 build (Spark 3.5 / Scala 2.12), emr-8.x the
  spark40_2.13 build (Spark 4.0 / Scala 2.13).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from airflow.providers.amazon.aws.operators.emr import (
    EmrAddStepsOperator,
    EmrCreateJobFlowOperator,
    EmrServerlessStartJobOperator,
    EmrTerminateJobFlowOperator,
)
from airflow.providers.amazon.aws.sensors.emr import EmrServerlessJobSensor, EmrStepSensor
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.sdk import Param

from glmpipe_common import (
    GLMPIPE_VERSION,
    MAIN_CLASS,
    RawPartitionTimeout,
    Target,
    data_marker,
    deferrable_sensors,
    emr_build,
    emr_release,
    emr_serverless_release,
    enabled_targets,
    jar_name,
    marker_path,
    sensor_kwargs,
    setting,
    target_dags,
)

DAG_ID = "glmpipe_emr"
TRANSIENT_DAG_ID = "glmpipe_emr_transient"
SERVERLESS_DAG_ID = "glmpipe_emr_serverless"
AWS_CONN_ID = "aws_default"
CLUSTER_ID = setting("cluster_id", "glmpipe_emr_cluster_id")
CREATED_CLUSTER_ID = "{{ ti.xcom_pull(task_ids='create_cluster') }}"
ARTIFACTS = setting("artifacts", "glmpipe_emr_artifacts")
# The jar of the platform's Spark line, from the release the deployment names.
RELEASE_LABEL = emr_release()
SERVERLESS_RELEASE_LABEL = emr_serverless_release()
JAR = f"{ARTIFACTS}/{jar_name('{{ params.version }}', emr_build(RELEASE_LABEL))}"
SERVERLESS_JAR = f"{ARTIFACTS}/{jar_name('{{ params.version }}', emr_build(SERVERLESS_RELEASE_LABEL))}"
CONF = f"{ARTIFACTS}/conf/emr.yaml"
RESULTS = f"{ARTIFACTS}/results"
PARTITION = f"{setting('raw', 'glmpipe_emr_raw')}/dt={{{{ ds }}}}"
APPLICATION_ID = setting("application_id", "glmpipe_emr_serverless_app_id")
EXECUTION_ROLE_ARN = setting("execution_role_arn", "glmpipe_emr_serverless_role_arn")

# Retries: a step or job run is submitted once. Its cluster-side exit code (2 usage/config,
# 4 model rejected, 5 monitoring alert, …) does not reach Airflow, so a blind resubmission could
# only repeat those; rerun by clearing the task (jobs are idempotent per date). The sensor only
# polls the EMR API and may retry its transient errors; after a FAILED step a retry just sees
# FAILED again.
SENSOR_RETRIES = 2
POKE_SECONDS = 60
STEP_TIMEOUT_SECONDS = 6 * 3600

# For glmpipe_emr_transient, of `[glmpipe] emr_release`: EMR 7.x runs Spark 3.5 / Scala 2.12,
# EMR 8.x Spark 4.0 / Scala 2.13 (JAR follows it).
# The roles are EMR's default names; sizes are a starting point, not a recommendation.
JOB_FLOW_OVERRIDES = {
    "Name": "glmpipe-{{ ds }}",
    "ReleaseLabel": RELEASE_LABEL,
    "Applications": [{"Name": "Spark"}],
    "Instances": {
        "InstanceGroups": [
            {"Name": "primary", "Market": "ON_DEMAND", "InstanceRole": "MASTER",
             "InstanceType": "m5.xlarge", "InstanceCount": 1},
            {"Name": "core", "Market": "ON_DEMAND", "InstanceRole": "CORE",
             "InstanceType": "m5.xlarge", "InstanceCount": 2},
        ],
        # Steps are added after creation, so the cluster must outlive an empty step list.
        "KeepJobFlowAliveWhenNoSteps": True,
        "TerminationProtected": False,
    },
    "JobFlowRole": "EMR_EC2_DefaultRole",
    "ServiceRole": "EMR_DefaultRole",
    "LogUri": f"{ARTIFACTS}/emr-logs/",
    "Tags": [{"Key": "app", "Value": "glmpipe"}],
}


def emr_step(task_id: str, args: Sequence[str]) -> dict:
    """One EMR step running `spark-submit --deploy-mode cluster … <jar> <launcher args>`."""
    return {
        "Name": f"glmpipe {task_id} {{{{ ds }}}}",
        # A failed step must leave a shared cluster (and the steps of other DAGs) alone.
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            # One YARN attempt: a job that failed with a user error would fail the same way again.
            "Args": ["spark-submit", "--deploy-mode", "cluster", "--conf", "spark.yarn.maxAppAttempts=1",
                     "--class", MAIN_CLASS, JAR, *args],
        },
    }


def emr_submitter(cluster_id: str):
    def submit(task_id: str, args: Sequence[str]):
        add = EmrAddStepsOperator(
            task_id=task_id,
            job_flow_id=cluster_id,
            aws_conn_id=AWS_CONN_ID,
            steps=[emr_step(task_id, args)],
            retries=0,
        )
        wait = EmrStepSensor(
            task_id=f"wait_{task_id}",
            job_flow_id=cluster_id,
            step_id=f"{{{{ ti.xcom_pull(task_ids='{task_id}')[0] }}}}",
            aws_conn_id=AWS_CONN_ID,
            mode="reschedule",  # frees the worker slot during hour-long steps
            poke_interval=POKE_SECONDS,
            timeout=STEP_TIMEOUT_SECONDS,
            retries=SENSOR_RETRIES,
        )
        add >> wait
        return add, wait

    return submit


def serverless_job_driver(args: Sequence[str]) -> dict:
    """The StartJobRun jobDriver: the same spark-submit of the jar with the launcher's arguments."""
    return {
        "sparkSubmit": {
            "entryPoint": SERVERLESS_JAR,
            "entryPointArguments": list(args),
            "sparkSubmitParameters": f"--class {MAIN_CLASS}",
        }
    }


def submit_serverless(task_id: str, args: Sequence[str]):
    start = EmrServerlessStartJobOperator(
        task_id=task_id,
        application_id=APPLICATION_ID,
        execution_role_arn=EXECUTION_ROLE_ARN,
        job_driver=serverless_job_driver(args),
        configuration_overrides={
            "monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": f"{ARTIFACTS}/emr-serverless-logs/"}},
        },
        name=f"glmpipe {task_id} {{{{ ds }}}}",
        # The same token for the same task try: a start request sent again starts nothing new.
        config={"clientToken": "{{ run_id | glmpipe_token(ti.task_id, ti.try_number) }}",
                "tags": {"app": "glmpipe", "glmpipe-job": task_id}},
        wait_for_completion=False,  # the sensor waits, so a poll error does not restart the job
        aws_conn_id=AWS_CONN_ID,
        retries=0,
    )
    wait = EmrServerlessJobSensor(
        task_id=f"wait_{task_id}",
        application_id=APPLICATION_ID,
        job_run_id=f"{{{{ ti.xcom_pull(task_ids='{task_id}') }}}}",
        aws_conn_id=AWS_CONN_ID,
        mode="reschedule",
        poke_interval=POKE_SECONDS,
        timeout=STEP_TIMEOUT_SECONDS,
        retries=SENSOR_RETRIES,
    )
    start >> wait
    return start, wait


class RawPartitionS3Sensor(RawPartitionTimeout, S3KeySensor):
    """S3KeySensor on `<raw>/dt=<ds>/<marker>` (fnmatch: `*` is any file)."""

    template_fields = (*S3KeySensor.template_fields, "partition")


def wait_for_s3_data() -> RawPartitionS3Sensor:
    marker = data_marker()
    sensor = RawPartitionS3Sensor(
        bucket_key=marker_path(PARTITION, marker),
        wildcard_match=True,
        aws_conn_id=AWS_CONN_ID,
        deferrable=deferrable_sensors(),  # waits in the triggerer; else reschedule mode
        **sensor_kwargs(),
    )
    sensor.partition = PARTITION
    sensor.marker = marker
    return sensor


def read_s3_result(uri: str, context: Mapping) -> dict | None:
    """A job's result line from S3; None when the job wrote none (it never started)."""
    hook = S3Hook(aws_conn_id=AWS_CONN_ID)
    bucket, key = S3Hook.parse_s3_url(uri)
    if not hook.check_for_key(key, bucket):
        return None
    return json.loads(hook.read_key(key, bucket).strip().splitlines()[-1])


def transient_cluster(flow) -> EmrCreateJobFlowOperator:
    """Setup: a cluster for this run; teardown: terminate it whatever happened."""
    first, last = flow
    create_cluster = EmrCreateJobFlowOperator(
        task_id="create_cluster",
        job_flow_overrides=JOB_FLOW_OVERRIDES,
        aws_conn_id=AWS_CONN_ID,
        wait_for_completion=True,
    ).as_setup()
    # Teardown after the last step, whatever its state.
    terminate_cluster = EmrTerminateJobFlowOperator(
        task_id="terminate_cluster",
        job_flow_id=CREATED_CLUSTER_ID,
        aws_conn_id=AWS_CONN_ID,
    ).as_teardown(setups=create_cluster, on_failure_fail_dagrun=True)  # a cluster left running costs money
    create_cluster >> first
    last >> terminate_cluster
    return create_cluster


def emr_params(**extra: Param) -> dict[str, Param]:
    return {
        "artifacts": Param(None, type=["null", "string"], description="s3:// prefix; default: Variable glmpipe_emr_artifacts"),
        "raw": Param(None, type=["null", "string"], description="s3:// raw table; default: Variable glmpipe_emr_raw"),
        "version": Param(GLMPIPE_VERSION, type="string", description="glmpipe jar version"),
        **extra,
    }


COMMON = {"conf": CONF, "wait_for_data": wait_for_s3_data, "results": RESULTS, "read_result": read_s3_result}
EMR = Target(
    name="emr", description="an existing EMR cluster (steps)", submit=emr_submitter(CLUSTER_ID),
    params=emr_params(cluster_id=Param(None, type=["null", "string"], description="default: Variable glmpipe_emr_cluster_id")),
    tags=("emr",), **COMMON)
EMR_TRANSIENT = Target(
    name="emr_transient", description="an EMR cluster created for the run", submit=emr_submitter(CREATED_CLUSTER_ID),
    cluster=transient_cluster, params=emr_params(), tags=("emr",), **COMMON)
EMR_SERVERLESS = Target(
    name="emr_serverless", description="EMR Serverless", submit=submit_serverless,
    params=emr_params(
        application_id=Param(None, type=["null", "string"], description="default: Variable glmpipe_emr_serverless_app_id"),
        execution_role_arn=Param(None, type=["null", "string"], description="default: Variable glmpipe_emr_serverless_role_arn"),
    ),
    tags=("emr", "serverless"), **COMMON)

_enabled = enabled_targets()
if "emr" in _enabled:
    dag, train_dag = target_dags(EMR)
if "emr_transient" in _enabled:
    transient_dag, transient_train_dag = target_dags(EMR_TRANSIENT)
if "emr_serverless" in _enabled:
    serverless_dag, serverless_train_dag = target_dags(EMR_SERVERLESS)
