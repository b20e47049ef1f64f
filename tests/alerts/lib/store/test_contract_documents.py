"""Contract: index, get, bulk (index/create/update/delete) and the handling of bad documents.

Decision pinned here: a value that does not fit its mapping (a non-IP in an ip field, an
unparseable date) REJECTS the document, as Elasticsearch does with its default
ignore_malformed: false. Every case names the rule and cites the reference page.
"""

from __future__ import annotations

import pytest

from lib.errors import DocumentError, IndexNotFoundError

MAPPING = {
    "properties": {
        "name": {"type": "keyword"},
        "ip": {"type": "ip"},
        "ts": {"type": "date"},
        "flag": {"type": "boolean"},
        "details": {"properties": {"user": {"type": "keyword"}}},
    }
}


@pytest.fixture
def doc_index(make_index) -> str:
    """An empty index with a keyword, ip, date and object field."""
    return make_index(MAPPING)


def _item(result: dict, position: int) -> dict:
    """The body of one bulk item, whatever its operation name."""
    return next(iter(result["items"][position].values()))


def _deep(levels: int) -> dict:
    document: dict = {"leaf": "x"}
    for level in range(levels):
        document = {f"level{level}": document}
    return document


def test_index_returns_concrete_index_id_and_result(store, doc_index):
    """index answers {_index, _id, result}: "created" the first time, "updated" after.

    Index API (response body: _index, _id, result),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-index_.html
    """
    first = store.index(doc_index, {"name": "a"}, id="1")
    assert (first["_index"], first["_id"], first["result"]) == (doc_index, "1", "created")
    again = store.index(doc_index, {"name": "b"}, id="1")
    assert (again["_index"], again["_id"], again["result"]) == (doc_index, "1", "updated")
    assert store.get(doc_index, "1")["_source"] == {"name": "b"}


def test_index_without_id_generates_one(store, doc_index):
    """Without an id the store generates a unique one, returned and usable with get.

    Index API ("automatically generate an ID" with POST /<target>/_doc/),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-index_.html
    """
    first = store.index(doc_index, {"name": "a"})
    second = store.index(doc_index, {"name": "a"})
    assert first["_id"] and second["_id"] and first["_id"] != second["_id"]
    assert store.get(doc_index, first["_id"])["_source"] == {"name": "a"}


def test_written_documents_are_searchable_after_refresh(store, doc_index):
    """A refresh makes every write so far visible to search.

    Refresh API, https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-refresh.html
    """
    store.index(doc_index, {"name": "a"}, id="1")
    store.refresh()
    hits = store.search(doc_index, {"query": {"term": {"name": "a"}}})["hits"]["hits"]
    assert [hit["_id"] for hit in hits] == ["1"]


def test_get_found_and_not_found(store, doc_index):
    """get returns found: true with _source, or found: false for an unknown id.

    Get API, https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-get.html
    """
    store.index(doc_index, {"name": "a", "details": {"user": "u"}}, id="1")
    found = store.get(doc_index, "1")
    assert (found["found"], found["_index"], found["_id"]) == (True, doc_index, "1")
    assert found["_source"] == {"name": "a", "details": {"user": "u"}}
    assert store.get(doc_index, "2")["found"] is False


def test_get_from_missing_index_raises(store):
    """get on an index that does not exist is index_not_found, not "not found".

    Get API (404 index_not_found_exception for a missing index),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-get.html
    """
    with pytest.raises(IndexNotFoundError):
        store.get("vigil-contract-no-such-index", "1")


