"""Contract: the stored script that tags an event with an alert (`scripts.TAG_ALERT`).

Rules (Elasticsearch reference, "Update API" and "Bulk API": an update may run a script,
given inline or by the id of a stored script ("Create or update stored script API",
``PUT _scripts/<id>``), with ``params``; it reads the document as it is when it runs; a
missing document is "document_missing_exception" unless an ``upsert`` is given):
the script adds the alert's name to ``alert_names`` once and appends the references to
``alerts``, starting missing fields and turning a single value into a list. The
Elasticsearch backend stores the script before the first bulk that names it.
"""

from __future__ import annotations

import pytest

from lib.store.scripts import RETRY_ON_CONFLICT, TAG_ALERT, tag_alert

REF_1 = {"index": "alerts-202612", "id": "a1"}
REF_2 = {"index": "alerts-202612", "id": "a2"}


@pytest.fixture
def events(indexed) -> str:
    return indexed(
        {"properties": {"alert_names": {"type": "keyword"}}},
        {
            "fresh": {"summary": "never tagged"},
            "tagged": {"alert_names": ["AlertOther"], "alerts": [REF_1]},
            "single": {"alert_names": "AlertOther", "alerts": REF_1},
        },
    )


def tag(store, index: str, doc_id: str, name: str, refs: list[dict]) -> dict:
    action = {"_op_type": "update", "_index": index, "_id": doc_id, **tag_alert(name, refs)}
    action["retry_on_conflict"] = RETRY_ON_CONFLICT
    result = store.bulk([action], refresh=True)
    return next(iter(result["items"][0].values()))


def test_tag_alert_starts_missing_fields(store, events):
    """Update API, scripted update by stored script id: fields the script sets are added."""
    assert "error" not in tag(store, events, "fresh", "AlertX", [REF_2])
    source = store.get(events, "fresh")["_source"]
    assert source == {"summary": "never tagged", "alert_names": ["AlertX"], "alerts": [REF_2]}


def test_tag_alert_keeps_what_others_tagged_and_adds_a_name_once(store, events):
    """Update API: the script reads the document as stored when the update runs."""
    tag(store, events, "tagged", "AlertX", [REF_2])
    tag(store, events, "tagged", "AlertX", [REF_2 | {"id": "a3"}])
    source = store.get(events, "tagged")["_source"]
    assert source["alert_names"] == ["AlertOther", "AlertX"]
    assert source["alerts"] == [REF_1, REF_2, REF_2 | {"id": "a3"}]


def test_tag_alert_turns_a_single_value_into_a_list(store, events):
    tag(store, events, "single", "AlertX", [REF_2])
    source = store.get(events, "single")["_source"]
    assert (source["alert_names"], source["alerts"]) == (["AlertOther", "AlertX"], [REF_1, REF_2])


def test_tagged_events_are_found_by_the_alert_name(store, events, search_ids):
    """The tag is searchable as any keyword value (term query, "Term query" page)."""
    tag(store, events, "fresh", "AlertX", [REF_2])
    assert search_ids(events, {"term": {"alert_names": "AlertX"}}) == {"fresh"}
    assert search_ids(events, {"term": {"alert_names": "AlertY"}}) == set()


def test_tag_alert_on_a_missing_document_is_document_missing(store, events):
    """Update API: "If the document does not exist ... document_missing_exception"."""
    item = tag(store, events, "nope", "AlertX", [REF_2])
    assert item["error"]["type"] == "document_missing_exception"


def test_an_unknown_stored_script_is_refused_per_item(store, events):
    """Update API: a script that cannot be found or run fails that item only."""
    unknown = {"_op_type": "update", "_index": events, "_id": "fresh"}
    unknown["script"] = {"id": f"{TAG_ALERT}-nonexistent", "params": {}}
    good = {"_op_type": "update", "_index": events, "_id": "tagged", **tag_alert("AlertX", [])}
    result = store.bulk([unknown, good], refresh=True)
    first, second = (next(iter(item.values())) for item in result["items"])
    assert "error" in first and "error" not in second
    assert store.get(events, "fresh")["_source"] == {"summary": "never tagged"}
