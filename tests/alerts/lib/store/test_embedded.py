"""The embedded store's storage side: URLs, layout, writes, bad input, search shapes,
persistence, several processes, durability.

Query semantics (what each query matches) live in the contract suite; here the
queries are the simplest that exercise storage.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest
from freezegun import freeze_time

from lib.errors import (
    ConfigError,
    DocumentError,
    IndexNotFoundError,
    QueryError,
    StoreError,
    UnsupportedQueryError,
)
from lib.store import open_store
from lib.store.documents import MAX_DOCUMENT_BYTES, index_setting, new_id
from lib.store.embedded import EmbeddedStore, open_embedded
from lib.store.mapping import DEFAULT_TEMPLATE


@pytest.fixture
def store() -> EmbeddedStore:
    return open_embedded(f"memory://{uuid.uuid4().hex}")


@pytest.fixture
def disk_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "store.db"


def ids(response: dict) -> list[str]:
    return [hit["_id"] for hit in response["hits"]["hits"]]


def run_python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[4] / "alerts",
    )


# -- URLs and the memory registry -------------------------------------------------------


def test_same_memory_name_is_the_same_store():
    name = f"memory://{uuid.uuid4().hex}"
    assert open_store(name) is open_store(name)
    assert open_store(name) is not open_store(f"{name}-other")


def test_memory_registry_is_thread_safe():
    name = f"memory://{uuid.uuid4().hex}"
    found: list[EmbeddedStore] = []
    threads = [
        threading.Thread(target=lambda: found.append(open_embedded(name))) for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(store) for store in found}) == 1


def test_memory_store_data_is_shared_by_name():
    name = f"memory://{uuid.uuid4().hex}"
    open_store(name).index("things", {"a": "b"}, id="1")
    assert open_store(name).get("things", "1")["_source"] == {"a": "b"}


def test_disk_store_creates_parent_directories_on_first_use_not_in_constructor(disk_path):
    store = open_store(str(disk_path))
    assert not disk_path.parent.exists()
    store.index("things", {"a": 1}, id="1")
    assert disk_path.exists()


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("under-a-file", id="parent-is-a-regular-file"),
        pytest.param("a-directory", id="database-path-is-a-directory"),
    ],
)
def test_a_store_that_cannot_be_opened_is_a_store_error_naming_the_path(tmp_path, where):
    blocker = tmp_path / "blocker"
    if where == "under-a-file":
        blocker.write_text("not a directory")
        path = blocker / "sub" / "store.db"
    else:
        blocker.mkdir()
        path = blocker
    store = open_embedded(str(path))
    with pytest.raises(StoreError, match=re.escape(f"[{path}]")) as caught:
        store.list_indices()
    assert isinstance(caught.value.__cause__, OSError | sqlite3.Error)


def test_sqlite_url_opens_a_disk_store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    store.index("things", {"a": 1}, id="1")
    assert (tmp_path / "s.db").exists()


@pytest.mark.parametrize("url", ["ftp://host/x", "sqlite://relative.db"])
def test_unknown_store_urls_are_config_errors(url):
    with pytest.raises(ConfigError, match="store URL"):
        open_store(url)


# -- layout -------------------------------------------------------------------------------


@freeze_time("2024-05-06 12:00:00")
def test_first_write_to_events_creates_the_daily_index_with_the_default_template(store):
    response = store.index("events", {"summary": "hi", "details": {"sourceipaddress": "1.2.3.4"}})
    assert response["_index"] == "events-20240506" and response["result"] == "created"
    mappings = store.get_mapping("events")["events-20240506"]["mappings"]
    assert mappings["properties"]["details"]["properties"]["sourceipaddress"]["type"] == "ip"
    assert store.get_aliases() == {
        "events": ["events-20240506"],
        "events-weekly": ["events-20240506"],
    }


def test_first_write_to_another_name_creates_it_with_dynamic_defaults(store):
    """A first write outside the template's patterns (events-*, alerts-*) gets Elasticsearch's
    dynamic defaults: strings text + .keyword, date detection.

    Index templates ("applied to any index name that matches" index_patterns),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/index-templates.html;
    Dynamic field mapping,
    https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-field-mapping.html
    """
    store.index("auto-made", {"category": "syslog", "when": "2024-01-01T00:00:00Z"})
    properties = store.get_mapping("auto-made")["auto-made"]["mappings"]["properties"]
    assert properties["category"] == {
        "type": "text",
        "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
    }
    assert properties["when"]["type"] == "date"
    assert "events" not in store.get_aliases()


def test_first_write_to_any_name_matching_the_patterns_gets_the_default_template(store):
    """The template's index pattern events-* covers any such name, not only daily indices."""
    store.index("events-archive", {"category": "syslog"})
    properties = store.get_mapping("events-archive")["events-archive"]["mappings"]["properties"]
    assert properties["category"]["type"] == "keyword"


