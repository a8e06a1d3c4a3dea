"""glmpipe on local Spark: preprocess, score and monitor every day, retrain on Sundays.

Each job is one `spark-submit` of the shaded jar through SparkSubmitOperator. What this needs
(see airflow-dags/README.md):

- connection `glmpipe_spark_local`, type spark, host `local[2]`. Without a spark connection
  SparkSubmitOperator falls back to master `yarn`, so the DAG names its own connection;
  e.g. AIRFLOW_CONN_GLMPIPE_SPARK_LOCAL='{"conn_type": "spark", "host": "local[2]"}'
- `spark-submit` on the worker's PATH (the operator accepts no other binary name);
- Variables `glmpipe_local_jar` and `glmpipe_local_conf` (paths on the worker), or the run's
  params `jar` / `conf`. Relative paths in the config (conf/local.yaml's ./out/local) resolve
  against the worker's working directory, so point storage.root at an absolute URI: in the
  config, or per run with params `set`, e.g. {"storage.root": "file:///data/glmpipe"}.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Param
from airflow.sdk.exceptions import AirflowFailException

from glmpipe_common import (
    CATCHUP,
    DEFAULT_ARGS,
    MAIN_CLASS,
    NOT_RETRYABLE,
    SCHEDULE,
    START_DATE,
    TEMPLATE_FILTERS,
    JobTasks,
    common_params,
    daily_flow,
    set_args,
    setting,
)

DAG_ID = "glmpipe_local"
SPARK_CONN_ID = "glmpipe_spark_local"
OVERRIDES_PARAM = "set"  # {"key.path": "value"} → --set key.path=value
JAR = setting("jar", "glmpipe_local_jar")
CONF = setting("conf", "glmpipe_local_conf")
# Retries are for what may pass (a busy machine, late input: exit 1 or 3); 2, 4 and 5 fail at once.
RETRIES = 2


class GlmpipeSparkSubmitOperator(SparkSubmitOperator):
    """SparkSubmitOperator for the glmpipe launcher.

    - fails without retrying on the launcher's exit codes 2, 4 and 5 (NOT_RETRYABLE), which a
      retry cannot change;
    - appends `--set key=value` for each entry of the run's `params.set`: a Jinja template
      cannot add list items, so this happens right after rendering, which also keeps the UI's
      rendered application_args equal to what is really submitted.
    """

    def render_template_fields(self, context, jinja_env=None) -> None:
        super().render_template_fields(context, jinja_env)
        overrides = context["params"].get(OVERRIDES_PARAM) or {}
        self.application_args = [*(self.application_args or []), *set_args(overrides)]

    def execute(self, context) -> None:
        try:
            super().execute(context)
        except Exception as err:  # the hook raises AirflowException; any error with an exit code counts
            code = self.exit_code()
            if code in NOT_RETRYABLE:
                raise AirflowFailException(
                    f"glmpipe exited with {code} ({NOT_RETRYABLE[code]}): not retrying"
                ) from err
            raise

    def exit_code(self) -> int | None:
        """spark-submit's exit code; in client mode it is the launcher's own.

        Read from the hook's Popen (a private attribute of the pinned provider, covered by
        tests/test_local_e2e.py) rather than parsed out of the error message.
        """
        process = getattr(self._hook, "_submit_sp", None)
        return None if process is None else process.returncode


def submit_local(task_id: str, args: Sequence[str]) -> JobTasks:
    op = GlmpipeSparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        name=f"glmpipe-{task_id}-{{{{ ds }}}}",
        application_args=list(args),
        retries=RETRIES,
    )
    return op, op


with DAG(
    dag_id=DAG_ID,
    description="glmpipe on local Spark: preprocess → [retrain on Sundays] → score → monitor",
    schedule=SCHEDULE,
    start_date=START_DATE,
    catchup=CATCHUP,
    max_active_runs=1,  # evaluate/export act on "the latest version": one run at a time
    default_args=DEFAULT_ARGS,
    user_defined_filters=TEMPLATE_FILTERS,  # glmpipe_run_id, for --run-id
    params={
        **common_params(),
        "jar": Param(None, type=["null", "string"], description="shaded jar; default: Variable glmpipe_local_jar"),
        "conf": Param(None, type=["null", "string"], description="config YAML; default: Variable glmpipe_local_conf"),
        OVERRIDES_PARAM: Param({}, type="object", description='config overrides, e.g. {"storage.root": "file:///data/glmpipe"}'),
    },
    tags=["glmpipe", "local"],
) as dag:
    daily_flow(submit_local, CONF)
