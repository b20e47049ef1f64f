"""Backfill: replay alerts over history, as the scheduler would have run them.

`backfill()` runs each alert (``module.Class``) at every tick of its schedule (its
``ALERTS`` entry, or `every`) between `start` and `end`, with the clock frozen at the
tick, so windows, thresholds and "already alerted" tagging behave as they do live:
an alert that fires saves, tags its events and publishes, and a later tick (or a
second backfill) does not fire again for the same events. Ticks of all alerts run in
time order, alerts in the given order within a tick. Each alert searches every daily
events index (``events-*`` in place of the rolling aliases, `history_indices`), since
the aliases follow the newest day and old events live in older daily indices.

Replaying is idempotent: a `DeadmanAlertTask` fires on no events, so it has nothing
to tag, and live it fires again on every run while its source is silent. Before the
replay, the ticks at which the source store already holds such an alert (saved by an
earlier backfill: one search per deadman alert over [start, end]) are read, and the
alert is not run again at them; a dry run reads them too, so it still shows what a
real backfill would do.

Dry run: the alerts run against a scratch in-memory store loaded (one scan) with the
source store's events from [start - longest window, end], and publish to a throwaway
embedded broker; the source store and the real broker are never written. Without
`publish`, a real backfill saves and tags but publishes to the throwaway broker too.

Speed: each alert is first run once on an empty scratch store at `start` (a probe)
to learn its window and query clauses; the times of the events matching those clauses
are read once (`lib.backfill_window`). A tick is skipped only when its run cannot
fire: its window holds exactly the same candidate events as the alert's last run, and
that run fired nothing; or the window is empty and the alert has no `onNoEvent`; or
the window is not empty and the alert is a `DeadmanAlertTask` that fires on nothing
else. This rests on one assumption: an alert decides from the events in its window
(true of MozDef-style alerts); `exact` runs every tick for alerts that search beyond it.
"""

from __future__ import annotations

import heapq
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from freezegun import freeze_time

from lib import alerttask
from lib.backfill_window import (
    ROLLING_ALIASES,
    EventTimes,
    WindowKey,
    alert_window,
    can_fire,
    candidate_query,
    history_indices,
    is_empty,
    no_event_alert_ticks,
)
from lib.celery_app import alerts_setting, load_alert
from lib.deadman_alerttask import DeadmanAlertTask
from lib.errors import AlertError, ConfigError
from lib.store import open_store
from lib.store.base import EventStore
from lib.ticks import ticks

SCAN_BATCH = 1000
Progress = Callable[[int], Any]


@dataclass
class BackfillOptions:
    """The replay: time range, tick override, and what may be written."""

    start: datetime
    end: datetime
    every: timedelta | None = None
    dry_run: bool = False
    publish: bool = True
    exact: bool = False


@dataclass(frozen=True)
class FiredAlert:
    """One alert a replayed run saved."""

    tick: datetime
    alert: str
    summary: str
    id: str
    index: str

    def to_dict(self) -> dict[str, str]:
        """The alert as `vigil backfill --json` lists it."""
        return {
            "tick": self.tick.isoformat(),
            "alert": self.alert,
            "summary": self.summary,
            "_id": self.id,
            "_index": self.index,
        }