def test_daily_rollover_moves_the_aliases(store):
    with freeze_time("2024-05-06 23:59:59"):
        store.index("events", {"n": 1})
    with freeze_time("2024-05-07 00:00:01"):
        store.index("events", {"n": 2})
        store.index("alerts", {"n": 3})
    aliases = store.get_aliases()
    assert aliases["events"] == ["events-20240507"]
    assert aliases["events-previous"] == ["events-20240506"]
    assert aliases["events-weekly"] == ["events-20240506", "events-20240507"]
    assert aliases["alerts"] == ["alerts-202405"]


def test_a_frozen_clock_writing_an_old_day_does_not_move_the_events_alias(store):
    with freeze_time("2024-05-07"):
        store.index("events", {"n": 1})
    with freeze_time("2024-05-01"):
        store.index("events", {"n": 2})
    aliases = store.get_aliases()
    assert aliases["events"] == ["events-20240507"]
    assert aliases["events-weekly"] == ["events-20240501", "events-20240507"]


def test_explicitly_created_index_keeps_its_body_and_empty_mapping_is_dynamic(store):
    store.create_index("plain", {"mappings": {}})
    store.index("plain", {"name": "Alice Smith", "when": "2024-01-01T00:00:00Z"})
    properties = store.get_mapping("plain")["plain"]["mappings"]["properties"]
    assert properties["name"]["type"] == "text"
    assert properties["name"]["fields"]["keyword"]["type"] == "keyword"
    assert properties["when"]["type"] == "date"


def test_create_index_accepts_mozdef_doc_type_level(store):
    store.create_index("typed", {"mappings": {"_doc": {"properties": {"ip": {"type": "ip"}}}}})
    assert store.get_mapping("typed")["typed"]["mappings"]["properties"]["ip"] == {"type": "ip"}


def test_create_existing_index_is_refused(store):
    store.create_index("once")
    with pytest.raises(StoreError, match="resource_already_exists_exception"):
        store.create_index("once")


def test_aliases_put_delete_and_search_through(store):
    store.index("one", {"n": 1}, id="a")
    store.index("two", {"n": 2}, id="b")
    store.put_alias(["one", "two"], "both")
    assert store.get_aliases()["both"] == ["one", "two"]
    assert sorted(ids(store.search("both"))) == ["a", "b"]
    store.delete_alias("one", "both")
    assert ids(store.search("both")) == ["b"]
    with pytest.raises(IndexNotFoundError, match="aliases_not_found_exception"):
        store.delete_alias("one", "both")


def test_delete_index_removes_documents_and_aliases(store):
    store.index("gone", {"n": 1})
    store.put_alias("gone", "alias-of-gone")
    store.delete_index("gone")
    assert store.list_indices() == [] and store.get_aliases() == {}
    with pytest.raises(
        IndexNotFoundError, match=r"index_not_found_exception: no such index \[gone\]"
    ):
        store.delete_index("gone")


# -- writes ------------------------------------------------------------------------------


def test_index_with_id_replaces_and_reports_updated(store):
    assert store.index("things", {"v": 1}, id="x")["result"] == "created"
    assert store.index("things", {"v": 2}, id="x")["result"] == "updated"
    assert store.get("things", "x")["_source"] == {"v": 2}
    assert store.search("things", {"track_total_hits": True})["hits"]["total"]["value"] == 1


def test_get_missing_document_and_missing_index(store):
    store.index("things", {"v": 1}, id="x")
    assert store.get("things", "nope") == {"_index": "things", "_id": "nope", "found": False}
    with pytest.raises(IndexNotFoundError, match="index_not_found_exception"):
        store.get("missing", "x")


