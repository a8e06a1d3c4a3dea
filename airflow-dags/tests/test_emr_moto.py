"""The EMR DAGs run by Airflow (`dag.test()`) with the real operators and boto3 against moto in
server mode on 127.0.0.1: nothing reaches AWS, and no glmpipe job runs (moto runs nothing).

- glmpipe_emr: the S3 sensor finds the day's marker, four steps are added to the cluster (each
  `spark-submit` of the jar with the launcher's arguments), each step sensor polls its step
  (tests/moto_emr_server.py completes steps at once), the alert check reads the monitor result
  from S3 and triggers glmpipe_emr_train with the reason;
- glmpipe_emr_serverless: four job runs are started on the application, their sensors poll
  them to SUCCESS, and the DAG finishes;
- glmpipe_emr_transient_train: a cluster is created, three steps run on it, it is terminated.

Dataproc has no local emulator: its requests are tested rendered (test_wiring.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import DAGS_DIR, REPO_ROOT

import glmpipe_common

LOGICAL_DATE = datetime(2026, 11, 7, tzinfo=timezone.utc)
DT = "2026-11-07"
BUCKET = "glmpipe-test"
ARTIFACTS = f"s3://{BUCKET}/release"
RAW = f"s3://{BUCKET}/landing/churn"
REGION = "us-east-1"
# The run id dag.test() gives a manual run at LOGICAL_DATE with run_after=LOGICAL_DATE.
RUN_ID = "manual__2026-11-07T00:00:00+00:00"


def moto_python() -> Path:
    python = Path(os.environ.get("GLMPIPE_MOTO_PYTHON") or REPO_ROOT / ".venv" / "moto" / "bin" / "python")
    if not python.exists():
        pytest.fail(f"no moto at {python}: run scripts/test-airflow.sh, which installs it (scripts/lib/s3.sh: ensure_moto)")
    return python


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(moto_python()), str(Path(__file__).with_name("moto_emr_server.py")),
                                   "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"moto did not start on {endpoint}:\n{log.read_text()}")
            time.sleep(0.3)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def aws(moto_endpoint, airflow_db, monkeypatch):
    """The deployment: aws_default pointing at moto, the bucket with the day's raw marker."""
    import boto3

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": moto_endpoint}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(
        {"conn_type": "aws", "extra": {"endpoint_url": moto_endpoint, "region_name": REGION}}))
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_ARTIFACTS", ARTIFACTS)
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_RAW", RAW)
    monkeypatch.setenv("AIRFLOW__GLMPIPE__DATA_POKE_INTERVAL", "1")
    monkeypatch.setenv("AIRFLOW__GLMPIPE__DATA_TIMEOUT", "10")
    clients = {name: boto3.client(name, endpoint_url=moto_endpoint, region_name=REGION)
               for name in ("s3", "emr", "emr-serverless")}
    s3 = clients["s3"]
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    for old in s3.list_objects_v2(Bucket=BUCKET, Prefix="release/results/").get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=old["Key"])  # another test's monitor result
    s3.put_object(Bucket=BUCKET, Key=f"landing/churn/dt={DT}/part-0.csv", Body=b"customer_id\n1\n")
    s3.put_object(Bucket=BUCKET, Key=f"landing/churn/dt={DT}/_SUCCESS", Body=b"")
    return clients


