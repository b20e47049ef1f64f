"""Benchmark of the scheduler under load (``make bench-scheduler``): figure 4.

200 copies of a cheap alert (one search over the last minute that matches nothing) are
written into a module in a temporary directory and scheduled every minute
(``crontab(minute='*')``) through ``VIGIL_ALERTS_MODULE``. The celery app of
alerts/celeryconfig.py then runs as `vigil serve` runs it (``celery -A celeryconfig
worker --beat --concurrency=2``, from alerts/, with the temporary directory on
``PYTHONPATH``) for ``VIGIL_BENCH_SCHEDULER_MINUTES`` minutes (default 5), first on the
embedded broker (kombu's filesystem transport), then on RabbitMQ at 127.0.0.1:5672 (a
private celery queue; skipped, with a note, when RabbitMQ does not answer).

The measured ticks are the first N whole minutes after the worker reports ready; the
worker keeps running one more minute so their runs can finish. From the run records
(`lib.runs`, index ``vigil-runs``) of those ticks, per broker:

- ``scheduler.<broker>.ticks_missed``: scheduled (alert, tick) pairs with no run (target 0);
- ``scheduler.<broker>.runs_overlapping``: runs skipped because the previous one was still
  going, plus runs of one alert whose start/finish intervals overlap (target 0);
- ``scheduler.<broker>.runs_failed``: runs that recorded an error;
- ``scheduler.<broker>.delay_p50`` / ``delay_p99``: seconds from the tick to the run's start
  (target p99 <= 10 s).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import kombu

from bench._measure import percentile
from lib.celery_app import ALERTS_DIR
from lib.store import open_store

ALERTS = 200
MINUTES_ENV = "VIGIL_BENCH_SCHEDULER_MINUTES"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
READY_TIMEOUT = 120.0
SETTLE = timedelta(seconds=60)
STOP_GRACE = 30.0
ALERT_MODULE = "vigil_bench_cheap"
SCHEDULE_MODULE = "vigil_bench_schedule"

Figure = tuple[str, float, str]

CHEAP_ALERT = '''"""Cheap alerts for the scheduler benchmark: one search that matches nothing."""

from lib.alerttask import AlertTask
from lib.query_models import SearchQuery, TermMatch


class CheapAlert(AlertTask):
    def main(self):
        query = SearchQuery(minutes=1)
        query.add_must(TermMatch("category", "vigil-bench-never"))
        self.filtersManual(query)
        self.searchEventsSimple()
        self.walkEvents()
'''

SCHEDULE = f'''"""Every cheap alert, every minute."""

from celery.schedules import crontab

ALERTS = {{
    f"{ALERT_MODULE}.AlertCheap{{n:03d}}": {{"schedule": crontab(minute="*")}}
    for n in range({ALERTS})
}}
'''


def run() -> list[Figure]:
    """Figure 4 on the embedded broker, then on RabbitMQ."""
    minutes = int(os.environ.get(MINUTES_ENV, "5"))
    figures = measure("embedded", None, minutes)
    if rabbitmq_reachable():
        figures += measure("rabbitmq", RABBITMQ_URL, minutes)
    else:
        print("scheduler: RabbitMQ does not answer on 127.0.0.1:5672; skipped", file=sys.stderr)
    return figures


def rabbitmq_reachable() -> bool:
    """True if something accepts connections on RabbitMQ's port."""
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