def test_bulk_update_merges_objects_and_replaces_lists(store):
    store.index("things", {"a": {"b": 1, "c": 2}, "tags": ["x", "y"]}, id="1")
    response = store.bulk(
        [
            {
                "_op_type": "update",
                "_index": "things",
                "_id": "1",
                "doc": {"a": {"c": 3, "d": 4}, "tags": ["z"]},
            }
        ]
    )
    assert response["errors"] is False
    assert response["items"][0]["update"]["result"] == "updated"
    assert store.get("things", "1")["_source"] == {"a": {"b": 1, "c": 3, "d": 4}, "tags": ["z"]}


def test_bulk_update_of_missing_document_is_a_per_item_error(store):
    store.index("things", {"a": 1}, id="1")
    response = store.bulk(
        [
            {"_op_type": "update", "_index": "things", "_id": "404", "doc": {"a": 2}},
            {"_op_type": "update", "_index": "things", "_id": "1", "doc": {"a": 3}},
        ]
    )
    missing, found = (item["update"] for item in response["items"])
    assert response["errors"] is True
    assert missing["status"] == 404 and missing["error"]["type"] == "document_missing_exception"
    assert found["result"] == "updated"


def test_update_that_breaks_the_mapping_is_refused_and_leaves_the_document(store):
    store.create_index("typed", {"mappings": {"properties": {"ip": {"type": "ip"}}}})
    store.index("typed", {"ip": "10.0.0.1"}, id="1")
    response = store.bulk(
        [{"_op_type": "update", "_index": "typed", "_id": "1", "doc": {"ip": "not-an-ip"}}]
    )
    assert response["items"][0]["update"]["status"] == 400
    assert store.get("typed", "1")["_source"] == {"ip": "10.0.0.1"}


def test_update_without_change_is_a_noop(store):
    store.index("things", {"a": 1}, id="1")
    response = store.bulk([{"_op_type": "update", "_index": "things", "_id": "1", "doc": {"a": 1}}])
    assert response["items"][0]["update"]["result"] == "noop"


def test_update_sees_a_document_indexed_earlier_in_the_same_bulk(store):
    response = store.bulk(
        [
            {"_index": "things", "_id": "1", "_source": {"a": 1}},
            {"_op_type": "update", "_index": "things", "_id": "1", "doc": {"b": 2}},
        ]
    )
    assert response["errors"] is False
    assert store.get("things", "1")["_source"] == {"a": 1, "b": 2}


def test_two_updates_of_one_document_in_a_bulk_both_apply(store):
    store.index("things", {"a": 1}, id="1")
    response = store.bulk(
        [
            {"_op_type": "update", "_index": "things", "_id": "1", "doc": {"b": 2}},
            {"_op_type": "update", "_index": "things", "_id": "1", "doc": {"c": 3}},
        ]
    )
    assert response["errors"] is False
    assert store.get("things", "1")["_source"] == {"a": 1, "b": 2, "c": 3}


def test_update_after_a_delete_in_the_same_bulk_finds_no_document(store):
    store.index("things", {"a": 1}, id="1")
    response = store.bulk(
        [
            {"_op_type": "delete", "_index": "things", "_id": "1"},
            {"_op_type": "update", "_index": "things", "_id": "1", "doc": {"b": 2}},
        ]
    )
    deleted, missing = (next(iter(item.values())) for item in response["items"])
    assert deleted["result"] == "deleted"
    assert missing["status"] == 404 and missing["error"]["type"] == "document_missing_exception"
    assert store.get("things", "1")["found"] is False


def test_update_putting_a_value_where_an_object_is_mapped_is_refused(store):
    store.index("things", {"a": {"b": 1}}, id="1")
    response = store.bulk([{"_op_type": "update", "_index": "things", "_id": "1", "doc": {"a": 5}}])
    item = response["items"][0]["update"]
    assert item["status"] == 400 and "[a]" in item["error"]["reason"]
    assert store.get("things", "1")["_source"] == {"a": {"b": 1}}


def test_updates_of_more_documents_than_one_read_ahead_query_holds(store):
    from lib.store.writer import IDS_PER_QUERY

    count = IDS_PER_QUERY * 2 + 1
    store.bulk([{"_index": "things", "_id": str(i), "_source": {"n": i}} for i in range(count)])
    response = store.bulk(
        [
            {"_op_type": "update", "_index": "things", "_id": str(i), "doc": {"seen": True}}
            for i in range(count)
        ]
    )
    assert response["errors"] is False
    assert [store.get("things", str(i))["_source"] for i in (0, count - 1)] == [
        {"n": 0, "seen": True},
        {"n": count - 1, "seen": True},
    ]


