"""Run records: one document per scheduled alert run, kept in the store for operators.

Every run the celery worker starts leaves a record in the ``vigil-runs`` index: which
alert, which tick it ran for, when it started, how long it took, how many events it
matched, how many alerts it fired (and their ids), the error if it failed, and
``skipped: 'overlap'`` when it did not run because the previous run was still going.
`vigil runs` lists them newest first.

The store's bookkeeping indices (``vigil-runs``, ``vigil-locks``) are created on first
use with an explicit mapping by `ensure_index`, safely when several processes race.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from lib.errors import StoreError
from lib.store.base import EventStore

RUNS_INDEX = "vigil-runs"

RUNS_MAPPING: dict[str, Any] = {
    "properties": {
        "alert": {"type": "keyword"},
        "tick": {"type": "date"},
        "started": {"type": "date"},
        "finished": {"type": "date"},
        "duration_seconds": {"type": "float"},
        "events": {"type": "integer"},
        "alerts": {"type": "integer"},
        "alert_ids": {"type": "keyword"},
        "error": {"type": "text"},
        "skipped": {"type": "keyword"},
        "worker": {"type": "keyword"},
    }
}


def worker_name() -> str:
    """This process as ``host:pid``, the owner named in run records and locks."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class RunRecord:
    """What one run of one alert did."""

    alert: str
    started: datetime
    tick: datetime | None = None
    finished: datetime | None = None
    events: int = 0
    alerts: int = 0
    alert_ids: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None
    worker: str = field(default_factory=worker_name)

    @property
    def duration_seconds(self) -> float:
        """Seconds from start to finish (0 while unfinished)."""
        if self.finished is None:
            return 0.0
        return (self.finished - self.started).total_seconds()

    def to_document(self) -> dict[str, Any]:
        """The record as a store document (ISO 8601 timestamps)."""
        document = asdict(self)
        for key in ("started", "finished", "tick"):
            value = document[key]
            document[key] = value.isoformat() if value is not None else None
        document["duration_seconds"] = round(self.duration_seconds, 3)
        return document


def ensure_index(store: EventStore, index: str, mapping: dict[str, Any]) -> None:
    """Create `index` with `mapping` unless it exists (another process may win the race)."""
    if store.index_exists(index):
        return
    try:
        store.create_index(index, {"mappings": mapping})
    except StoreError:
        if not store.index_exists(index):
            raise


def save_run(store: EventStore, record: RunRecord) -> str:
    """Store `record` (visible to search at once) and return its id."""
    ensure_index(store, RUNS_INDEX, RUNS_MAPPING)
    run_id = uuid.uuid4().hex
    store.index(RUNS_INDEX, record.to_document(), id=run_id, refresh=True)
    return run_id


def list_runs(store: EventStore, size: int = 20, alert: str | None = None) -> list[dict[str, Any]]:
    """The latest `size` run records, newest first (optionally for one alert)."""
    query: dict[str, Any] = {"term": {"alert": alert}} if alert else {"match_all": {}}
    body = {"query": query, "size": size, "sort": [{"started": {"order": "desc"}}]}
    result = store.search(RUNS_INDEX, body, ignore_unavailable=True)
    return [hit["_source"] for hit in result["hits"]["hits"]]