def emr_dags(name: str):
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(dag_folder=DAGS_DIR / "glmpipe_emr.py", bundle_path=DAGS_DIR, bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    return bag.dags[name]


def put_result(s3, task_id: str, result: dict) -> None:
    """What the monitor job writes with --result-uri (moto runs no job, so the test writes it)."""
    key = f"release/results/{RUN_ID}.{task_id}.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=(json.dumps(result) + "\n").encode())


def states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def test_emr_steps_are_added_polled_and_an_alert_triggers_training(aws, monkeypatch):
    cluster = aws["emr"].run_job_flow(
        Name="glmpipe-test", ReleaseLabel="emr-7.10.0", Applications=[{"Name": "Spark"}],
        Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True},
        JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole")["JobFlowId"]
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_CLUSTER_ID", cluster)
    put_result(aws["s3"], "monitor", {"run_id": f"{RUN_ID}.monitor.1", "job": "monitor", "alert_count": 1, "dates": [
        {"dt": DT, "alerts": [{"kind": "input_drift", "feature": "monthly_charges", "metric": "psi", "value": 0.8}]}]})

    run = emr_dags("glmpipe_emr").test(logical_date=LOGICAL_DATE, run_after=LOGICAL_DATE)

    assert states(run) == {
        "wait_for_data": "success",
        **{task: "success" for job in glmpipe_common.DAILY_JOBS for task in (job, f"wait_{job}")},
        "check_alerts": "success", "trigger_retrain": "success", "watcher": "skipped",
    }
    assert str(run.state) == "success"
    steps = aws["emr"].list_steps(ClusterId=cluster)["Steps"]
    by_name = {step["Name"]: step for step in steps}
    assert set(by_name) == {f"glmpipe {job} {DT}" for job in glmpipe_common.DAILY_JOBS}
    args = by_name[f"glmpipe monitor_realized {DT}"]["Config"]["Args"]
    jar = f"{ARTIFACTS}/{glmpipe_common.jar_name(glmpipe_common.GLMPIPE_VERSION)}"
    assert args[args.index(jar) + 1:] == [
        "monitor", "--conf", f"{ARTIFACTS}/conf/emr.yaml", "--run-id", f"{RUN_ID}.monitor_realized.1",
        "--dt", DT, "--realized", "--result-uri", f"{ARTIFACTS}/results/{RUN_ID}.monitor_realized.json"]

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        triggered = session.query(DagRun).filter_by(dag_id="glmpipe_emr_train", run_id=f"retrain__{DT}").one()
        assert triggered.conf["reason"] == "drift"
        assert triggered.conf["to"] == DT


def test_emr_serverless_job_runs_are_started_polled_and_the_dag_finishes(aws, monkeypatch):
    app = aws["emr-serverless"].create_application(name="glmpipe", releaseLabel="emr-7.10.0", type="SPARK")
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_SERVERLESS_APP_ID", app["applicationId"])
    monkeypatch.setenv("AIRFLOW_VAR_GLMPIPE_EMR_SERVERLESS_ROLE_ARN", "arn:aws:iam::123456789012:role/glmpipe")

    run = emr_dags("glmpipe_emr_serverless").test(logical_date=LOGICAL_DATE, run_after=LOGICAL_DATE)

    assert states(run) == {
        "wait_for_data": "success",
        **{task: "success" for job in glmpipe_common.DAILY_JOBS for task in (job, f"wait_{job}")},
        "check_alerts": "success", "trigger_retrain": "skipped", "watcher": "skipped",
    }
    assert str(run.state) == "success"
    runs = aws["emr-serverless"].list_job_runs(applicationId=app["applicationId"])["jobRuns"]
    assert sorted(r["name"] for r in runs) == sorted(f"glmpipe {job} {DT}" for job in glmpipe_common.DAILY_JOBS)
    score = next(r for r in runs if r["name"] == f"glmpipe score {DT}")
    detail = aws["emr-serverless"].get_job_run(applicationId=app["applicationId"], jobRunId=score["id"])["jobRun"]
    assert detail["jobDriver"]["sparkSubmit"]["entryPointArguments"][:5] == [
        "score", "--conf", f"{ARTIFACTS}/conf/emr.yaml", "--run-id", f"{RUN_ID}.score.1"]


def test_emr_transient_training_creates_runs_and_terminates_its_cluster(aws):
    run = emr_dags("glmpipe_emr_transient_train").test(logical_date=LOGICAL_DATE, run_conf={"to": DT})
    assert states(run) == {task: "success" for task in (
        "create_cluster", "train", "wait_train", "evaluate", "wait_evaluate", "export", "wait_export",
        "terminate_cluster")}, states(run)
    clusters = aws["emr"].list_clusters()["Clusters"]
    made = [c for c in clusters if c["Name"] == f"glmpipe-{DT}"]
    assert len(made) == 1
    assert made[0]["Status"]["State"].startswith("TERMINAT")
    steps = aws["emr"].list_steps(ClusterId=made[0]["Id"])["Steps"]
    assert {s["Name"] for s in steps} == {f"glmpipe {job} {DT}" for job in glmpipe_common.TRAIN_JOBS}