def test_create_conflict_and_delete_results(store):
    response = store.bulk(
        [
            {"_op_type": "create", "_index": "things", "_id": "1", "_source": {"a": 1}},
            {"_op_type": "create", "_index": "things", "_id": "1", "_source": {"a": 2}},
            {"_op_type": "delete", "_index": "things", "_id": "1"},
            {"_op_type": "delete", "_index": "things", "_id": "1"},
        ]
    )
    created, conflict, deleted, not_found = (
        next(iter(item.values())) for item in response["items"]
    )
    assert created["status"] == 201
    assert (
        conflict["status"] == 409
        and conflict["error"]["type"] == "version_conflict_engine_exception"
    )
    assert deleted["result"] == "deleted"
    assert (
        not_found["result"] == "not_found"
        and not_found["status"] == 404
        and "error" not in not_found
    )


def test_helpers_style_actions_without_source_key(store):
    response = store.bulk([{"_index": "things", "_id": "1", "a": 1, "b": {"c": 2}}])
    assert response["errors"] is False
    assert store.get("things", "1")["_source"] == {"a": 1, "b": {"c": 2}}


# -- bad input ----------------------------------------------------------------------------


def deep(levels: int) -> dict:
    document: dict = {"leaf": 1}
    for level in range(levels):
        document = {f"o{level}": document}
    return document


BAD_DOCUMENTS = {
    "not an object (list)": ([1, 2], "document_parsing_exception", None),
    "not an object (string)": ("text", "document_parsing_exception", None),
    "malformed ip": (
        {"details": {"sourceipaddress": "999.1.1.1"}},
        None,
        "details.sourceipaddress",
    ),
    "malformed date": ({"utctimestamp": "yesterday-ish"}, None, "utctimestamp"),
    "not JSON serializable": ({"a": {1, 2}}, "document_parsing_exception", None),
    "object nesting deeper than index.mapping.depth.limit (20)": (
        deep(20),
        "illegal_argument_exception",
        None,
    ),
}


@pytest.mark.parametrize(
    "document,error_type,field", BAD_DOCUMENTS.values(), ids=list(BAD_DOCUMENTS)
)
def test_bad_document_in_the_middle_of_a_bulk_gets_its_own_error(
    store, document, error_type, field
):
    """Malformed values reject the document (ES default ignore_malformed: false, see the
    "ignore_malformed" mapping parameter page); depth limit per "Mapping limit settings"."""
    response = store.bulk(
        [
            {"_index": "events", "_id": "before", "_source": {"n": 1}},
            {"_index": "events", "_id": "bad", "_source": document},
            {"_index": "events", "_id": "after", "_source": {"n": 2}},
        ]
    )
    before, bad, after = (item["index"] for item in response["items"])
    assert response["errors"] is True
    assert before["result"] == after["result"] == "created"
    assert bad["status"] == 400 and bad["error"]["reason"]
    if error_type:
        assert bad["error"]["type"] == error_type
    if field:
        assert field in bad["error"]["reason"]
    assert store.get("events", "bad")["found"] is False
    assert store.get("events", "after")["found"] is True


def test_nineteen_nested_objects_fit_the_depth_limit(store):
    """ "Mapping limit settings": root fields are depth 1, each inner object adds one; 20."""
    store.index("things", deep(19), id="ok")
    with pytest.raises(DocumentError, match=r"Limit of mapping depth \[20\]"):
        store.index("things", deep(20), id="too-deep")


def test_oversized_document_is_refused(store):
    with pytest.raises(DocumentError, match="larger than the limit"):
        store.index("things", {"blob": "x" * (MAX_DOCUMENT_BYTES + 1)})


def test_index_raises_document_error_naming_the_field(store):
    with pytest.raises(DocumentError) as caught:
        store.index("events", {"details": {"sourceipaddress": "not-an-ip"}})
    assert caught.value.field == "details.sourceipaddress"
    assert store.search("events", ignore_unavailable=True)["hits"]["hits"] == []