@dataclass
class BackfillResult:
    """What a backfill did: alerts fired, runs made, ticks skipped, time taken.

    `fired_before` counts the ticks not run because an earlier backfill saved the
    no-event alert of that tick.
    """

    fired: list[FiredAlert] = field(default_factory=list)
    ticks: int = 0
    runs: int = 0
    skipped: int = 0
    fired_before: int = 0
    seconds: float = 0.0

    def render(self) -> str:
        """The table of alerts fired, then the totals."""
        rows = [f"{'tick':<25}  {'alert':<45}  summary"]
        rows += [f"{f.tick.isoformat():<25}  {f.alert:<45}  {f.summary}" for f in self.fired]
        before = f", {self.fired_before:,} fired before" if self.fired_before else ""
        rows.append(
            f"{len(self.fired)} alert(s) fired; {self.ticks:,} ticks: {self.runs:,} run, "
            f"{self.skipped:,} skipped (nothing new in the window){before}; "
            f"{self.seconds:.1f} s"
        )
        return "\n".join(rows)

    def to_dict(self) -> dict[str, Any]:
        """The alerts fired and the totals, for `vigil backfill --json`."""
        return {
            "fired": [fired.to_dict() for fired in self.fired],
            "alerts": len(self.fired),
            "ticks": self.ticks,
            "runs": self.runs,
            "skipped": self.skipped,
            "fired_before": self.fired_before,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Replayed:
    """One alert under replay, and what the tick skipping knows of it."""

    name: str
    task: alerttask.AlertTask
    schedule: Any
    args: list
    kwargs: dict
    window: timedelta | None = None
    times: EventTimes | None = None
    fires_on_empty: bool = True
    fires_on_events: bool = True
    last_key: WindowKey | None = None
    last_fired: bool = True
    fired_before: set[datetime] = field(default_factory=set)

    def should_skip(self, tick: datetime) -> bool:
        """True when a run at `tick` cannot fire (see the module docstring)."""
        if self.times is None or self.window is None:
            return False
        key = self.times.key(tick, self.window)
        can_fire = self.fires_on_empty if is_empty(key) else self.fires_on_events
        if not can_fire or (key == self.last_key and not self.last_fired):
            return True
        self.last_key = key
        return False


def backfill(
    store_url: str,
    names: list[str],
    options: BackfillOptions,
    progress: Progress | None = None,
) -> BackfillResult:
    """Replay the alerts `names` over [start, end] against the store at `store_url`."""
    if options.end < options.start:
        raise ConfigError("backfill: --to is before --from")
    began = time.perf_counter()
    replayed = [_replayed(name, options.every) for name in names]
    with _throwaway_broker() as scratch_broker:
        broker = scratch_broker if options.dry_run or not options.publish else None
        windows = _probe(replayed, options.start, scratch_broker)
        _learn_fired_before(store_url, replayed, options)
        target = (
            _scratch_copy(store_url, replayed, options, windows) if options.dry_run else store_url
        )
        try:
            result = _replay(target, replayed, options, broker, progress)
        finally:
            if options.dry_run:
                _drop(open_store(target))
    result.seconds = time.perf_counter() - began
    return result


def alert_names(names: list[str] | tuple[str, ...]) -> list[str]:
    """`names`, or every alert of ALERTS when none are given."""
    return list(names) if names else list(alerts_setting())


def _replayed(name: str, every: timedelta | None) -> _Replayed:
    entry = alerts_setting().get(name, {})
    schedule = every or entry.get("schedule")
    if schedule is None:
        raise ConfigError(f"backfill: {name} has no schedule in ALERTS; give --every")
    task = load_alert(name)()
    task.event_indices = history_indices(task.event_indices)
    return _Replayed(name, task, schedule, list(entry.get("args", [])), entry.get("kwargs", {}))


@contextmanager
def _throwaway_broker() -> Iterator[dict]:
    with tempfile.TemporaryDirectory(prefix="vigil-backfill-broker-") as folder:
        yield {**alerttask.RABBITMQ, "url": "", "data_folder": folder}


@contextmanager
def _alert_settings(store_url: str, rabbitmq: dict | None) -> Iterator[None]:
    saved = alerttask.ES, alerttask.RABBITMQ
    alerttask.ES = {"servers": [store_url]}
    if rabbitmq is not None:
        alerttask.RABBITMQ = rabbitmq
    try:
        yield
    finally:
        alerttask.ES, alerttask.RABBITMQ = saved


def _probe(replayed: list[_Replayed], start: datetime, broker: dict) -> dict[str, timedelta]:
    """Run each alert once on an empty store to learn its window; {name: window}."""
    probe_url = f"memory://backfill-probe-{uuid.uuid4().hex}"
    windows = {}
    try:
        with _alert_settings(probe_url, broker), freeze_time(start, tz_offset=0):
            for item in replayed:
                _run(item, start)
                item.window = alert_window(item.task)
                if item.window is not None:
                    windows[item.name] = item.window
    finally:
        _drop(open_store(probe_url))
    return windows


def _scratch_copy(
    store_url: str, replayed: list[_Replayed], options: BackfillOptions, windows: dict
) -> str:
    """A memory store holding the source's events the replay can see; its URL."""
    lookback = max(windows.values(), default=timedelta(0))
    indices = sorted({index for item in replayed for index in item.task.event_indices})
    source, scratch_url = open_store(store_url), f"memory://backfill-{uuid.uuid4().hex}"
    scratch = open_store(scratch_url)
    body = {"query": candidate_query(None, options.start - lookback, options.end)}
    batch: dict[tuple[str, str], dict] = {}
    for hit in source.scan(indices, body, ignore_unavailable=True):
        batch[(hit["_index"], hit["_id"])] = hit["_source"]
    actions = [{"_index": i, "_id": d, "_source": s} for (i, d), s in batch.items()]
    for offset in range(0, len(actions), SCAN_BATCH):
        scratch.bulk(actions[offset : offset + SCAN_BATCH])
    scratch.refresh()
    source.close()
    return scratch_url


def _replay(
    store_url: str,
    replayed: list[_Replayed],
    options: BackfillOptions,
    broker: dict | None,
    progress: Progress | None,
) -> BackfillResult:
    store, result = open_store(store_url), BackfillResult()
    if not options.exact:
        _learn_event_times(store, replayed, options)
    schedule = heapq.merge(
        *(_ticks_of(order, item, options) for order, item in enumerate(replayed))
    )
    freezer = freeze_time(options.start, tz_offset=0, ignore=["tqdm"])
    frozen = freezer.start()
    try:
        with _alert_settings(store_url, broker):
            for tick, order in schedule:
                result.ticks += 1
                if progress:
                    progress(1)
                item = replayed[order]
                if item.should_skip(tick):
                    result.skipped += 1
                    continue
                if tick in item.fired_before:
                    item.last_fired = True  # as the earlier replay's run at this tick did
                    result.fired_before += 1
                    continue
                frozen.move_to(tick)
                fired = _run(item, tick)
                item.last_fired = bool(fired)
                result.runs += 1
                result.fired.extend(_fired(store, item.name, tick, fired))
    finally:
        freezer.stop()
    return result


def _ticks_of(
    order: int, item: _Replayed, options: BackfillOptions
) -> Iterator[tuple[datetime, int]]:
    for tick in ticks(item.schedule, options.start, options.end):
        yield tick, order


def _learn_event_times(
    store: EventStore, replayed: list[_Replayed], options: BackfillOptions
) -> None:
    for item in replayed:
        if item.window is None:
            continue
        query = candidate_query(item.task.main_query, options.start - item.window, options.end)
        hits = store.scan(item.task.event_indices, {"query": query}, ignore_unavailable=True)
        item.times = EventTimes.from_hits(hits)
        item.fires_on_empty, item.fires_on_events = can_fire(item.task)


def _learn_fired_before(
    store_url: str, replayed: list[_Replayed], options: BackfillOptions
) -> None:
    """Read the ticks at which the store already holds each deadman alert's no-event alert."""
    deadmen = [item for item in replayed if isinstance(item.task, DeadmanAlertTask)]
    if not deadmen:
        return
    store = open_store(store_url)
    try:
        for item in deadmen:
            classname = item.task.determine_alert_classname()
            item.fired_before = no_event_alert_ticks(store, classname, options.start, options.end)
    finally:
        store.close()


def _run(item: _Replayed, tick: datetime) -> list[str]:
    try:
        item.task.run(*item.args, **item.kwargs)
    except Exception as exc:  # the replay boundary: name the alert and the tick
        raise AlertError(f"{item.name} failed at tick {tick.isoformat()}: {exc}") from exc
    finally:
        item.task.close_connections()
    if set(item.task.event_indices) & set(ROLLING_ALIASES):
        raise AlertError(
            f"{item.name} set event_indices to {item.task.event_indices} during its run; "
            "backfill replaces the rolling aliases with 'events-*' before the run, so set "
            "event_indices in __init__"
        )
    return list(item.task.alert_ids)


def _fired(store: EventStore, name: str, tick: datetime, ids: list[str]) -> list[FiredAlert]:
    fired = []
    for alert_id in ids:
        index = f"alerts-{tick:%Y%m}"
        found = store.get(index, alert_id)
        summary = found["_source"].get("summary", "") if found.get("found") else "(not found)"
        fired.append(FiredAlert(tick, name, summary, alert_id, found.get("_index", index)))
    return fired


def _drop(store: EventStore) -> None:
    for index in store.list_indices():
        store.delete_index(index)
    store.close()
