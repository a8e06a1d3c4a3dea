"""A minimal real Airflow 3 deployment for a test: the Execution API (`airflow api-server --apps
execution`) and a scheduler with the LocalExecutor, on the test's AIRFLOW_HOME and sqlite DB,
bound to 127.0.0.1 on a free port, stopped by the process ids this module started.

The scheduler's LocalExecutor workers run each task in a process of their own (the task SDK's
supervisor), which talks to the Execution API with tokens the scheduler signs: both share one
JWT secret. No DAG processor: the test serializes the DAGs once (`airflow dags reserialize`), and
the task processes parse their DAG file themselves.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def airflow_cli() -> Path:
    return Path(sys.executable).with_name("airflow")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> str:
    """One `airflow …` command; fails the test with its output when it fails."""
    done = subprocess.run([str(airflow_cli()), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(f"airflow {' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


class Services:
    """The api-server and the scheduler; `log(name)` is the tail of one's output."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir = workdir
        port = free_port()
        self.execution_api = f"http://127.0.0.1:{port}/execution/"
        self.env = {
            **env,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # One backfill run at a time, one task at a time (and the watcher): two slots suffice.
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": self.execution_api,
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            # Only the runs the test creates: no scheduled run for the latest interval.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        }
        conn = self.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        if conn.startswith("sqlite") and "?" not in conn:
            # sqlite has one writer at a time; on a busy machine a writer may wait longer than
            # sqlite3's 5 s before "database is locked".
            self.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"{conn}?timeout=60"
        self.port = port
        self.processes: dict[str, subprocess.Popen] = {}

    def cli(self, *args: str, timeout: float = 300) -> str:
        return run_cli(list(args), self.env, self.workdir, timeout)

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        # A session of its own: stopping it reaches its children (LocalExecutor workers, tasks,
        # spark-submit) through the process group led by the pid started here.
        with open(self.workdir / f"{name}.log", "w") as out:
            process = subprocess.Popen([str(airflow_cli()), *args], env=self.env, cwd=self.workdir,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def start_api_server(self, timeout: float = 180) -> None:
        process = self.start("api-server", ["api-server", "--apps", "execution", "--workers", "1",
                                            "--host", "127.0.0.1", "--port", str(self.port)])
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.execution_api}health", timeout=2).close()
                return
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the api-server did not answer on {self.execution_api}:\n"
                                         f"{self.log('api-server')}")
                time.sleep(0.5)

    def start_scheduler(self) -> None:
        self.start("scheduler", ["scheduler"])

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)}")

    def log(self, name: str, chars: int = 6000) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def stop(self) -> None:
        """SIGTERM to each process group started here, SIGKILL to what is left after 30 s."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the group's stragglers, if any
            except ProcessLookupError:
                pass
            process.wait(timeout=10)


@contextmanager
def airflow_services(workdir: Path, env: dict[str, str]):
    services = Services(workdir, env)
    try:
        yield services
    finally:
        services.stop()