def measure(broker: str, broker_url: str | None, minutes: int) -> list[Figure]:
    """Run worker and beat for `minutes` measured ticks on one broker; its figures."""
    print(f"scheduler: {broker} broker, {ALERTS} alerts, {minutes} minute(s)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="vigil-bench-scheduler-") as tmp:
        folder = Path(tmp)
        env = environment(folder, broker_url)
        write_alerts(folder)
        prepare_store(env["VIGIL_STORE_URL"])
        ticks, log = run_worker(folder, env, minutes)
        records = run_records(env["VIGIL_STORE_URL"])
        if broker_url:
            delete_queue(broker_url, env["VIGIL_CELERY_QUEUE"])
        errors = [line for line in log.splitlines() if "ERROR" in line or "Traceback" in line]
        for line in errors[:5]:
            print(f"scheduler: {broker} worker log: {line}", file=sys.stderr)
    return figures(broker, records, ticks)


def environment(folder: Path, broker_url: str | None) -> dict[str, str]:
    """The worker's environment: private data dir, store, queue and alert exchange."""
    env = dict(os.environ)
    token = uuid.uuid4().hex[:12]
    env.update(
        VIGIL_DATA_DIR=str(folder / "data"),
        VIGIL_STORE_URL=f"sqlite://{folder / 'data' / 'store.db'}",
        VIGIL_ALERTS_MODULE=SCHEDULE_MODULE,
        VIGIL_CELERY_QUEUE=f"vigil-bench-{token}",
        VIGIL_ALERT_EXCHANGE=f"alerts-bench-{token}",
        PYTHONPATH=os.pathsep.join([str(ALERTS_DIR), str(folder)]),
        PYTHONUNBUFFERED="1",
    )
    env.pop("VIGIL_BROKER_URL", None)
    if broker_url:
        env["VIGIL_BROKER_URL"] = broker_url
    return env


def write_alerts(folder: Path) -> None:
    """The cheap alert module (200 copies of one class) and the schedule module."""
    copies = "".join(f"\n\nclass AlertCheap{n:03d}(CheapAlert):\n    pass\n" for n in range(ALERTS))
    (folder / f"{ALERT_MODULE}.py").write_text(CHEAP_ALERT + copies)
    (folder / f"{SCHEDULE_MODULE}.py").write_text(SCHEDULE)


def prepare_store(url: str) -> None:
    """Create the store with its aliases and one event, so every search has an index."""
    store = open_store(url)
    event = {"utctimestamp": datetime.now(UTC).isoformat(), "category": "syslog", "summary": "-"}
    store.index("events", event)
    store.setup()
    store.close()


def run_worker(folder: Path, env: dict[str, str], minutes: int) -> tuple[list[datetime], str]:
    """Start worker + beat, wait for ready, let `minutes` ticks pass; (ticks, worker log)."""
    argv = [sys.executable, "-m", "celery", "-A", "celeryconfig", "worker", "--beat"]
    argv += ["--loglevel=info", "--without-mingle", "--without-gossip", "--concurrency=2"]
    log_path = folder / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            argv,
            cwd=ALERTS_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        ready = wait_ready(worker, log_path)
        first = _next_minute(ready + timedelta(seconds=5))
        ticks = [first + timedelta(minutes=n) for n in range(minutes)]
        _sleep_until(ticks[-1] + SETTLE, worker)
    finally:
        stop(worker)
    return ticks, log_path.read_text(errors="replace")


def wait_ready(worker: subprocess.Popen, log_path: Path) -> datetime:
    """When the worker logged that it is ready; RuntimeError if it died or never did."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log_path.read_text()[-2000:]}")
        if " ready." in log_path.read_text(errors="replace"):
            return datetime.now(UTC)
        time.sleep(0.5)
    raise RuntimeError(f"celery worker not ready after {READY_TIMEOUT:.0f} s")


def stop(worker: subprocess.Popen) -> None:
    """Stop the worker (SIGTERM: warm shutdown), then anything left of its process group."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    try:
        os.killpg(worker.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_records(url: str) -> list[dict[str, Any]]:
    """Every run record in the store."""
    store = open_store(url)
    records = [hit["_source"] for hit in store.scan("vigil-runs", {"query": {"match_all": {}}})]
    store.close()
    return records


def delete_queue(broker_url: str, queue: str) -> None:
    """Remove the benchmark's celery queue and exchange from RabbitMQ."""
    with kombu.Connection(broker_url) as conn:
        channel = conn.default_channel
        channel.queue_delete(queue)
        channel.exchange_delete(queue)


def figures(broker: str, records: list[dict[str, Any]], ticks: list[datetime]) -> list[Figure]:
    """Ticks missed, runs overlapping, runs failed, delay p50/p99 for the measured ticks."""
    measured = {tick.isoformat() for tick in ticks}
    ran = [r for r in records if r.get("tick") and _iso(r["tick"]) in measured]
    done = [r for r in ran if not r.get("skipped")]
    done_pairs = {(r["alert"], _iso(r["tick"])) for r in done}
    missed = ALERTS * len(ticks) - len(done_pairs)
    overlapping = sum(1 for r in ran if r.get("skipped") == "overlap") + _overlaps(records)
    delays = [(_time(r["started"]) - _time(r["tick"])).total_seconds() for r in done]
    prefix = f"scheduler.{broker}"
    print(
        f"scheduler: {broker}: {len(done)} runs of {ALERTS * len(ticks)} scheduled",
        file=sys.stderr,
    )
    return [
        (f"{prefix}.ticks_missed", float(missed), f"ticks of {ALERTS * len(ticks)} (target 0)"),
        (f"{prefix}.runs_overlapping", float(overlapping), "runs (target 0)"),
        (f"{prefix}.runs_failed", float(sum(1 for r in done if r.get("error"))), "runs"),
        (f"{prefix}.delay_p50", percentile(delays, 50), "s"),
        (f"{prefix}.delay_p99", percentile(delays, 99), "s (target <= 10)"),
    ]


def _overlaps(records: list[dict[str, Any]]) -> int:
    """Pairs of consecutive runs of one alert where the later started before the earlier ended."""
    by_alert: dict[str, list[tuple[datetime, datetime]]] = {}
    for r in records:
        if not r.get("skipped") and r.get("finished"):
            by_alert.setdefault(r["alert"], []).append((_time(r["started"]), _time(r["finished"])))
    count = 0
    for spans in by_alert.values():
        spans.sort()
        count += sum(1 for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])
    return count


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _iso(text: str) -> str:
    return _time(text).isoformat()


def _next_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _sleep_until(moment: datetime, worker: subprocess.Popen) -> None:
    while (left := (moment - datetime.now(UTC)).total_seconds()) > 0:
        if worker.poll() is not None:
            raise RuntimeError("celery worker exited during the benchmark")
        time.sleep(min(left, 1.0))
