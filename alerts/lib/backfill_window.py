"""What an alert can see at a tick: its indices, its window, and the events matched in it.

Live, an alert searches the rolling aliases (``events``, ``events-previous``), which
follow the newest daily index; replayed, it must see the day each old event was written
to, so `history_indices` swaps those aliases for ``events-*`` (the window still limits
the events to each tick's).
Backfill uses this to skip ticks that cannot change an alert's decision. An alert's
`SearchQuery` (kept as `main_query` after a run) gives its window and clauses; the
times of the events matching the clauses are read once into `EventTimes`, sorted, and
each tick's window is then answered by bisection, as the live query would select:
an event is in the window [tick - window, tick] when its `utctimestamp` OR its
`receivedtimestamp` is, both ends included. The candidates are a superset of what a
later run can match (events only ever gain "already alerted" tags), so an empty
candidate window is an empty window for the alert.

An alert that fires on no events (a deadman's) tags nothing, so only its saved
document tells a replay that a run at a tick already fired: `no_event_alert_ticks`
reads those ticks (the alert's `utctimestamp` is the frozen time of its run).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lib.alerttask import AlertTask
from lib.deadman_alerttask import DeadmanAlertTask
from lib.normalize import parse_timestamp
from lib.query_models import BooleanMatch, RangeMatch, TermMatch, to_dsl
from lib.query_models.search_query import WINDOW_FIELDS, SearchQuery
from lib.store.base import EventStore
from lib.store.layout import ALERTS, EVENTS, EVENTS_PREVIOUS, EVENTS_WEEKLY

ROLLING_ALIASES = (EVENTS, EVENTS_PREVIOUS, EVENTS_WEEKLY)
ALL_EVENTS = "events-*"

# (first, end) positions of the window in the utctimestamp and receivedtimestamp lists.
WindowKey = tuple[int, int, int, int]


def history_indices(indices: list[str]) -> list[str]:
    """`indices` with the rolling event aliases replaced by every daily index (``events-*``)."""
    widened = [ALL_EVENTS if index in ROLLING_ALIASES else index for index in indices]
    return list(dict.fromkeys(widened))


def alert_window(task: Any) -> timedelta | None:
    """The time window of the alert's last query, or None if it has none."""
    query = getattr(task, "main_query", None)
    if not isinstance(query, SearchQuery) or not query.date_timedelta:
        return None
    return timedelta(**query.date_timedelta)


def candidate_query(query: SearchQuery | None, begin: datetime, end: datetime) -> dict[str, Any]:
    """DSL for the events `query`'s clauses match with a time in [begin, end] (any clauses)."""
    ranges = [RangeMatch(name, begin, end) for name in WINDOW_FIELDS]
    clauses = [BooleanMatch(should=ranges)]
    if query is not None and (query.must or query.must_not or query.should):
        clauses.append(BooleanMatch(query.must, query.must_not, query.should))
    return to_dsl(BooleanMatch(must=clauses))


@dataclass(frozen=True)
class EventTimes:
    """Sorted epoch seconds of the candidate events' two window fields."""

    utc: list[float]
    received: list[float]

    @classmethod
    def from_hits(cls, hits: Iterable[dict[str, Any]]) -> EventTimes:
        """Read both window fields of every hit (a missing one is left out)."""
        utc: list[float] = []
        received: list[float] = []
        for hit in hits:
            source = hit["_source"]
            for name, times in (("utctimestamp", utc), ("receivedtimestamp", received)):
                if source.get(name):
                    times.append(parse_timestamp(source[name], name).timestamp())
        return cls(sorted(utc), sorted(received))

    def key(self, tick: datetime, window: timedelta) -> WindowKey:
        """Identifies the set of candidate events in the window at `tick`."""
        begin, end = (tick - window).timestamp(), tick.timestamp()
        first_utc, end_utc = bisect_left(self.utc, begin), bisect_right(self.utc, end)
        first_rec = bisect_left(self.received, begin)
        end_rec = bisect_right(self.received, end)
        return first_utc, end_utc, first_rec, end_rec


def is_empty(key: WindowKey) -> bool:
    """True when the window `key` identifies holds no candidate event."""
    return key[0] == key[1] and key[2] == key[3]


def can_fire(task: Any) -> tuple[bool, bool]:
    """Whether `task` can fire on an empty window, and on a non-empty one.

    Only an alert with its own `onNoEvent` fires on nothing. A `DeadmanAlertTask` that
    keeps the stock `onEvent` / `onAggregation` fires on nothing else.
    """
    cls = type(task)
    on_empty = cls.onNoEvent is not AlertTask.onNoEvent
    own_walk = (
        cls.onEvent is not AlertTask.onEvent or cls.onAggregation is not AlertTask.onAggregation
    )
    on_events = own_walk or not isinstance(task, DeadmanAlertTask)
    return on_empty, on_events


def no_event_alert_ticks(
    store: EventStore, classname: str, begin: datetime, end: datetime
) -> set[datetime]:
    """The times in [begin, end] of the saved alerts named `classname` that reference no event."""
    query = BooleanMatch(
        must=[TermMatch("classname", classname), RangeMatch("utctimestamp", begin, end)]
    )
    hits = store.scan(ALERTS, {"query": to_dsl(query)}, ignore_unavailable=True)
    return {
        parse_timestamp(hit["_source"]["utctimestamp"], "utctimestamp")
        for hit in hits
        if not hit["_source"].get("events")
    }