def test_bulk_reports_each_item_in_order(store, doc_index):
    """bulk answers one item per action, in order, each with its own status and result.

    Bulk API (response body: errors, items[] in request order),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
    """
    actions = [
        {"_index": doc_index, "_id": "1", "_source": {"name": "a"}},
        {"_op_type": "create", "_index": doc_index, "_id": "2", "_source": {"name": "b"}},
        {"_index": doc_index, "_id": "1", "_source": {"name": "c"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert result["errors"] is False
    got = [
        (op, body["_id"], body["status"], body["result"])
        for item in result["items"]
        for op, body in item.items()
    ]
    assert got == [
        ("index", "1", 201, "created"),
        ("create", "2", 201, "created"),
        ("index", "1", 200, "updated"),
    ]
    assert _item(result, 0)["_index"] == doc_index


def test_bulk_create_existing_id_is_a_per_item_conflict(store, doc_index):
    """create fails for an existing id (409 version_conflict); the other items still apply.

    Bulk API ("create fails if a document with the same ID already exists"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
    """
    store.index(doc_index, {"name": "old"}, id="1", refresh=True)
    actions = [
        {"_op_type": "create", "_index": doc_index, "_id": "1", "_source": {"name": "new"}},
        {"_index": doc_index, "_id": "2", "_source": {"name": "b"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert result["errors"] is True
    assert _item(result, 0)["status"] == 409
    assert _item(result, 1)["status"] == 201
    assert store.get(doc_index, "1")["_source"] == {"name": "old"}


def test_bulk_delete(store, doc_index):
    """delete removes a document; deleting an unknown id reports not_found (404).

    Bulk API (delete action), https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
    """
    store.index(doc_index, {"name": "a"}, id="1", refresh=True)
    actions = [
        {"_op_type": "delete", "_index": doc_index, "_id": "1"},
        {"_op_type": "delete", "_index": doc_index, "_id": "nope"},
    ]
    result = store.bulk(actions, refresh=True)
    assert (_item(result, 0)["status"], _item(result, 0)["result"]) == (200, "deleted")
    assert (_item(result, 1)["status"], _item(result, 1)["result"]) == (404, "not_found")
    assert store.get(doc_index, "1")["found"] is False


def test_bulk_partial_update_of_many_documents(store, doc_index):
    """update with doc merges objects recursively and replaces any other value, lists included.

    Update API ("partial document ... merged into the existing document"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-update.html
    """
    original = {"name": "a", "details": {"user": "u", "keep": 1}, "tags": ["x", "y"]}
    store.bulk(
        [{"_index": doc_index, "_id": str(i), "_source": original} for i in range(3)], refresh=True
    )
    partial = {
        "details": {"added": True},
        "tags": ["z"],
        "alerts": [{"index": "alerts-202612", "id": "A"}],
    }
    updates = [
        {"_op_type": "update", "_index": doc_index, "_id": str(i), "doc": partial} for i in range(3)
    ]
    result = store.bulk(updates, refresh=True)
    assert result["errors"] is False
    assert [_item(result, i)["result"] for i in range(3)] == ["updated"] * 3
    expected = {
        "name": "a",
        "details": {"user": "u", "keep": 1, "added": True},
        "tags": ["z"],
        "alerts": [{"index": "alerts-202612", "id": "A"}],
    }
    assert all(store.get(doc_index, str(i))["_source"] == expected for i in range(3))
    hits = store.search(doc_index, {"query": {"term": {"details.added": True}}, "size": 10})[
        "hits"
    ]["hits"]
    assert len(hits) == 3


def test_bulk_update_of_a_missing_document_fails_alone(store, doc_index):
    """Updating an unknown id is a per-item 404 document_missing; the other updates apply.

    Update API / Bulk API (document_missing_exception), https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-update.html
    """
    store.index(doc_index, {"name": "a"}, id="1", refresh=True)
    updates = [
        {"_op_type": "update", "_index": doc_index, "_id": "missing", "doc": {"name": "x"}},
        {"_op_type": "update", "_index": doc_index, "_id": "1", "doc": {"name": "b"}},
    ]
    result = store.bulk(updates, refresh=True)
    assert result["errors"] is True
    assert _item(result, 0)["status"] == 404
    assert "document_missing" in _item(result, 0)["error"]["type"]
    assert store.get(doc_index, "1")["_source"] == {"name": "b"}
    assert store.get(doc_index, "missing")["found"] is False


def test_bulk_update_in_a_missing_index_fails_alone(store, doc_index):
    """An update aimed at an index that does not exist fails that item (404) and creates nothing.

    Bulk API (update does not create the index), https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
    """
    missing = f"{doc_index}-missing"
    actions = [
        {"_op_type": "update", "_index": missing, "_id": "1", "doc": {"name": "x"}},
        {"_index": doc_index, "_id": "2", "_source": {"name": "ok"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert (_item(result, 0)["status"], _item(result, 1)["status"]) == (404, 201)
    assert not store.index_exists(missing)


BAD_DOCUMENTS = [
    pytest.param({"details": "flat"}, "details", id="value-in-object-field-rejects"),
    pytest.param({"flag": "yes"}, "flag", id="non-boolean-in-boolean-field-rejects"),
    pytest.param({"ts": "2026-12-03 10:00:00"}, "ts", id="space-separated-date-time-rejects"),
    pytest.param({"_id": "inside"}, "_id", id="metadata-field-inside-the-document-rejects"),
    pytest.param({"": "x"}, "", id="empty-field-name-rejects"),
    pytest.param({"ip": "not-an-ip"}, "ip", id="non-ip-in-ip-field-rejects-the-document"),
    pytest.param({"ip": "10.0.0.300"}, "ip", id="out-of-range-ipv4-rejects-the-document"),
    pytest.param({"ts": "yesterday at noon"}, "ts", id="unparseable-date-rejects-the-document"),
    pytest.param({"ts": "2026-13-45T10:00:00Z"}, "ts", id="impossible-date-rejects-the-document"),
    pytest.param(
        {"details": {"user": {"nested": "object"}}},
        "details.user",
        id="object-in-keyword-field-rejects",
    ),
]


@pytest.mark.parametrize(("bad", "field"), BAD_DOCUMENTS)
def test_bulk_bad_value_fails_alone(store, doc_index, bad, field):
    """A value that does not fit its mapping fails that item (400, naming the field); the rest go in.

    ignore_malformed (default false: "malformed ... throws an exception and rejects the whole
    document"), https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-malformed.html;
    Bulk API, https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
    """
    actions = [
        {"_index": doc_index, "_id": "before", "_source": {"name": "ok"}},
        {"_index": doc_index, "_id": "bad", "_source": {"name": "bad", **bad}},
        {"_index": doc_index, "_id": "after", "_source": {"name": "ok"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert result["errors"] is True
    error_item = _item(result, 1)
    assert error_item["status"] == 400
    assert field in error_item["error"]["reason"] and error_item["error"]["type"]
    assert [_item(result, i)["status"] for i in (0, 2)] == [201, 201]
    assert store.get(doc_index, "bad")["found"] is False
    hits = store.search(doc_index, {"query": {"match_all": {}}})["hits"]["hits"]
    assert sorted(hit["_id"] for hit in hits) == ["after", "before"]


def test_rejected_document_adds_nothing_to_the_mapping(store, doc_index):
    """A rejected document leaves no trace: no new field appears in the mapping.

    Dynamic mapping updates are applied only for documents that parse (ignore_malformed,
    https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-malformed.html)
    """
    result = store.bulk(
        [{"_index": doc_index, "_id": "bad", "_source": {"brandnew": "x", "ip": "nope"}}],
        refresh=True,
    )
    assert result["errors"] is True
    properties = store.get_mapping(doc_index)[doc_index]["mappings"]["properties"]
    assert "brandnew" not in properties
    assert (
        store.search(doc_index, {"query": {"exists": {"field": "brandnew"}}})["hits"]["hits"] == []
    )


NON_OBJECTS = [
    pytest.param(["a", "list"], id="list-is-not-a-document"),
    pytest.param("a string", id="string-is-not-a-document"),
    pytest.param(42, id="number-is-not-a-document"),
]


@pytest.mark.parametrize("source", NON_OBJECTS)
def test_bulk_non_object_document_fails_alone(store, doc_index, source):
    """A document must be a JSON object; anything else fails that item only.

    Index API (the request body is the JSON object of the document),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-index_.html
    """
    actions = [
        {"_index": doc_index, "_id": "bad", "_source": source},
        {"_index": doc_index, "_id": "good", "_source": {"name": "ok"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert result["errors"] is True
    assert "error" in _item(result, 0) and _item(result, 0)["status"] == 400
    assert _item(result, 1)["status"] == 201
    assert store.get(doc_index, "bad")["found"] is False
    assert store.get(doc_index, "good")["found"] is True


def test_too_deeply_nested_document_fails_alone(store, doc_index):
    """Objects nested deeper than index.mapping.depth.limit (20) reject the document.

    Mapping limit settings (index.mapping.depth.limit, default 20),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-settings-limit.html
    """
    actions = [
        {"_index": doc_index, "_id": "deep", "_source": _deep(25)},
        {"_index": doc_index, "_id": "shallow", "_source": _deep(5)},
    ]
    result = store.bulk(actions, refresh=True)
    assert result["errors"] is True
    assert _item(result, 0)["status"] == 400
    assert "depth" in _item(result, 0)["error"]["reason"].lower()
    assert _item(result, 1)["status"] == 201
    assert store.get(doc_index, "deep")["found"] is False
    assert "level24" not in store.get_mapping(doc_index)[doc_index]["mappings"]["properties"]


def test_index_of_a_bad_document_raises_document_error(store, doc_index):
    """index() of a refused document raises DocumentError naming the field and the reason.

    ignore_malformed (default false), https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-malformed.html
    """
    with pytest.raises(DocumentError) as caught:
        store.index(doc_index, {"ip": "not-an-ip"}, id="1")
    assert caught.value.field == "ip" and caught.value.reason
    store.refresh()
    assert store.get(doc_index, "1")["found"] is False


def test_index_of_a_non_object_raises_document_error(store, doc_index):
    """index() of something that is not a JSON object raises DocumentError.

    Index API, https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-index_.html
    """
    with pytest.raises(DocumentError):
        store.index(doc_index, ["not", "an", "object"], id="1")  # type: ignore[arg-type]


def test_dynamic_type_is_fixed_by_the_first_document(store, doc_index):
    """A new field takes its type from the first document; a later misfit is rejected.

    Dynamic field mapping (a whole number maps as long), https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-field-mapping.html;
    ignore_malformed (default false), https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-malformed.html
    """
    actions = [
        {"_index": doc_index, "_id": "1", "_source": {"newf": 5}},
        {"_index": doc_index, "_id": "2", "_source": {"newf": "abc"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert _item(result, 0)["status"] == 201
    assert _item(result, 1)["status"] == 400 and "newf" in _item(result, 1)["error"]["reason"]
    assert (
        store.get_mapping(doc_index)[doc_index]["mappings"]["properties"]["newf"]["type"] == "long"
    )


def test_replacing_a_document_replaces_its_indexed_values(store, doc_index):
    """Indexing over an id replaces the whole document: old values stop matching.

    Index API ("If the target is an index and the document already exists, the request
    updates the document"), https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-index_.html
    """
    store.index(doc_index, {"name": "old", "details": {"user": "u"}}, id="1")
    store.index(doc_index, {"name": "new"}, id="1", refresh=True)
    old = store.search(doc_index, {"query": {"term": {"name": "old"}}})["hits"]["hits"]
    gone = store.search(doc_index, {"query": {"exists": {"field": "details.user"}}})["hits"]["hits"]
    assert old == [] and gone == []


def test_too_many_fields_reject_the_document(store, doc_index):
    """A document that would take the mapping past index.mapping.total_fields.limit (1000) is refused.

    Mapping limit settings (index.mapping.total_fields.limit, default 1000),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-settings-limit.html
    """
    wide = {f"f{i}": "x" for i in range(1_001)}
    actions = [
        {"_index": doc_index, "_id": "wide", "_source": wide},
        {"_index": doc_index, "_id": "narrow", "_source": {"name": "ok"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert (_item(result, 0)["status"], _item(result, 1)["status"]) == (400, 201)
    assert "f0" not in store.get_mapping(doc_index)[doc_index]["mappings"]["properties"]


def test_get_is_realtime(store, doc_index):
    """get sees a document as soon as index returns, before any refresh.

    Get API ("Realtime: By default, the get API is realtime"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-get.html
    """
    store.index(doc_index, {"name": "now"}, id="rt")
    assert store.get(doc_index, "rt")["_source"] == {"name": "now"}


def test_update_with_a_bad_value_keeps_the_document(store, doc_index):
    """A partial update whose merged document does not fit the mapping fails; the stored one stays.

    Update API, https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-update.html;
    ignore_malformed (default false), https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-malformed.html
    """
    store.index(doc_index, {"name": "a", "ip": "10.0.0.1"}, id="1", refresh=True)
    result = store.bulk(
        [
            {
                "_op_type": "update",
                "_index": doc_index,
                "_id": "1",
                "doc": {"ip": "nope", "name": "b"},
            }
        ],
        refresh=True,
    )
    assert _item(result, 0)["status"] == 400 and "ip" in _item(result, 0)["error"]["reason"]
    assert store.get(doc_index, "1")["_source"] == {"name": "a", "ip": "10.0.0.1"}


def test_update_with_null_sets_the_field_to_null(store, doc_index):
    """A null in a partial document replaces the value with null, which then does not exist.

    Update API (the partial document is merged into the existing one),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-update.html
    """
    store.index(doc_index, {"name": "a", "details": {"user": "u"}}, id="1", refresh=True)
    store.bulk(
        [
            {
                "_op_type": "update",
                "_index": doc_index,
                "_id": "1",
                "doc": {"details": {"user": None}},
            }
        ],
        refresh=True,
    )
    assert store.get(doc_index, "1")["_source"] == {"name": "a", "details": {"user": None}}
    hits = store.search(doc_index, {"query": {"exists": {"field": "details.user"}}})["hits"]["hits"]
    assert hits == []


def test_dynamic_false_keeps_unknown_fields_unsearchable(store, make_index):
    """With dynamic: false, unknown fields stay in _source but are not indexed.

    dynamic mapping parameter, https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic.html
    """
    index = make_index({"dynamic": False, "properties": {"known": {"type": "keyword"}}})
    store.index(index, {"known": "x", "extra": "y"}, id="1", refresh=True)
    assert store.get(index, "1")["_source"] == {"known": "x", "extra": "y"}
    for query in ({"term": {"extra": "y"}}, {"exists": {"field": "extra"}}):
        assert store.search(index, {"query": query})["hits"]["hits"] == []
    assert "extra" not in store.get_mapping(index)[index]["mappings"]["properties"]


def test_dynamic_strict_rejects_unknown_fields(store, make_index):
    """With dynamic: strict, a document with an unknown field is refused, naming the field.

    dynamic mapping parameter (strict_dynamic_mapping_exception),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic.html
    """
    index = make_index({"dynamic": "strict", "properties": {"known": {"type": "keyword"}}})
    actions = [
        {"_index": index, "_id": "1", "_source": {"known": "x", "extra": "y"}},
        {"_index": index, "_id": "2", "_source": {"known": "x"}},
    ]
    result = store.bulk(actions, refresh=True)
    assert _item(result, 0)["status"] == 400 and "extra" in _item(result, 0)["error"]["reason"]
    assert _item(result, 1)["status"] == 201


def test_rejected_overwrite_keeps_the_stored_document(store, doc_index):
    """A refused replacement leaves the document already stored under that id untouched.

    ignore_malformed (default false: the whole document is rejected),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-malformed.html
    """
    store.index(doc_index, {"name": "kept", "ip": "10.0.0.1"}, id="1", refresh=True)
    result = store.bulk(
        [{"_index": doc_index, "_id": "1", "_source": {"name": "lost", "ip": "x"}}], refresh=True
    )
    assert _item(result, 0)["status"] == 400
    assert store.get(doc_index, "1")["_source"] == {"name": "kept", "ip": "10.0.0.1"}
    hits = store.search(doc_index, {"query": {"term": {"name": "kept"}}})["hits"]["hits"]
    assert [hit["_id"] for hit in hits] == ["1"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param([1.5, float("-inf")], id="negative-infinity-in-array"),
        pytest.param([{"x": float("nan")}], id="nan-in-array-of-objects"),
    ],
)
def test_non_finite_numbers_are_refused_per_document(backend, store, make_index, value):
    """NaN and Infinity are not JSON: the document is refused, never stored as null.

    JSON numbers (RFC 8259 section 6: "Numeric values that cannot be represented ... such as
    Infinity and NaN are not permitted"); Bulk API (per-item errors),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
    (embedded leg only: the Elasticsearch client refuses to serialize the whole request)
    """
    if backend == "elasticsearch":
        pytest.skip("the Elasticsearch client fails the whole request before sending it")
    index = make_index(None)
    actions = [
        {"_index": index, "_id": "bad", "_source": {"details": {"n": value}}},
        {"_index": index, "_id": "good", "_source": {"details": {"n": 1.5}}},
    ]
    result = store.bulk(actions, refresh=True)
    bad, good = (next(iter(item.values())) for item in result["items"])
    assert result["errors"] and "details.n" in bad["error"]["reason"]
    assert "error" not in good
    assert store.get(index, "bad")["found"] is False
    with pytest.raises(DocumentError, match="non-finite"):
        store.index(index, {"n": value}, id="single")
