"""Partial updates in the embedded store: rows rewritten in place or in full, in order.

An update that leaves `utctimestamp` and `receivedtimestamp` alone rewrites only the
stored source; one that changes them rewrites the row with its time columns, so
time-window searches (which read those columns) see the new time. Within one bulk,
later actions on a document win over earlier ones, whichever way each is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.store import open_store
from lib.store.base import EventStore

T0 = "2026-12-03T11:00:00+00:00"
T1 = "2026-12-03T11:30:00+00:00"


@pytest.fixture
def store(tmp_path: Path) -> EventStore:
    store = open_store(f"sqlite://{tmp_path / 'store.db'}")
    store.create_index("t", {"mappings": {"properties": {"utctimestamp": {"type": "date"}}}})
    for doc_id in "BCDEF":
        store.index("t", {"utctimestamp": T0, "n": 0}, id=doc_id)
    yield store
    store.close()


def update(doc_id: str, doc: dict) -> dict:
    return {"_op_type": "update", "_index": "t", "_id": doc_id, "doc": doc}


def source(store: EventStore, doc_id: str) -> dict:
    return store.get("t", doc_id)["_source"]


def in_window(store: EventStore, gte: str, lte: str) -> list[str]:
    body = {"query": {"range": {"utctimestamp": {"gte": gte, "lte": lte}}}, "size": 100}
    return sorted(hit["_id"] for hit in store.search("t", body)["hits"]["hits"])


def test_a_document_indexed_then_updated_in_one_bulk_keeps_the_update(store):
    result = store.bulk(
        [
            {"_op_type": "index", "_index": "t", "_id": "A", "_source": {"n": 1}},
            update("A", {"m": 2}),
        ]
    )
    assert not result["errors"]
    assert source(store, "A") == {"n": 1, "m": 2}


def test_an_index_after_an_update_in_one_bulk_replaces_the_document(store):
    replacement = {"utctimestamp": T1, "fresh": True}
    store.bulk(
        [
            update("B", {"m": 1}),
            {"_op_type": "index", "_index": "t", "_id": "B", "_source": replacement},
        ]
    )
    assert source(store, "B") == replacement
    assert in_window(store, T1, T1) == ["B"]


def test_two_updates_of_one_stored_document_in_one_bulk_both_apply(store):
    store.bulk([update("C", {"m": 1}), update("C", {"k": 2, "n": 5})])
    assert source(store, "C") == {"utctimestamp": T0, "n": 5, "m": 1, "k": 2}


def test_a_delete_after_an_update_in_one_bulk_deletes(store):
    result = store.bulk([update("D", {"m": 1}), {"_op_type": "delete", "_index": "t", "_id": "D"}])
    assert [next(iter(item.values()))["result"] for item in result["items"]] == [
        "updated",
        "deleted",
    ]
    assert "D" not in in_window(store, T0, T0)


def test_an_update_moving_the_timestamp_moves_the_document_in_time_searches(store):
    store.bulk([update("E", {"utctimestamp": T1})])
    assert "E" not in in_window(store, T0, T0)
    assert in_window(store, T1, T1) == ["E"]


def test_an_update_leaving_the_timestamps_keeps_the_document_in_its_window(store, tmp_path):
    store.bulk([update("F", {"alert_names": ["AlertX"]})])
    reopened = open_store(f"sqlite://{tmp_path / 'store.db'}")
    assert source(reopened, "F") == {"utctimestamp": T0, "n": 0, "alert_names": ["AlertX"]}
    assert "F" in in_window(reopened, T0, T0)
    reopened.close()
