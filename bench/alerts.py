"""Benchmark of one alert run at volume (``make bench-alerts``): figures 1, 2 and 3.

Two embedded stores are built on disk in a temporary directory, once, with the clock
pinned by freezegun at `NOW`: 1,000,000 events over the 24 hours before `NOW` and
100,000 events over the same span, both ending with the same attack window (50,000
events in the last 20 minutes from 500 source addresses, 20 of which reach the
brute-force threshold; see `bench._attack`). The brute-force alert
(`bruteforce_ssh.AlertBruteforceSsh`, its code unchanged, reading a config file with
``threshold = 10`` and ``minutes = 20``) then runs once on each: search, aggregate,
create 20 alerts, tag every matching event of those 20 buckets, publish (embedded
transport). The run's attempts: 14,750 by the 20 attackers (500 to 975 each), 2,160 by
the other 480 addresses (at most 9 each). Figures:

1. ``alerts.run_1m`` (target <= 2 s), ``alerts.peak_memory_1m`` (target <= 500 MB;
   the process's peak resident size during the run, see `bench._measure.PeakMemory`) and
   ``alerts.counts_exact`` (1 when every count in every alert, every tag and every
   published message matches the generated truth; each mismatch is printed);
2. ``alerts.store_ops_<n>``: store operations in one run (calls to the store contract,
   counted by a subclass of the real embedded store) for 10, 1,000 and 100,000
   matching events appended to the 1M store in later windows (target: the same
   number <= 6 each time);
3. ``alerts.run_100k`` and ``alerts.run_ratio_1m_100k`` (target <= 1.5).
"""

from __future__ import annotations

import gc
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bruteforce_ssh import AlertBruteforceSsh
from freezegun import freeze_time

from bench._attack import AttackWindow, Truth, daily_index, failed_attempts
from bench._broker import Capture, bench_rabbitmq
from bench._measure import CountingStore, PeakMemory, wall_clock
from bench._verify import alert_problems, tag_problems
from bench.eventgen import generate
from lib import alerttask
from lib.store import open_store

NOW = datetime(2017, 3, 28, 12, 0, tzinfo=UTC)
MINUTES = 20
THRESHOLD = 10
BIG = 1_000_000
SMALL = 100_000
MATCH_COUNTS = (10, 1_000, 100_000)
BATCH = 5_000
ALERT_NAME = "AlertBruteforceSsh"
CONFIG = f"[options]\nthreshold = {THRESHOLD}\nminutes = {MINUTES}\nskiphosts = 127.0.0.0/8 ::1\n"

Figure = tuple[str, float, str]


class BenchBruteforceSsh(AlertBruteforceSsh):
    """The brute-force alert, unchanged, reading the benchmark's config file."""

    custom_alert_name = ALERT_NAME

    def __init__(self, config_path: Path) -> None:
        super().__init__()
        self.config_path = config_path

    def parse_config(self, config_filename: str, config_keys: list[str]) -> None:
        super().parse_config(str(self.config_path), config_keys)


def run() -> list[Figure]:
    """Build both stores, run the alert on each; figures 1, 2 and 3."""
    with tempfile.TemporaryDirectory(prefix="vigil-bench-alerts-") as tmp:
        return AlertBench(Path(tmp)).figures()


