"""Failure notification for glmpipe's DAGs, through Airflow's notifier interface (BaseNotifier).

A deployment names its notifiers in the Airflow config, `[glmpipe] notifiers` (or the environment
variable AIRFLOW__GLMPIPE__NOTIFIERS), as a JSON list of {"class": <import path>, "kwargs": {...}}:

    [{"class": "airflow.providers.slack.notifications.slack.SlackNotifier",
      "kwargs": {"slack_conn_id": "slack_ml", "channel": "#ml-alerts", "text": "{{ glmpipe_failure_text }}"}},
     {"class": "airflow.providers.amazon.aws.notifications.sns.SnsNotifier",
      "kwargs": {"target_arn": "arn:aws:sns:eu-west-1:123456789012:glmpipe", "message": "{{ glmpipe_failure_text }}"}}]

Each is an ordinary provider notifier; its templated fields see two more context values:
`glmpipe_failure` (a dict: dag_id, run_id, task_id, try_number, ds, exit_code, error) and
`glmpipe_failure_text` (the same on one line). Every task of every glmpipe DAG calls them when it
fails for good (not on a try that will be retried); the watcher does not (the failed task did).
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Mapping

from airflow.sdk import BaseNotifier, conf
from airflow.sdk.module_loading import import_string

log = logging.getLogger(__name__)

SECTION = "glmpipe"
SETTING = "notifiers"
# What the local operator attaches to its failure (and pushes as an XCom): the job's result line.
RESULT_XCOM = "glmpipe_result"
_EXIT = re.compile(r"exited with (\d+)")


def failure_summary(context: Mapping) -> dict:
    """Run id, task, try, exit code and the job's one-line error of the failed task in `context`."""
    ti = context.get("ti")
    exception = context.get("exception")
    result = getattr(exception, "glmpipe_result", None)
    if result is None and ti is not None:
        try:
            result = ti.xcom_pull(task_ids=ti.task_id, key=RESULT_XCOM)
        except Exception:  # a notifier must never fail on what it could not read
            result = None
    result = result if isinstance(result, Mapping) else {}
    exit_code = result.get("exit_code")
    if exit_code is None and exception is not None:
        match = _EXIT.search(str(exception))
        exit_code = int(match.group(1)) if match else None
    error = result.get("error") or (str(exception).splitlines()[0] if exception is not None and str(exception) else None)
    return {
        "dag_id": getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None),
        "run_id": context.get("run_id"),
        "task_id": getattr(ti, "task_id", None),
        "try_number": getattr(ti, "try_number", None),
        "ds": context.get("ds"),
        "exit_code": exit_code,
        "error": error,
        "glmpipe_run_id": result.get("run_id"),
    }


def failure_text(summary: Mapping) -> str:
    code = summary.get("exit_code")
    return (f"glmpipe {summary.get('dag_id')}.{summary.get('task_id')} failed "
            f"(run {summary.get('run_id')}, try {summary.get('try_number')}, "
            f"exit code {code if code is not None else 'n/a'}): {summary.get('error')}")


class GlmpipeFailureNotifier(BaseNotifier):
    """Adds glmpipe's failure summary to the context, then calls each configured notifier."""

    def __init__(self, notifiers: list[BaseNotifier]):
        super().__init__()
        self.notifiers = notifiers

    def notify(self, context) -> None:
        summary = failure_summary(context)
        context["glmpipe_failure"] = summary
        context["glmpipe_failure_text"] = failure_text(summary)
        log.info("notifying: %s", context["glmpipe_failure_text"])
        for notifier in self.notifiers:
            # Rendering a notifier's fields replaces its templates: each failure gets a fresh copy.
            copy.deepcopy(notifier)(context)


def notifiers_from_setting(value: str) -> list[BaseNotifier]:
    """The notifiers a `[glmpipe] notifiers` JSON list names; a bad entry fails the parse, naming it."""
    try:
        specs = json.loads(value)
    except json.JSONDecodeError as err:
        raise ValueError(f"[{SECTION}] {SETTING} is not JSON: {err}") from err
    if not isinstance(specs, list):
        raise ValueError(f"[{SECTION}] {SETTING}: expected a JSON list of {{\"class\": ..., \"kwargs\": {{...}}}}")
    made = []
    for spec in specs:
        if not isinstance(spec, dict) or "class" not in spec:
            raise ValueError(f"[{SECTION}] {SETTING}: entry {spec!r} has no \"class\"")
        cls = import_string(spec["class"])
        if not (isinstance(cls, type) and issubclass(cls, BaseNotifier)):
            raise ValueError(f"[{SECTION}] {SETTING}: {spec['class']} is not a BaseNotifier")
        made.append(cls(**(spec.get("kwargs") or {})))
    return made


def configured_notifier() -> GlmpipeFailureNotifier | None:
    value = str(conf.get(SECTION, SETTING, fallback="") or "").strip()
    if not value:
        return None
    return GlmpipeFailureNotifier(notifiers_from_setting(value))
