"""`vigil serve`: the whole pipeline on one machine, in the foreground (`make run`).

It prepares the store and the actions queue, then starts three child processes from
alerts/ and watches them:

- ``loginput``: ``python -m lib.loginput``, the HTTP event intake
  (``VIGIL_LOGINPUT_HOST``:``VIGIL_LOGINPUT_PORT``);
- ``worker``: ``celery -A celeryconfig worker --beat`` running every alert of ALERTS;
- ``actions``: ``python -m lib.actions_worker``, running ALERT_ACTIONS on each alert.

Every child's output is prefixed with its name. Ctrl-C or SIGTERM stops them all (SIGTERM,
then SIGKILL after a grace period); a child that dies is reported and stops the rest,
and `serve` returns non-zero. The embedded store and broker live under the data
directory unless ``VIGIL_STORE_URL`` / ``VIGIL_BROKER_URL`` name Elasticsearch and
RabbitMQ; the children get absolute paths, so the working directory does not matter.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from lib import actions_worker, config, messaging
from lib.celery_app import ALERTS_DIR, alerts_setting, check_alerts
from lib.store import open_store

STOP_GRACE_SECONDS = 15.0
POLL_SECONDS = 0.2


@dataclass
class Part:
    """One child process of the pipeline."""

    name: str
    argv: list[str]
    process: subprocess.Popen | None = field(default=None, repr=False)


def parts(python: str = sys.executable) -> list[Part]:
    """The children, in start order (the actions worker binds its queue first)."""
    loginput = config.LOGINPUT
    return [
        Part("actions", [python, "-m", "lib.actions_worker"]),
        Part(
            "worker",
            [python, "-m", "celery", "-A", "celeryconfig", "worker", "--beat", "--loglevel=info"]
            + ["--without-mingle", "--without-gossip", "--concurrency=2"]
            + [f"--hostname=vigil-{os.getpid()}@%h"],
        ),
        Part(
            "loginput",
            [python, "-m", "lib.loginput", "--host", str(loginput["host"])]
            + ["--port", str(loginput["port"])],
        ),
    ]


def child_environment() -> dict[str, str]:
    """The environment of every child: absolute data paths, alerts/ importable."""
    env = dict(os.environ)
    env["VIGIL_DATA_DIR"] = str(config.DATA_DIR)
    env["VIGIL_STORE_URL"] = config.store_url()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ALERTS_DIR), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def prepare() -> None:
    """Check alerts and actions, create the data dir, set up the store, declare the queue."""
    check_alerts()
    actions_worker.load_actions()
    config.DATA_DIR.mkdir(parents=True, exist_ok=True)
    store = open_store(config.store_url())
    store.setup()
    store.close()
    actions_worker.declare()


def banner(out: IO[str]) -> None:
    """Print where each part listens and how to post an event."""
    loginput = config.LOGINPUT
    url = f"http://{loginput['host']}:{loginput['port']}"
    broker = config.broker_url()
    if broker.startswith("filesystem:"):
        broker = f"embedded (files under {messaging.embedded_folder()})"
    auth = ' --header "Authorization: Bearer $VIGIL_LOGINPUT_TOKEN"' if loginput["token"] else ""
    lines = [
        "Vigil is running. Ctrl-C stops everything.",
        f"  data       {config.DATA_DIR}",
        f"  store      {config.store_url()}",
        f"  broker     {_redact(broker)}",
        f"  loginput   {url}/events  (health: {url}/status)",
        f"  worker     celery worker + beat, {len(alerts_setting())} alert(s) scheduled",
        f"  actions    queue {actions_worker.queue_name()}: {', '.join(actions_worker.enabled_actions()) or 'none'}",
        "Post an event:",
        f"  curl --request POST --header 'Content-Type: application/json'{auth} \\",
        '    --data \'{"category": "syslog", "hostname": "web1", "summary": "Failed password '
        'for root from 203.0.113.9 port 4242 ssh2", "details": {"program": "sshd", '
        '"sourceipaddress": "203.0.113.9", "username": "root", "success": false}}\' \\',
        f"    {url}/events",
        "Then: vigil alerts   (and vigil runs, vigil search 'details.program:sshd')",
    ]
    out.write("\n".join(lines) + "\n")
    out.flush()


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***@{rest.split('@', 1)[1]}"


class Supervisor:
    """Starts the parts, relays their output, and stops them all together."""

    def __init__(self, parts: Sequence[Part], out: IO[str]) -> None:
        self.parts = list(parts)
        self.out = out
        self.stopping = threading.Event()
        self._write_lock = threading.Lock()

    def start(self) -> None:
        """Start every part in its own session (so Ctrl-C reaches only the supervisor)."""
        env = child_environment()
        try:
            for part in self.parts:
                part.process = subprocess.Popen(
                    part.argv,
                    cwd=ALERTS_DIR,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,
                )
                threading.Thread(target=self._relay, args=(part,), daemon=True).start()
        except OSError:
            self.stop()
            raise

    def wait(self) -> int:
        """Block until asked to stop or a part dies; then stop all. 0 if none died."""
        died = None
        while died is None and not self.stopping.is_set():
            died = next((p for p in self.parts if p.process and p.process.poll() is not None), None)
            time.sleep(POLL_SECONDS)
        if died is not None:
            code = died.process.returncode if died.process else None
            self.say(f"{died.name} exited with code {code}; stopping the rest")
        self.stop()
        return 1 if died is not None else 0

    def stop(self) -> None:
        """SIGTERM every running part, SIGKILL what is still there after the grace period.

        SIGTERM goes to each part's main process (celery then shuts its pool down warmly);
        SIGKILL goes to the part's whole process group, so no pool process is left behind.
        """
        running = [p for p in self.parts if p.process and p.process.poll() is None]
        for part in running:
            assert part.process is not None
            part.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for part in running:
            assert part.process is not None
            try:
                part.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{part.name} did not stop in {STOP_GRACE_SECONDS:.0f}s; killing it")
                _signal_group(part, signal.SIGKILL)
                part.process.wait()
        self.say("stopped")

    def say(self, text: str) -> None:
        """Write one line from the supervisor."""
        self._write(f"{'vigil':<9}| {text}\n")

    def _relay(self, part: Part) -> None:
        assert part.process is not None and part.process.stdout is not None
        for line in part.process.stdout:
            self._write(f"{part.name:<9}| {line}")

    def _write(self, text: str) -> None:
        with self._write_lock:
            self.out.write(text)
            self.out.flush()


def _signal_group(part: Part, signum: int) -> None:
    assert part.process is not None
    try:
        os.killpg(part.process.pid, signum)
    except ProcessLookupError:
        pass


def serve(out: IO[str] | None = None) -> int:
    """Run the pipeline until Ctrl-C/SIGTERM or a part dies; the exit status."""
    out = out or sys.stdout
    prepare()
    supervisor = Supervisor(parts(), out)

    def request_stop(signum: int, _frame: Any) -> None:
        supervisor.say(f"received {signal.Signals(signum).name}; stopping")
        supervisor.stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        banner(out)
        supervisor.start()
        return supervisor.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