def test_rejected_document_leaves_no_mapping_change(store):
    store.index("events", {"n": 1}, id="1")
    response = store.bulk(
        [
            {
                "_index": "events",
                "_source": {"brand_new_field": "x", "details": {"sourceipaddress": "bad"}},
            }
        ]
    )
    assert response["errors"] is True
    mappings = next(iter(store.get_mapping("events").values()))["mappings"]
    assert "brand_new_field" not in mappings["properties"]


def test_total_fields_limit_refuses_the_document_that_crosses_it_only(store):
    """ "Mapping limit settings": index.mapping.total_fields.limit counts every mapper."""
    store.create_index(
        "small", {"settings": {"index": {"mapping": {"total_fields": {"limit": 3}}}}}
    )
    response = store.bulk(
        [
            {"_index": "small", "_id": "1", "_source": {"a": 1, "b": 2}},
            {"_index": "small", "_id": "2", "_source": {"c": 1, "d": 2}},
            {"_index": "small", "_id": "3", "_source": {"c": 5}},
        ]
    )
    first, second, third = (item["index"] for item in response["items"])
    assert "error" not in first and "error" not in third
    assert second["error"]["type"] == "illegal_argument_exception"
    assert "Limit of total fields [3]" in second["error"]["reason"]
    assert sorted(store.get_mapping("small")["small"]["mappings"]["properties"]) == ["a", "b", "c"]


def test_auto_created_indices_take_the_total_fields_limit_from_the_default_template(store):
    limit = int(
        index_setting(DEFAULT_TEMPLATE.get("settings") or {}, "mapping.total_fields.limit", 1000)
    )
    store.index("events", {"fields": {f"f{n}": n for n in range(limit - 100)}}, id="wide")
    with pytest.raises(DocumentError, match=rf"Limit of total fields \[{limit}\]"):
        store.index("events", {"more": {f"f{n}": n for n in range(200)}}, id="wider")


# -- search shapes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "score"),
    [
        pytest.param({"bool": {"filter": [{"term": {"n": 1}}]}}, 0.0, id="bool-filter-only-0"),
        pytest.param({"bool": {"must_not": [{"term": {"n": 2}}]}}, 0.0, id="bool-must-not-only-0"),
        pytest.param(
            {"bool": {"must": [{"term": {"n": 1}}], "filter": [{"term": {"n": 1}}]}},
            1.0,
            id="bool-with-must-scores",
        ),
        pytest.param(
            {"bool": {"should": [{"term": {"n": 1}}], "minimum_should_match": 1}},
            1.0,
            id="bool-with-should-scores",
        ),
        pytest.param(
            {"constant_score": {"filter": {"term": {"n": 1}}, "boost": 2.5}},
            2.5,
            id="constant-score-gives-its-boost",
        ),
        pytest.param({"constant_score": {"filter": {"term": {"n": 1}}}}, 1.0, id="constant-1"),
        pytest.param({"match_all": {}}, 1.0, id="match-all-1"),
        pytest.param(None, 1.0, id="no-query-is-match-all"),
    ],
)
def test_hits_get_the_constant_score_elasticsearch_gives_the_query(store, query, score):
    """Bool query "Scoring with bool.filter" (filter context scores 0),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-bool-query.html;
    Constant score query (score = boost),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-constant-score-query.html;
    Match all query (score 1.0). Relevance (BM25) is not emulated: other queries score 1.0.
    """
    store.index("scores", {"n": 1}, id="one")
    body = {} if query is None else {"query": query}
    response = store.search("scores", body)
    assert [hit["_score"] for hit in response["hits"]["hits"]] == [score]
    assert response["hits"]["max_score"] == score
    assert [hit["_score"] for hit in store.scan("scores", body)] == [score]


def test_hits_carry_concrete_index_and_come_by_index_then_insertion_order(store):
    store.index("b-index", {"n": 1}, id="b1")
    store.index("a-index", {"n": 2}, id="a1")
    store.index("b-index", {"n": 3}, id="b2")
    store.index("a-index", {"n": 4}, id="a2")
    response = store.search("a-index,b-index", {"query": {"match_all": {}}})
    assert [(hit["_index"], hit["_id"]) for hit in response["hits"]["hits"]] == [
        ("a-index", "a1"),
        ("a-index", "a2"),
        ("b-index", "b1"),
        ("b-index", "b2"),
    ]
    assert all(hit["_score"] == 1.0 for hit in response["hits"]["hits"])
    assert response["hits"]["max_score"] == 1.0 and response["timed_out"] is False


