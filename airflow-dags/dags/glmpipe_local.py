"""glmpipe on local Spark: wait for the day's raw data, preprocess, score and monitor every day;
train on a schedule, by hand, or when monitoring raises an alert.

Each job is one `spark-submit` of the shaded jar through SparkSubmitOperator. What this needs
(see airflow-dags/README.md):

- `[glmpipe] target` including `local` (the default);
- connection `glmpipe_spark_local`, type spark, host `local[2]`. Without a spark connection
  SparkSubmitOperator falls back to master `yarn`, so the DAG names its own connection;
  e.g. AIRFLOW_CONN_GLMPIPE_SPARK_LOCAL='{"conn_type": "spark", "host": "local[2]"}'
- connection `fs_default` (type fs) for the data sensor;
- `spark-submit` on the worker's PATH (the operator accepts no other binary name);
- Variables `glmpipe_local_jar`, `glmpipe_local_conf` and `glmpipe_local_raw` (paths on the
  worker), or the run's params `jar` / `conf` / `raw`. Relative paths in the config
  (conf/local.yaml's ./out/local) resolve against the worker's working directory, so point
  storage.root at an absolute URI: in the config, or per run with params `set`, e.g.
  {"storage.root": "file:///data/glmpipe"}.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import Param
from airflow.sdk.exceptions import AirflowFailException

from glmpipe_common import (
    MAIN_CLASS,
    NOT_RETRYABLE,
    RawPartitionTimeout,
    Target,
    data_marker,
    enabled_targets,
    marker_path,
    sensor_kwargs,
    set_args,
    setting,
    target_dags,
)
from glmpipe_notify import RESULT_XCOM

TARGET = "local"
DAG_ID = "glmpipe_local"
SPARK_CONN_ID = "glmpipe_spark_local"
FS_CONN_ID = "fs_default"
OVERRIDES_PARAM = "set"  # {"key.path": "value"} → --set key.path=value
JAR = setting("jar", "glmpipe_local_jar")
CONF = setting("conf", "glmpipe_local_conf")
RAW = setting("raw", "glmpipe_local_raw")
PARTITION = f"{{{{ ({RAW[3:-3]}) | local_path }}}}/dt={{{{ ds }}}}"
# Retries are for what may pass (a busy machine, late input: exit 1 or 3); 2, 4 and 5 fail at once.
RETRIES = 2


class GlmpipeSparkSubmitOperator(SparkSubmitOperator):
    """SparkSubmitOperator for the glmpipe launcher.

    - returns the launcher's one-line JSON result (the last line of spark-submit's output that
      is one) as its XCom, so the alert check can read monitor's alerts;
    - fails without retrying on the launcher's exit codes 2, 4 and 5 (NOT_RETRYABLE), which a
      retry cannot change; a failure carries the job's result (exit code, one-line error) for
      the notifiers, also as the XCom `glmpipe_result`;
    - appends `--set key=value` for each entry of the run's `params.set`: a Jinja template
      cannot add list items, so this happens right after rendering, which also keeps the UI's
      rendered application_args equal to what is really submitted.
    """

    def render_template_fields(self, context, jinja_env=None) -> None:
        super().render_template_fields(context, jinja_env)
        overrides = context["params"].get(OVERRIDES_PARAM) or {}
        self.application_args = [*(self.application_args or []), *set_args(overrides)]

    def execute(self, context) -> dict | None:
        self.result: dict | None = None
        if self._hook is None:
            self._hook = self._get_hook()
        self._keep_result_line(self._hook)
        try:
            super().execute(context)
        except Exception as err:  # the hook raises AirflowException; any error with an exit code counts
            code = self.exit_code()
            result = self.result or {}
            error = result.get("error") or "see the task log"
            if context.get("ti") is not None and self.result is not None:
                context["ti"].xcom_push(key=RESULT_XCOM, value=self.result)
            if code in NOT_RETRYABLE:
                failure = AirflowFailException(
                    f"glmpipe exited with {code} ({NOT_RETRYABLE[code]}): not retrying. {error}")
            else:
                failure = type(err)(f"glmpipe exited with {code}: {error}") if code is not None else err
            failure.glmpipe_result = self.result
            if failure is err:
                raise
            raise failure from err
        return self.result

    def _keep_result_line(self, hook) -> None:
        """Keep the launcher's result line while the hook logs spark-submit's output as usual.

        Wraps the hook's output loop (a private method of the pinned provider, covered by
        tests/test_local_e2e.py): in client mode the driver's stdout is in that output.
        """
        process_log = hook._process_spark_submit_log

        def tee(lines):
            for line in lines:
                text = line.decode("utf-8", "replace") if isinstance(line, bytes) else str(line)
                text = text.strip()
                if text.startswith('{"run_id"'):
                    try:
                        self.result = json.loads(text)
                    except ValueError:
                        pass
                yield line

        hook._process_spark_submit_log = lambda itr: process_log(tee(itr))

    def exit_code(self) -> int | None:
        """spark-submit's exit code; in client mode it is the launcher's own.

        Read from the hook's Popen (a private attribute of the pinned provider, covered by
        tests/test_local_e2e.py) rather than parsed out of the error message.
        """
        process = getattr(self._hook, "_submit_sp", None)
        return None if process is None else process.returncode


class RawPartitionFileSensor(RawPartitionTimeout, FileSensor):
    """FileSensor on `<raw>/dt=<ds>/<marker>` (a glob: `*` is any file)."""

    template_fields = (*FileSensor.template_fields, "partition")


def submit_local(task_id: str, args: Sequence[str]):
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


def wait_for_local_data() -> RawPartitionFileSensor:
    marker = data_marker()
    sensor = RawPartitionFileSensor(
        filepath=marker_path(PARTITION, marker),
        fs_conn_id=FS_CONN_ID,
        **sensor_kwargs(),
    )
    sensor.partition = PARTITION
    sensor.marker = marker
    return sensor


LOCAL = Target(
    name=TARGET,
    description="local Spark",
    submit=submit_local,
    conf=CONF,
    wait_for_data=wait_for_local_data,
    params={
        "jar": Param(None, type=["null", "string"], description="shaded jar; default: Variable glmpipe_local_jar"),
        "conf": Param(None, type=["null", "string"], description="config YAML; default: Variable glmpipe_local_conf"),
        "raw": Param(None, type=["null", "string"], description="raw table directory; default: Variable glmpipe_local_raw"),
        OVERRIDES_PARAM: Param({}, type="object", description='config overrides, e.g. {"storage.root": "file:///data/glmpipe"}'),
    },
    tags=("local",),
)

if TARGET in enabled_targets():
    dag, train_dag = target_dags(LOCAL)
