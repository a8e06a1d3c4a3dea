"""glmpipe on Amazon EMR: the daily flow as EMR steps on a cluster that already runs.

Each job is an EmrAddStepsOperator (one `spark-submit --deploy-mode cluster` step through
command-runner.jar) followed by an EmrStepSensor that waits for that step. What this needs
(see airflow-dags/README.md):

- connection `aws_default` (or the run's credentials chain), with the region of the cluster;
- Variables `glmpipe_emr_cluster_id` (j-…) and `glmpipe_emr_artifacts` (s3://bucket/prefix holding
  glmpipe-jobs-<version>-all.jar and conf/emr.yaml), or the run's params of the same meaning.

`glmpipe_emr_transient` is the same flow on a cluster it creates first (setup) and terminates
at the end whatever happened (teardown), as in Airflow's example_emr.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow.providers.amazon.aws.operators.emr import (
    EmrAddStepsOperator,
    EmrCreateJobFlowOperator,
    EmrTerminateJobFlowOperator,
)
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
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

DAG_ID = "glmpipe_emr"
TRANSIENT_DAG_ID = "glmpipe_emr_transient"
AWS_CONN_ID = "aws_default"
CLUSTER_ID = setting("cluster_id", "glmpipe_emr_cluster_id")
CREATED_CLUSTER_ID = "{{ ti.xcom_pull(task_ids='create_cluster') }}"
ARTIFACTS = setting("artifacts", "glmpipe_emr_artifacts")
JAR = f"{ARTIFACTS}/{jar_name('{{ params.version }}')}"
CONF = f"{ARTIFACTS}/conf/emr.yaml"

# Retries: a step is submitted once. Its cluster-side exit code (2 usage/config, 4 model
# rejected, 5 monitoring alert, …) does not reach Airflow, so a blind resubmission could only
# repeat those; rerun by clearing the task (jobs are idempotent per date). The sensor only
# polls the EMR API and may retry its transient errors; after a FAILED step a retry just sees
# FAILED again.
SENSOR_RETRIES = 2
POKE_SECONDS = 60
STEP_TIMEOUT_SECONDS = 6 * 3600

# For glmpipe_emr_transient. EMR 7.x: Spark 3.5, Scala 2.12, Java 17 (the default jar).
# The roles are EMR's default names; sizes are a starting point, not a recommendation.
JOB_FLOW_OVERRIDES = {
    "Name": "glmpipe-{{ ds }}",
    "ReleaseLabel": "emr-7.10.0",
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
    def submit(task_id: str, args: Sequence[str]) -> JobTasks:
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


def emr_params(*, with_cluster_id: bool) -> dict[str, Param]:
    params = {
        **common_params(),
        "artifacts": Param(None, type=["null", "string"], description="s3:// prefix; default: Variable glmpipe_emr_artifacts"),
        "version": Param(GLMPIPE_VERSION, type="string", description="glmpipe jar version"),
    }
    if with_cluster_id:
        params["cluster_id"] = Param(None, type=["null", "string"], description="default: Variable glmpipe_emr_cluster_id")
    return params


with DAG(
    dag_id=DAG_ID,
    description="glmpipe on an existing EMR cluster: preprocess → [retrain on Sundays] → score → monitor",
    schedule=SCHEDULE,
    start_date=START_DATE,
    catchup=CATCHUP,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    user_defined_filters=TEMPLATE_FILTERS,  # glmpipe_run_id, for --run-id
    params=emr_params(with_cluster_id=True),
    tags=["glmpipe", "emr"],
) as dag:
    daily_flow(emr_submitter(CLUSTER_ID), CONF)


with DAG(
    dag_id=TRANSIENT_DAG_ID,
    description="glmpipe on an EMR cluster created for the run and terminated after it",
    schedule=None,  # off by default: choose this or glmpipe_emr, then give it SCHEDULE
    start_date=START_DATE,
    catchup=CATCHUP,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    user_defined_filters=TEMPLATE_FILTERS,  # glmpipe_run_id, for --run-id
    params=emr_params(with_cluster_id=False),
    tags=["glmpipe", "emr"],
) as transient_dag:
    create_cluster = EmrCreateJobFlowOperator(
        task_id="create_cluster",
        job_flow_overrides=JOB_FLOW_OVERRIDES,
        aws_conn_id=AWS_CONN_ID,
        wait_for_completion=True,
    ).as_setup()
    first, last = daily_flow(emr_submitter(CREATED_CLUSTER_ID), CONF)
    # Teardown after the last step, whatever its state; it is not a branch's direct downstream,
    # so should_retrain cannot skip it.
    terminate_cluster = EmrTerminateJobFlowOperator(
        task_id="terminate_cluster",
        job_flow_id=CREATED_CLUSTER_ID,
        aws_conn_id=AWS_CONN_ID,
    ).as_teardown(setups=create_cluster, on_failure_fail_dagrun=True)  # a cluster left running costs money
    create_cluster >> first
    last >> terminate_cluster
