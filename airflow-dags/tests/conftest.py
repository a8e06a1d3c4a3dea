"""Test set-up: a throwaway AIRFLOW_HOME with its own sqlite DB, and the parsed DAG files.

Airflow reads its configuration once, when first imported, so the environment is set here at
import time, before any test module imports airflow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DAGS_PROJECT = Path(__file__).resolve().parents[1]
DAGS_DIR = DAGS_PROJECT / "dags"
REPO_ROOT = DAGS_PROJECT.parent

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="glmpipe-airflow-home-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME}/airflow.db",
        # Every target's DAGs, so one DagBag holds them all (a deployment names its one target).
        "AIRFLOW__GLMPIPE__TARGET": "all",
    }
)
# Tests import glmpipe_common as the DAG files do: from the DAGs folder on sys.path.
sys.path.insert(0, str(DAGS_DIR))

TARGETS = ("local", "emr", "emr_transient", "emr_serverless", "dataproc", "dataproc_batches")
DAILY_DAG_IDS = {f"glmpipe_{target}" for target in TARGETS}
TRAIN_DAG_IDS = {f"glmpipe_{target}_train" for target in TARGETS}
EXPECTED_DAG_IDS = DAILY_DAG_IDS | TRAIN_DAG_IDS


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def dagbag():
    """The DAG files parsed the way Airflow's DAG processor parses them."""
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(dag_folder=DAGS_DIR, bundle_path=DAGS_DIR, bundle_name="dags-folder")


@pytest.fixture(scope="session")
def airflow_db():
    """A fresh metadata DB made by the real CLI, as an operator would (`airflow db migrate`)."""
    airflow_cli = Path(sys.executable).with_name("airflow")
    if not airflow_cli.exists():
        pytest.fail(f"no airflow CLI next to {sys.executable}: run scripts/test-airflow.sh, which installs it")
    subprocess.run([str(airflow_cli), "db", "migrate"], check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    from airflow.settings import configure_orm

    configure_orm()  # the ORM was configured before the DB existed; connect it afresh
    return AIRFLOW_HOME / "airflow.db"
