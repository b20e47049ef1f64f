"""Benchmark of history replay (``make bench-replay``): figure 7.

``vigil ingest ../shared/data/auth.log --year 2017`` fills a fresh embedded store in a
temporary directory (timed too, as ``replay.ingest``), then ``vigil backfill`` replays
every example alert (each ``AlertTask`` subclass defined in a top-level module of
alerts/) over the log's whole range, from the minute of its first line to the minute
after its last, ticking every minute (``--every 1m``, the schedule MozDef's alerts
use), publishing to an embedded broker in the same temporary directory. Both run as
a user runs them, interpreter start included. Figure: ``replay.backfill`` (target
<= 30 s).
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._measure import wall_clock
from bench.eventgen import auth_log_path
from lib.alerttask import AlertTask
from lib.celery_app import ALERTS_DIR
from lib.errors import DocumentError
from lib.syslog import parse_line

YEAR = 2017
NOT_ALERTS = frozenset({"celeryconfig"})

Figure = tuple[str, float, str]


def run() -> list[Figure]:
    """Figure 7: ingest auth.log, then backfill every example alert over its range."""
    log = auth_log_path()
    start, end = log_range(log)
    alerts = example_alerts()
    print(
        f"replay: {len(alerts)} alerts, {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory(prefix="vigil-bench-replay-") as tmp:
        env = environment(Path(tmp))
        store = ["--store", env["VIGIL_STORE_URL"]]
        ingest = timed(["ingest", str(log), "--year", str(YEAR), *store], env)
        backfill = timed(
            ["backfill", *alerts, "--from", start.isoformat(), "--to", end.isoformat()]
            + ["--every", "1m", *store],
            env,
        )
    return [
        ("replay.ingest", ingest, "s"),
        ("replay.backfill", backfill, "s (target <= 30)"),
    ]


def log_range(log: Path) -> tuple[datetime, datetime]:
    """The minute of the log's first syslog line and the minute after its last."""
    stamps = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            stamps.append(parse_line(line, year=YEAR).timestamp)
        except DocumentError:
            continue
    first, last = min(stamps).astimezone(UTC), max(stamps).astimezone(UTC)
    return first.replace(second=0, microsecond=0), last.replace(
        second=0, microsecond=0
    ) + timedelta(minutes=1)


def example_alerts() -> list[str]:
    """``module.Class`` of every AlertTask subclass defined in a top-level alerts/ module."""
    names = []
    for path in sorted(ALERTS_DIR.glob("*.py")):
        if path.stem in NOT_ALERTS:
            continue
        module = importlib.import_module(path.stem)
        for class_name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, AlertTask) and value.__module__ == path.stem:
                names.append(f"{path.stem}.{class_name}")
    return names


def environment(folder: Path) -> dict[str, str]:
    """A private data directory (store and embedded broker) for the CLI."""
    env = dict(os.environ)
    env.pop("VIGIL_BROKER_URL", None)
    env.update(
        VIGIL_DATA_DIR=str(folder / "data"),
        VIGIL_STORE_URL=f"sqlite://{folder / 'data' / 'store.db'}",
    )
    return env


def timed(args: list[str], env: dict[str, str]) -> float:
    """Seconds ``vigil <args>`` took; RuntimeError with its output if it failed."""
    vigil = Path(sys.executable).parent / "vigil"
    started = wall_clock()
    done = subprocess.run([str(vigil), *args], env=env, capture_output=True, text=True)
    seconds = wall_clock() - started
    if done.returncode:
        raise RuntimeError(f"vigil {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    print(f"replay: vigil {args[0]}: {done.stdout.strip().splitlines()[-1:]}", file=sys.stderr)
    return seconds
