"""Run records: saved to the store, listed newest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lib.runs import RUNS_INDEX, RunRecord, ensure_index, list_runs, save_run
from lib.store import open_store

START = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def runs_store():
    return open_store(f"memory://runs-{uuid.uuid4().hex}")


def _record(alert: str, minutes: int, **fields) -> RunRecord:
    started = START + timedelta(minutes=minutes)
    return RunRecord(
        alert=alert, started=started, finished=started + timedelta(seconds=1.5), **fields
    )


def test_a_record_document_carries_what_the_run_did():
    record = _record("a.Alert", 0, tick=START, events=12, alert_ids=["x"], alerts=1)
    document = record.to_document()
    assert document | {"worker": "w"} == {
        "alert": "a.Alert",
        "tick": "2026-03-04T12:00:00+00:00",
        "started": "2026-03-04T12:00:00+00:00",
        "finished": "2026-03-04T12:00:01.500000+00:00",
        "duration_seconds": 1.5,
        "events": 12,
        "alerts": 1,
        "alert_ids": ["x"],
        "error": None,
        "skipped": None,
        "worker": "w",
    }


def test_the_worker_is_named_host_and_pid():
    assert RunRecord(alert="a.Alert", started=START).worker.rsplit(":", 1)[1].isdigit()


def test_runs_are_listed_newest_first(runs_store):
    for minutes in (1, 3, 2):
        save_run(runs_store, _record("a.Alert", minutes))
    listed = [run["started"] for run in list_runs(runs_store)]
    assert listed == [(START + timedelta(minutes=m)).isoformat() for m in (3, 2, 1)]


def test_runs_can_be_listed_for_one_alert_and_limited(runs_store):
    for minutes in range(5):
        save_run(runs_store, _record("a.Alert", minutes))
    save_run(runs_store, _record("b.Other", 9, error="StoreError: down"))
    assert [run["alert"] for run in list_runs(runs_store, alert="b.Other")] == ["b.Other"]
    assert list_runs(runs_store, alert="b.Other")[0]["error"] == "StoreError: down"
    assert len(list_runs(runs_store, size=3)) == 3


def test_no_runs_yet_is_an_empty_list(runs_store):
    assert list_runs(runs_store) == []


def test_ensure_index_is_idempotent(runs_store):
    ensure_index(runs_store, RUNS_INDEX, {"properties": {"alert": {"type": "keyword"}}})
    ensure_index(runs_store, RUNS_INDEX, {"properties": {"alert": {"type": "keyword"}}})
    assert runs_store.index_exists(RUNS_INDEX)