def test_each_index_is_searched_with_its_own_mapping(store):
    store.create_index("kw", {"mappings": {"properties": {"name": {"type": "keyword"}}}})
    store.create_index("txt", {"mappings": {"properties": {"name": {"type": "text"}}}})
    store.index("kw", {"name": "Foo Bar"}, id="k")
    store.index("txt", {"name": "Foo Bar"}, id="t")
    assert ids(store.search(["kw", "txt"], {"query": {"match": {"name": "foo"}}})) == ["t"]


def test_missing_index_is_index_not_found_unless_ignore_unavailable(store):
    store.index("here", {"n": 1}, id="1")
    with pytest.raises(IndexNotFoundError, match=r"no such index \[absent\]"):
        store.search(["here", "absent"])
    assert ids(store.search(["here", "absent"], ignore_unavailable=True)) == ["1"]


def test_wildcard_matching_nothing_is_an_empty_answer(store):
    assert store.search("nothing-*")["hits"]["hits"] == []


def test_size_from_and_total(store):
    store.bulk([{"_index": "things", "_id": str(n), "_source": {"n": n}} for n in range(30)])
    response = store.search("things", {"size": 5, "from": 10})
    assert ids(response) == [str(n) for n in range(10, 15)]
    assert response["hits"]["total"] == {"value": 30, "relation": "eq"}
    assert store.search("things")["hits"]["hits"].__len__() == 10  # default size 10
    assert store.search("things", {"size": 0})["hits"]["max_score"] is None


def test_track_total_hits_default_cap_and_int_and_false(store):
    """Search API, track_total_hits: default counts exactly up to 10,000 then 'gte'."""
    store.bulk([{"_index": "many", "_source": {"n": n}} for n in range(10_001)])
    assert store.search("many", {"size": 0})["hits"]["total"] == {
        "value": 10_000,
        "relation": "gte",
    }
    exact = store.search("many", {"size": 0, "track_total_hits": True})["hits"]["total"]
    assert exact == {"value": 10_001, "relation": "eq"}
    capped = store.search("many", {"size": 0, "track_total_hits": 100})["hits"]["total"]
    assert capped == {"value": 100, "relation": "gte"}
    assert "total" not in store.search("many", {"size": 0, "track_total_hits": False})["hits"]


def test_result_window_limit(store):
    """index.max_result_window (10,000): from + size beyond it is refused (use scan)."""
    with pytest.raises(QueryError, match="Result window is too large"):
        store.search("x", {"from": 9_995, "size": 10})


def test_source_filtering(store):
    store.index("things", {"a": {"b": 1, "c": 2}, "d": 3, "e": [{"f": 1, "g": 2}]}, id="1")

    def source(spec):
        return store.search("things", {"_source": spec})["hits"]["hits"][0].get("_source")

    assert source(False) is None
    assert source("d") == {"d": 3}
    assert source(["a.b", "e.f"]) == {"a": {"b": 1}, "e": [{"f": 1}]}
    assert source({"includes": ["a.*"], "excludes": ["a.c"]}) == {"a": {"b": 1}}
    assert source({"excludes": ["a", "e"]}) == {"d": 3}


def test_unknown_search_keys_are_errors_never_ignored(store):
    store.index("things", {"a": 1})
    with pytest.raises(QueryError, match=r"Unknown key .*\[qurey\]"):
        store.search("things", {"qurey": {"match_all": {}}})
    with pytest.raises(UnsupportedQueryError, match=r"\[highlight\]"):
        store.search("things", {"highlight": {}})


def test_scan_yields_every_hit_across_chunks_and_allows_writes_meanwhile(store):
    store.bulk([{"_index": "things", "_id": str(n), "_source": {"n": n}} for n in range(1_234)])
    seen = []
    for hit in store.scan("things", {"query": {"match_all": {}}}):
        seen.append(hit["_id"])
        if len(seen) == 1:
            store.index("things", {"n": -1}, id="written-during-scan")
    assert sorted(seen, key=lambda x: int(x) if x.isdigit() else -1)[-1234:] == [
        str(n) for n in range(1_234)
    ]


