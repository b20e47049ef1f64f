"""Storing a parsed request: normalize every event first, then write all of them or none.

- `/events` (`Intake.store_events`) is all or nothing: every event is normalized
  before anything is written; if any event is refused (by loginput or by the store),
  the request is rejected with every refused item named, and the events of that
  request the store had already accepted are deleted again in one bulk call.
- `/_bulk` (`Intake.store_bulk`) is all or nothing for what loginput checks (JSON,
  objects, depth, timestamps); what the store itself refuses is reported per item,
  as Elasticsearch's ``_bulk`` does (``errors: true``, one error per refused item,
  the others stored).

Concurrent requests of one process share store calls (`group_commit`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from lib.errors import DocumentError, StoreError
from lib.loginput.bodies import Parsed, Problem
from lib.loginput.group_commit import GroupCommit
from lib.normalize import normalize_event
from lib.store.base import Body, EventStore

log = logging.getLogger(__name__)

EVENTS_INDEX = "events"


class BatchRejected(DocumentError):
    """Some items of a request were refused; nothing of the request is stored."""

    def __init__(self, problems: list[Problem], total: int):
        self.problems = problems
        self.total = total
        noun = "event" if total == 1 else "events"
        super().__init__(
            f"{len(problems)} of {total} {noun} refused; nothing was stored",
            error_type="invalid_events",
        )


class Intake:
    """Normalizes and writes the events of one request to the `events` index."""

    def __init__(
        self, store: Callable[[], EventStore], clock: Callable[[], datetime] | None = None
    ):
        self._store = store
        self._writer = GroupCommit(store)
        self._clock = clock or (lambda: datetime.now(UTC))

    def store_events(self, parsed: Parsed) -> list[Body]:
        """Write every event of `parsed` or none; ``[{_index, _id}]`` in order."""
        events = self._normalized(parsed)
        result = self._writer.bulk([{"_index": EVENTS_INDEX, "_source": e} for e in events])
        items = [_body(item) for item in result["items"]]
        if result["errors"]:
            self._roll_back(items)
            raise BatchRejected(_store_problems(items), len(items))
        return [{"_index": item["_index"], "_id": item["_id"]} for item in items]

    def store_bulk(self, parsed: Parsed) -> Body:
        """Write the events of a bulk request; Elasticsearch's ``_bulk`` answer."""
        events = self._normalized(parsed)
        actions = [
            _action(op, doc_id, event)
            for (op, doc_id), event in zip(parsed.ops, events, strict=True)
        ]
        return self._writer.bulk(actions)

    def _normalized(self, parsed: Parsed) -> list[dict[str, Any]]:
        now = self._clock()
        problems = list(parsed.problems)
        refused = {problem.item for problem in problems}
        events = []
        for item, event in enumerate(parsed.events):
            if item in refused:
                continue
            try:
                events.append(normalize_event(event, now))
            except DocumentError as exc:
                problems.append(_problem(item, exc, parsed.lines[item]))
        if problems:
            raise BatchRejected(sorted(problems, key=lambda p: p.item), len(parsed.events))
        return events

    def _roll_back(self, items: list[Body]) -> None:
        written = [item for item in items if "error" not in item]
        if not written:
            return
        deletes = [
            {"_op_type": "delete", "_index": item["_index"], "_id": item["_id"]} for item in written
        ]
        result = self._store().bulk(deletes)
        if result["errors"]:
            ids = [item["_id"] for item in written]
            raise StoreError(f"a refused request could not be rolled back; stored ids {ids}")
        log.info("rolled back %d event(s) of a refused request", len(written))


def _action(op: str, doc_id: str | None, event: dict[str, Any]) -> Body:
    action: Body = {"_op_type": op, "_index": EVENTS_INDEX, "_source": event}
    if doc_id is not None:
        action["_id"] = doc_id
    return action


def _body(item: Body) -> Body:
    return next(iter(item.values()))


def _problem(item: int, exc: DocumentError, line: int | None) -> Problem:
    return Problem(item, "invalid_event", exc.reason, line=line, field=exc.field)


def _store_problems(items: list[Body]) -> list[Problem]:
    return [
        Problem(position, item["error"]["type"], item["error"]["reason"])
        for position, item in enumerate(items)
        if "error" in item
    ]
