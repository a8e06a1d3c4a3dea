"""moto in server mode whose EMR steps finish at once (run with moto's own Python: .venv/moto).

moto accepts EMR steps but leaves them RUNNING or PENDING forever (nothing runs them); an
EmrStepSensor would wait until its timeout. Here a step is COMPLETED as soon as it is added,
as if the cluster had run it instantly. Everything else is moto as it ships: the API, the
request validation, EMR Serverless (whose job runs moto reports SUCCESS), S3.

    python moto_emr_server.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

from moto.core.utils import utcnow
from moto.emr import models
from moto.server import main

_init = models.Step.__init__


def _completed_step(self, state, *args, **kwargs):
    _init(self, state, *args, **kwargs)
    now = utcnow()
    self.state = "COMPLETED"
    self.start_date_time = now
    self.end_date_time = now


models.Step.__init__ = _completed_step

if __name__ == "__main__":
    main()