def test_refresh_exists_and_checks_the_index(store):
    store.index("things", {"a": 1})
    store.refresh("things")
    store.refresh()
    with pytest.raises(IndexNotFoundError):
        store.refresh("absent")


# -- persistence, processes, durability -----------------------------------------------------


def test_everything_survives_reopening(disk_path):
    first = open_store(str(disk_path))
    first.create_index("typed", {"mappings": {"properties": {"ip": {"type": "ip"}}}})
    first.index("typed", {"ip": "10.1.2.3", "extra": "x"}, id="1")
    first.put_alias("typed", "typed-alias")
    first.close()
    second = open_store(str(disk_path))
    assert second.get("typed-alias", "1")["_source"] == {"ip": "10.1.2.3", "extra": "x"}
    mappings = second.get_mapping("typed")["typed"]["mappings"]["properties"]
    assert mappings["ip"] == {"type": "ip"} and "extra" in mappings
    assert second.get_aliases()["typed-alias"] == ["typed"]


WRITER = """
import os, sys, time
from lib.store import open_store
store = open_store(sys.argv[1])
name = sys.argv[2]
while not os.path.exists(sys.argv[3]):  # start together
    time.sleep(0.01)
for batch in range(20):
    actions = [{"_index": "shared", "_source": {"writer": name, "n": n, name + "_field": n}}
               for n in range(100)]
    response = store.bulk(actions)
    assert not response["errors"], response
for n in range(50):
    store.index("shared", {"writer": name, "single": n})
print("done")
"""


def test_two_processes_writing_at_once_lose_nothing(disk_path):
    open_store(str(disk_path)).setup()
    go = disk_path.parent / "go"
    writers = [run_python(WRITER, str(disk_path), name, str(go)) for name in ("alpha", "beta")]
    go.touch()
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    store = open_store(str(disk_path))
    total = store.search("shared", {"size": 0, "track_total_hits": True})["hits"]["total"]["value"]
    assert total == 2 * (20 * 100 + 50)
    properties = store.get_mapping("shared")["shared"]["mappings"]["properties"]
    assert {"alpha_field", "beta_field"} <= set(properties)


def test_another_process_sees_new_indices_and_aliases(disk_path):
    store = open_store(str(disk_path))
    store.index("mine", {"a": 1}, id="1")
    assert store.list_indices() == ["mine"]
    other = run_python(
        """
        import sys
        from lib.store import open_store
        store = open_store(sys.argv[1])
        store.index("theirs", {"b": 2}, id="2")
        store.put_alias(["mine", "theirs"], "everything")
        """,
        str(disk_path),
    )
    _, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert store.list_indices() == ["mine", "theirs"]
    assert sorted(ids(store.search("everything"))) == ["1", "2"]


KILLED_WRITER = """
import sys
from lib.store import open_store
store = open_store(sys.argv[1])
for n in range(100000):
    response = store.index("events", {"n": n, "pad": "x" * 200}, id=f"doc-{n}")
    print(response["_id"], flush=True)
"""


def test_a_write_that_returned_survives_sigkill(disk_path):
    writer = run_python(KILLED_WRITER, str(disk_path))
    assert writer.stdout is not None
    acknowledged = [writer.stdout.readline().strip() for _ in range(200)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    store = open_store(str(disk_path))
    missing = [doc_id for doc_id in acknowledged if not store.get("events", doc_id)["found"]]
    assert missing == []


def test_searching_no_named_index_searches_every_index(store):
    """Search API: omitting the target (or `_all`, `*`) searches all indices."""
    store.index("one", {"n": 1}, id="1")
    store.index("two", {"n": 2}, id="2")
    for target in ([], "", "_all", "*"):
        assert sorted(ids(store.search(target))) == ["1", "2"]


def test_generated_ids_are_20_characters_unique_and_carry_the_time():
    """Like Elasticsearch's auto-generated ids: 20 URL-safe characters, time first."""
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(20_000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids) and {len(doc_id) for doc_id in ids} == {20}
    raw = [base64.urlsafe_b64decode(doc_id) for doc_id in ids]
    assert all(before <= int.from_bytes(r[:6], "big") <= after for r in raw)
    assert [int.from_bytes(r[:6], "big") for r in raw] == sorted(
        int.from_bytes(r[:6], "big") for r in raw
    )
