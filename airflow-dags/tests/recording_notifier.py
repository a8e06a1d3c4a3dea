"""A notifier for the tests: appends what it was given to a JSON-lines file.

It is a real BaseNotifier, configured the way a deployment configures Slack or SNS (`[glmpipe]
notifiers`), so the test proves the DAGs call notifiers with glmpipe's failure summary.
"""

from __future__ import annotations

import json

from airflow.sdk import BaseNotifier


class RecordingNotifier(BaseNotifier):
    template_fields = ("message",)

    def __init__(self, path: str, message: str):
        super().__init__()
        self.path = path
        self.message = message

    def notify(self, context) -> None:
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"message": self.message, "failure": context["glmpipe_failure"]}) + "\n")