class AlertBench:
    """The stores, config, broker folder and truth of one benchmark run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config = folder / "bruteforce_ssh.conf"
        self.window = AttackWindow(NOW, MINUTES, threshold=THRESHOLD)

    def figures(self) -> list[Figure]:
        """Every figure of this benchmark, in issue order."""
        self.config.write_text(CONFIG)
        truth = self.window.truth()
        big, small = self.folder / "big.db", self.folder / "small.db"
        build(big, BIG, self.window)
        build(small, SMALL, self.window)
        big_s, big_mb, big_exact = self.volume_run(big, truth)
        small_s, small_mb, small_exact = self.volume_run(small, truth)
        ops = [self.counted_run(big, count, hours) for hours, count in enumerate(MATCH_COUNTS, 1)]
        return [
            ("alerts.run_1m", big_s, "s (target <= 2)"),
            ("alerts.peak_memory_1m", big_mb, "MB peak RSS during the run (target <= 500)"),
            ("alerts.counts_exact", float(big_exact and small_exact), "bool (target 1)"),
            *ops,
            ("alerts.run_100k", small_s, "s"),
            ("alerts.peak_memory_100k", small_mb, "MB peak RSS during the run"),
            ("alerts.run_ratio_1m_100k", big_s / small_s, "ratio (target <= 1.5)"),
        ]

    def volume_run(self, database: Path, truth: Truth) -> tuple[float, float, bool]:
        """One timed run of the alert at `NOW`: seconds, peak MB, whether every count is exact."""
        url = f"sqlite://{database}"
        rabbitmq = bench_rabbitmq(self.folder / "broker")
        with Capture(rabbitmq) as capture, freeze_time(NOW, tz_offset=0):
            with alert_settings(url, rabbitmq):
                alert = BenchBruteforceSsh(self.config)
                gc.collect()
                memory = PeakMemory()
                memory.start()
                started = wall_clock()
                alert.run()
                seconds = wall_clock() - started
                peak, growth = memory.peak_mb(), memory.growth_mb()
            problems = check_run(url, alert.alert_ids, capture.ids(), truth)
        for problem in problems:
            print(f"alerts: {database.name}: {problem}", file=sys.stderr)
        print(
            f"alerts: {database.name}: peak RSS {peak:.0f} MB ({memory.method}), "
            f"+{growth:.0f} MB over the RSS before the run",
            file=sys.stderr,
        )
        return seconds, peak, not problems

    def counted_run(self, database: Path, matches: int, hours: int) -> Figure:
        """Store operations of one run over `matches` new matching events, `hours` after NOW."""
        now = NOW + timedelta(hours=hours)
        sources = self.window.addresses[: 1 if matches < 20 * THRESHOLD else 20]
        with freeze_time(now, tz_offset=0):
            events = (
                event
                for ip in sources
                for event in failed_attempts(ip, matches // len(sources), now, MINUTES)
            )
            writer = open_store(f"sqlite://{database}")
            bulk_load(writer, events)
            writer.close()
        store = CountingStore(f"sqlite://{database}", str(database))
        rabbitmq = bench_rabbitmq(self.folder / "broker")
        with freeze_time(now, tz_offset=0), alert_settings(store.url, rabbitmq, store):
            alert = BenchBruteforceSsh(self.config)
            alert.run()
        if len(alert.alert_ids) != len(sources):
            print(f"alerts: {matches} matches gave {len(alert.alert_ids)} alerts", file=sys.stderr)
        detail = ", ".join(f"{op} {n}" for op, n in sorted(store.calls.items()))
        return (f"alerts.store_ops_{matches}", float(store.total), f"calls ({detail}; target <= 6)")


@contextmanager
def alert_settings(
    url: str, rabbitmq: dict[str, Any], store: CountingStore | None = None
) -> Iterator[None]:
    """Point alert runs at store `url` (or the given `store` object) and `rabbitmq`."""
    saved = alerttask.ES, alerttask.RABBITMQ, alerttask.open_store
    alerttask.ES, alerttask.RABBITMQ = {"servers": [url]}, rabbitmq
    if store is not None:
        alerttask.open_store = lambda _url: store
    try:
        yield
    finally:
        alerttask.ES, alerttask.RABBITMQ, alerttask.open_store = saved


def build(database: Path, total: int, window: AttackWindow) -> None:
    """A store of `total` events over the 24 hours before NOW, ending with `window`."""
    print(f"alerts: building a {total:,}-event store", file=sys.stderr, flush=True)
    end = int((window.now - timedelta(minutes=window.minutes, seconds=60)).timestamp() * 1000)
    start = int((window.now - timedelta(hours=24)).timestamp() * 1000)
    with freeze_time(NOW, tz_offset=0):
        store = open_store(f"sqlite://{database}")
        bulk_load(store, generate(total - window.total, start, end, seed=1))
        bulk_load(store, window.events())
        store.close()


def bulk_load(store: Any, events: Iterable[dict[str, Any]]) -> None:
    """Save `events` to their daily indices, `BATCH` per bulk request."""
    batch: list[dict[str, Any]] = []
    for event in events:
        batch.append({"_index": daily_index(event), "_source": event})
        if len(batch) == BATCH:
            _bulk(store, batch)
            batch = []
    if batch:
        _bulk(store, batch)


def _bulk(store: Any, actions: list[dict[str, Any]]) -> None:
    result = store.bulk(actions)
    if result["errors"]:
        raise RuntimeError(f"benchmark events refused: {result['items'][:3]}")


def check_run(url: str, alert_ids: list[str], published: list[str], truth: Truth) -> list[str]:
    """Every way the run's alerts, tags and messages differ from `truth` (empty: exact)."""
    store = open_store(url)
    problems = alert_problems(store, alert_ids, truth)
    problems += tag_problems(store, ALERT_NAME, truth)
    if sorted(published) != sorted(alert_ids):
        problems.append(f"published {len(published)} messages for {len(alert_ids)} alerts")
    store.close()
    return problems
