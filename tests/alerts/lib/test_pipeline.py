"""End to end: `vigil serve` runs loginput, the celery worker with beat and the actions
worker as real processes; ten failed sshd logins posted over HTTP become exactly one SSH
brute-force alert, in the store, in the log-file action's file and in `vigil alerts`.

Runs on the embedded broker and on RabbitMQ (every exchange and queue named per test).
The brute-force alert is rescheduled every 3 seconds through ``VIGIL_ALERTS_MODULE``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kombu
import pytest
from click.testing import CliRunner

from lib.cli import main as vigil_main
from lib.store import open_store

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
ALERT = "bruteforce_ssh.AlertBruteforceSsh"
SCHEDULE = f"""from datetime import timedelta

ALERTS = {{"{ALERT}": {{"schedule": timedelta(seconds=3)}}}}
"""

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rabbitmq_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        return False
    return True


class Pipeline:
    """A `vigil serve` process tree on a private data dir, port and names."""

    def __init__(self, tmp_path: Path, broker: str) -> None:
        self.tmp = tmp_path
        self.data = tmp_path / "data"
        self.port = _free_port()
        self.alert_log = tmp_path / "alerts.log"
        self.output = tmp_path / "serve.log"
        suffix = uuid.uuid4().hex
        self.names = {
            "VIGIL_ALERT_EXCHANGE": f"alerts-test-{suffix}",
            "VIGIL_ACTIONS_QUEUE": f"alert-actions-test-{suffix}",
            "VIGIL_CELERY_QUEUE": f"vigil-alerts-test-{suffix}",
        }
        self.broker_url = RABBITMQ_URL if broker == "rabbitmq" else ""
        self.stop_signal = signal.SIGTERM if broker == "rabbitmq" else signal.SIGINT
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        module = f"pipeline_schedule_{uuid.uuid4().hex}"
        (self.tmp / f"{module}.py").write_text(SCHEDULE)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
        env.update(self.names)
        env.update(
            VIGIL_DATA_DIR=str(self.data),
            VIGIL_ALERTS_MODULE=module,
            VIGIL_ALERT_ACTIONS="logfile",
            VIGIL_ALERT_LOG=str(self.alert_log),
            VIGIL_LOGINPUT_PORT=str(self.port),
            PYTHONPATH=os.pathsep.join(filter(None, [str(self.tmp), env.get("PYTHONPATH")])),
        )
        if self.broker_url:
            env["VIGIL_BROKER_URL"] = self.broker_url
        return env

    def start(self) -> None:
        command = [sys.executable, "-c", "from lib.cli import main; main()", "serve"]
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                command,
                env=self.environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Stop as an operator would: Ctrl-C (SIGINT) or SIGTERM; the exit status."""
        assert self.process is not None
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=40)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self) -> str:
        return "\n".join(self.output.read_text(errors="replace").splitlines()[-60:])

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, (
                f"vigil serve exited while waiting for {what}:\n{self.log_tail()}"
            )
            result = check()
            if result:
                return result
            time.sleep(0.25)
        pytest.fail(f"timed out after {timeout}s waiting for {what}:\n{self.log_tail()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cleanup_broker(self) -> None:
        if not self.broker_url:
            return
        queue = self.names["VIGIL_ACTIONS_QUEUE"]
        with kombu.Connection(self.broker_url) as conn:
            channel = conn.channel()
            for name in (queue, f"{queue}.dead", self.names["VIGIL_CELERY_QUEUE"]):
                channel.queue_delete(name)
            for name in (
                f"{queue}.dead",
                self.names["VIGIL_ALERT_EXCHANGE"],
                self.names["VIGIL_CELERY_QUEUE"],
            ):
                channel.exchange_delete(name)


@pytest.fixture(params=["embedded", "rabbitmq"])
def pipeline(request, tmp_path) -> Iterator[Pipeline]:
    if request.param == "rabbitmq" and not _rabbitmq_up():
        if os.environ.get("VIGIL_REQUIRE_RABBITMQ"):
            pytest.fail("RabbitMQ is required but not reachable on 127.0.0.1:5672")
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")
    running = Pipeline(tmp_path, request.param)
    running.start()
    try:
        yield running
    finally:
        running.kill()
        running.cleanup_broker()


def _status_ok(pipeline: Pipeline) -> bool:
    try:
        with urllib.request.urlopen(pipeline.url("/status"), timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _post_event(pipeline: Pipeline, attempt: int, address: str) -> None:
    event = {
        "category": "syslog",
        "hostname": "web1",
        "processname": "sshd",
        "tags": ["syslog"],
        "summary": f"Failed password for invalid user admin{attempt} from {address} port 4444 ssh2",
        "details": {
            "program": "sshd",
            "sourceipaddress": address,
            "username": f"admin{attempt}",
            "success": False,
            "authmethod": "password",
        },
    }
    request = urllib.request.Request(
        pipeline.url("/events"),
        data=json.dumps(event).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def _store_alerts(pipeline: Pipeline) -> list[dict[str, Any]]:
    store = open_store(str(pipeline.data / "store.db"))
    try:
        result = store.search("alerts", {"size": 100}, ignore_unavailable=True)
    finally:
        store.close()
    return result["hits"]["hits"]


def _completed_runs(pipeline: Pipeline) -> list[dict[str, Any]]:
    store = open_store(str(pipeline.data / "store.db"))
    try:
        body = {"query": {"term": {"alert": ALERT}}, "size": 1000}
        hits = store.search("vigil-runs", body, ignore_unavailable=True)["hits"]["hits"]
    finally:
        store.close()
    return [hit["_source"] for hit in hits if not hit["_source"]["skipped"]]


def _log_lines(pipeline: Pipeline) -> list[dict[str, Any]]:
    if not pipeline.alert_log.exists():
        return []
    return [json.loads(line) for line in pipeline.alert_log.read_text().splitlines()]


def test_ten_failed_ssh_logins_make_exactly_one_alert(pipeline: Pipeline):
    pipeline.wait_for("loginput to answer /status", lambda: _status_ok(pipeline), timeout=30)
    address = f"10.{uuid.uuid4().int % 250}.7.9"
    for attempt in range(10):
        _post_event(pipeline, attempt, address)

    [logged] = pipeline.wait_for("the log-file action", lambda: _log_lines(pipeline), timeout=45)
    assert logged["_source"]["classname"] == "AlertBruteforceSsh"
    assert logged["_source"]["summary"].startswith(f"10 ssh bruteforce attempts by {address}")

    fired = [run for run in _completed_runs(pipeline) if run["alerts"]]
    assert len(fired) == 1 and fired[0]["alert_ids"] == [logged["_id"]]
    after = len(_completed_runs(pipeline))
    pipeline.wait_for(
        "two more runs of the alert",
        lambda: len(_completed_runs(pipeline)) >= after + 2,
        timeout=30,
    )
    assert [hit["_id"] for hit in _store_alerts(pipeline)] == [logged["_id"]]
    assert len(_log_lines(pipeline)) == 1

    listed = CliRunner().invoke(
        vigil_main, ["alerts", "--json", "--store", str(pipeline.data / "store.db")]
    )
    assert [document["_id"] for document in json.loads(listed.output)] == [logged["_id"]]

    assert pipeline.stop(pipeline.stop_signal) == 0, pipeline.log_tail()
    output = pipeline.output.read_text()
    assert f"received {pipeline.stop_signal.name}; stopping" in output
    assert output.rstrip().endswith("stopped")


def test_a_part_that_dies_is_reported_and_stops_the_rest(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        pipeline = Pipeline(tmp_path, "embedded")
        pipeline.port = taken.getsockname()[1]
        pipeline.start()
        try:
            assert pipeline.process is not None
            status = pipeline.process.wait(timeout=60)
        finally:
            pipeline.kill()
    output = pipeline.output.read_text()
    assert status == 1
    assert "loginput exited with code" in output and output.rstrip().endswith("stopped")
