"""Contract: index management (create, mappings, aliases, delete) and MozDef's write layout.

The Elasticsearch rules cite the reference pages; the write layout (events-YYYYMMDD with
aliases events / events-previous / events-weekly, alerts-YYYYMM with alias alerts) is
MozDef's own, which Vigil keeps on both backends: MozDef's index rotation,
https://github.com/mozilla/MozDef/blob/master/cron/rotateIndexes.py, and its default
template, https://github.com/mozilla/MozDef/blob/master/cron/defaultMappingTemplate.json.
"""

from __future__ import annotations

import uuid

import pytest
from freezegun import freeze_time

from lib.errors import IndexNotFoundError, StoreError


def _field(mapping: dict, index: str, path: str) -> dict:
    """The mapping of a dotted field path, read from a get_mapping answer."""
    node = mapping[index]["mappings"]
    for part in path.split("."):
        node = node["properties"][part]
    return node


def _hits(store, index, query: dict | None = None, **options) -> list[tuple[str, str]]:
    body = {"query": query or {"match_all": {}}, "size": 100}
    hits = store.search(index, body, **options)["hits"]["hits"]
    return sorted((hit["_index"], hit["_id"]) for hit in hits)


@pytest.mark.parametrize(
    "with_type_level",
    [
        pytest.param(True, id="create-accepts-mozdef-body-with-_doc-type-level"),
        pytest.param(False, id="create-accepts-mozdef-body-without-type-level"),
    ],
)
def test_create_with_mozdef_template_body(store, make_index, mozdef_template, with_type_level):
    """MozDef's template body creates an index with its field types, with or without `_doc`.

    Create index API (settings, mappings, aliases), https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-create-index.html;
    Removal of mapping types (the `_doc` level of 6.x bodies),
    https://www.elastic.co/guide/en/elasticsearch/reference/7.17/removal-of-types.html
    """
    mappings = mozdef_template["mappings"]
    if not with_type_level:
        mappings = mappings["_doc"]
    index = make_index(body={"settings": {}, "mappings": mappings, "aliases": {}})
    mapping = store.get_mapping(index)
    assert "_doc" not in mapping[index]["mappings"]
    types = {
        path: _field(mapping, index, path)["type"]
        for path in ("summary", "hostname", "utctimestamp")
    }
    assert types == {"summary": "text", "hostname": "keyword", "utctimestamp": "date"}
    assert _field(mapping, index, "details.sourceipaddress")["type"] == "ip"
    assert _field(mapping, index, "details.success")["type"] == "boolean"
    assert mapping[index]["mappings"]["date_detection"] is False
    assert (
        mapping[index]["mappings"]["dynamic_templates"]
        == mozdef_template["mappings"]["_doc"]["dynamic_templates"]
    )


def test_create_with_settings_and_aliases(store, make_index, load):
    """A create body may carry settings and aliases; the aliases exist at once.

    Create index API (aliases, settings), https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-create-index.html
    """
    alias = f"vigil-contract-created-alias-{uuid.uuid4().hex[:8]}"
    body = {"settings": {"number_of_shards": 1}, "mappings": {}, "aliases": {alias: {}}}
    index = make_index(body=body)
    load(index, {"a": {"k": "x"}})
    assert store.get_aliases()[alias] == [index]
    assert _hits(store, alias) == [(index, "a")]


def test_create_existing_index_raises(store, make_index):
    """Creating an index that exists fails (resource_already_exists_exception).

    Create index API, https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-create-index.html
    """
    index = make_index({"properties": {"a": {"type": "keyword"}}})
    with pytest.raises(StoreError):
        store.create_index(index, {"mappings": {"properties": {"a": {"type": "text"}}}})
    assert _field(store.get_mapping(index), index, "a")["type"] == "keyword"


def test_empty_mapping_gets_dynamic_defaults(store, make_index):
    """Without a mapping: strings text + .keyword, integers long, fractions float, booleans
    boolean, numeric strings stay strings (numeric_detection off), objects object.

    Dynamic field mapping (the JSON type to field type table; ignore_above 256),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-field-mapping.html
    """
    index = make_index()
    document = {
        "msg": "Hello World",
        "n": 3,
        "x": 1.5,
        "ok": True,
        "numstr": "5",
        "obj": {"a": "b"},
    }
    store.index(index, document, id="1", refresh=True)
    mapping = store.get_mapping(index)
    msg = _field(mapping, index, "msg")
    assert msg["type"] == "text" and msg["fields"]["keyword"]["type"] == "keyword"
    assert msg["fields"]["keyword"]["ignore_above"] == 256
    types = {name: _field(mapping, index, name).get("type") for name in ("n", "x", "ok", "numstr")}
    assert types == {"n": "long", "x": "float", "ok": "boolean", "numstr": "text"}
    assert _field(mapping, index, "obj.a")["type"] == "text"


@pytest.fixture
def two_indices(make_index, load) -> tuple[str, str]:
    """Two keyword-mapped indices holding one document each (ids "a" and "b")."""
    first, second = make_index({"properties": {"k": {"type": "keyword"}}}), make_index()
    load(first, {"a": {"k": "x"}})
    load(second, {"b": {"k": "x"}})
    return first, second


def test_alias_over_one_index_reports_the_concrete_index(store, two_indices, created_indices):
    """Searching an alias searches its index; each hit names the concrete index.

    Aliases, https://www.elastic.co/guide/en/elasticsearch/reference/current/aliases.html
    """
    first, second = two_indices
    alias = f"{first}-alias"
    store.put_alias(first, alias)
    assert store.index_exists(alias)
    assert store.get_aliases()[alias] == [first]
    assert _hits(store, alias) == [(first, "a")]


def test_alias_over_many_indices(store, two_indices):
    """One alias may point at many indices; searching it searches them all.

    Aliases ("an alias can point to multiple indices"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/aliases.html
    """
    first, second = two_indices
    alias = f"{first}-both"
    store.put_alias([first, second], alias)
    assert store.get_aliases()[alias] == sorted([first, second])
    assert _hits(store, alias) == sorted([(first, "a"), (second, "b")])
    assert _hits(store, [alias, first]) == sorted([(first, "a"), (second, "b")])


def test_delete_alias_keeps_the_indices(store, two_indices):
    """Removing an alias removes the name only; its indices and documents stay.

    Aliases (remove action), https://www.elastic.co/guide/en/elasticsearch/reference/current/aliases.html
    """
    first, second = two_indices
    alias = f"{first}-gone"
    store.put_alias([first, second], alias)
    store.delete_alias([first, second], alias)
    assert alias not in store.get_aliases()
    assert not store.index_exists(alias)
    with pytest.raises(IndexNotFoundError):
        store.search(alias, {"query": {"match_all": {}}})
    assert _hits(store, first) == [(first, "a")]
    with pytest.raises(IndexNotFoundError):
        store.delete_alias(first, alias)


def test_alias_and_index_names_never_collide(store, two_indices):
    """An alias cannot take an index's name, nor an index an alias's name.

    Aliases / Create index API (invalid_alias_name_exception, invalid_index_name_exception),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/aliases.html
    """
    first, second = two_indices
    with pytest.raises(StoreError):
        store.put_alias(first, second)
    alias = f"{first}-taken"
    store.put_alias(first, alias)
    with pytest.raises(StoreError):
        store.create_index(alias, {"mappings": {}})
    assert store.get_aliases()[alias] == [first]


def test_delete_index_by_alias_name_is_refused(store, two_indices):
    """Deleting through an alias name is refused; the index behind it survives.

    Delete index API ("You cannot specify index aliases"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-delete-index.html
    """
    first, _ = two_indices
    alias = f"{first}-del"
    store.put_alias(first, alias)
    with pytest.raises(StoreError):
        store.delete_index(alias)
    assert store.index_exists(first) and _hits(store, first) == [(first, "a")]


def test_get_mapping_through_an_alias(store, two_indices):
    """get_mapping of an alias answers for each concrete index behind it.

    Get mapping API, https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-get-mapping.html
    """
    first, second = two_indices
    alias = f"{first}-map"
    store.put_alias([first, second], alias)
    assert sorted(store.get_mapping(alias)) == sorted([first, second])


def test_delete_index(store, two_indices):
    """A deleted index and its documents are gone; deleting it again is index_not_found.

    Delete index API, https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-delete-index.html
    """
    first, second = two_indices
    store.delete_index(first)
    assert not store.index_exists(first)
    assert first not in store.list_indices() and second in store.list_indices()
    with pytest.raises(IndexNotFoundError):
        store.search(first, {"query": {"match_all": {}}})
    with pytest.raises(IndexNotFoundError):
        store.delete_index(first)


def test_missing_index_raises_unless_ignore_unavailable(store, two_indices):
    """A missing index in a search raises index_not_found; ignore_unavailable skips it.

    Multi-target syntax (ignore_unavailable), https://www.elastic.co/guide/en/elasticsearch/reference/current/api-conventions.html#api-multi-index
    """
    first, _ = two_indices
    missing = f"{first}-missing"
    with pytest.raises(IndexNotFoundError):
        store.search(missing, {"query": {"match_all": {}}})
    with pytest.raises(IndexNotFoundError):
        store.search([first, missing], {"query": {"match_all": {}}})
    assert _hits(store, [first, missing], ignore_unavailable=True) == [(first, "a")]
    scanned = [
        hit["_id"]
        for hit in store.scan(
            [first, missing], {"query": {"match_all": {}}}, ignore_unavailable=True
        )
    ]
    assert scanned == ["a"]


INVALID_NAMES = [
    pytest.param("vigil-Contract-Upper", id="index-name-must-be-lowercase"),
    pytest.param("_vigil-contract", id="index-name-cannot-start-with-underscore"),
    pytest.param("vigil contract", id="index-name-cannot-contain-a-space"),
    pytest.param("vigil-contract*", id="index-name-cannot-contain-a-star"),
]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_invalid_index_names_are_refused(store, name):
    """Index names are lowercase, never start with _ - +, never contain \\ / * ? " < > | space , #.

    Create index API, "Index names must meet the following criteria",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-create-index.html
    """
    with pytest.raises(StoreError):
        store.create_index(name, {"mappings": {}})
    assert name not in store.list_indices()


def test_put_alias_on_a_missing_index_raises(store):
    """An alias cannot point at an index that does not exist.

    Aliases, https://www.elastic.co/guide/en/elasticsearch/reference/current/aliases.html
    """
    with pytest.raises(IndexNotFoundError):
        store.put_alias("vigil-contract-missing-index", "vigil-contract-missing-alias")


def test_writing_to_a_new_index_creates_it(store, created_indices):
    """Writing to an index that does not exist creates it with dynamic mapping.

    Index API ("If the target doesn't exist ... automatically creates"; action.auto_create_index),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-index_.html
    """
    name = f"vigil-contract-auto-{uuid.uuid4().hex[:8]}"
    created_indices.append(name)
    assert store.index(name, {"msg": "Hello"}, id="1", refresh=True)["_index"] == name
    assert store.index_exists(name) and store.get(name, "1")["found"]
    assert _field(store.get_mapping(name), name, "msg")["type"] == "text"


def _write(store, created_indices, target: str, document: dict) -> str:
    """Write one document to a write target; remember the concrete index for cleanup."""
    concrete = store.index(target, document)["_index"]
    created_indices.append(concrete)
    return concrete


def test_events_write_lands_in_the_days_index(store, created_indices):
    """Writing to `events` goes to events-YYYYMMDD (UTC date), aliased by events and events-weekly."""
    with freeze_time("2026-12-03T10:00:00Z", tick=True):
        concrete = _write(store, created_indices, "events", {"summary": "first day"})
        store.refresh()
    assert concrete == "events-20261203"
    aliases = store.get_aliases()
    assert aliases["events"] == ["events-20261203"]
    assert "events-20261203" in aliases["events-weekly"]
    assert [index for index, _ in _hits(store, "events")] == ["events-20261203"]


def test_events_next_day_moves_the_aliases(store, created_indices):
    """The next day's first write creates its index; events-previous names yesterday's."""
    with freeze_time("2026-12-03T23:59:00Z", tick=True):
        _write(store, created_indices, "events", {"summary": "day one"})
    with freeze_time("2026-12-04T00:00:30Z", tick=True):
        concrete = _write(store, created_indices, "events", {"summary": "day two"})
        store.refresh()
    assert concrete == "events-20261204"
    aliases = store.get_aliases()
    assert aliases["events"] == ["events-20261204"]
    assert aliases["events-previous"] == ["events-20261203"]
    assert {"events-20261203", "events-20261204"} <= set(aliases["events-weekly"])
    indices = [index for index, _ in _hits(store, ["events", "events-previous"])]
    assert indices == ["events-20261203", "events-20261204"]


def test_events_index_date_is_the_utc_date(store, created_indices):
    """The day of the index is the UTC date of the write (23:30 at UTC-5 is the next UTC day)."""
    with freeze_time("2026-12-03T23:30:00-05:00", tick=True):
        concrete = _write(store, created_indices, "events", {"summary": "late evening in UTC-5"})
    assert concrete == "events-20261204"


def test_events_bulk_is_routed_too(store, created_indices):
    """bulk items aimed at `events` land in the day's index and report it."""
    with freeze_time("2026-12-03T10:00:00Z", tick=True):
        result = store.bulk([{"_index": "events", "_source": {"summary": "bulk"}}], refresh=True)
    created_indices.append("events-20261203")
    assert result["errors"] is False
    assert next(iter(result["items"][0].values()))["_index"] == "events-20261203"


def test_events_index_gets_mozdef_mapping(store, created_indices):
    """The first write to `events` creates the day's index with MozDef's default mapping."""
    event = {
        "summary": "Failed password",
        "utctimestamp": "2026-12-03T10:00:00+00:00",
        "details": {"sourceipaddress": "10.1.2.3", "success": False, "program": "sshd", "port": 22},
    }
    with freeze_time("2026-12-03T10:00:00Z", tick=True):
        concrete = _write(store, created_indices, "events", event)
        store.refresh()
    mapping = store.get_mapping(concrete)
    paths = (
        "summary",
        "utctimestamp",
        "details.sourceipaddress",
        "details.success",
        "details.program",
        "details.port",
    )
    types = [_field(mapping, concrete, path)["type"] for path in paths]
    assert types == ["text", "date", "ip", "boolean", "keyword", "keyword"]
    assert _hits(store, "events", {"term": {"details.sourceipaddress": "10.1.0.0/16"}}) == [
        (concrete, _hits(store, "events")[0][1])
    ]


def test_alerts_write_lands_in_the_months_index(store, created_indices):
    """Writing to `alerts` goes to alerts-YYYYMM, aliased by alerts."""
    with freeze_time("2026-12-03T10:00:00Z", tick=True):
        concrete = _write(store, created_indices, "alerts", {"summary": "an alert"})
        store.refresh()
    assert concrete == "alerts-202612"
    assert "alerts-202612" in store.get_aliases()["alerts"]
    assert [index for index, _ in _hits(store, "alerts")] == ["alerts-202612"]


def test_alerts_alias_spans_months(store, created_indices):
    """A new month's first alert creates alerts-YYYYMM; the alerts alias covers every month."""
    with freeze_time("2026-12-31T23:00:00Z", tick=True):
        december = _write(store, created_indices, "alerts", {"summary": "december"})
    with freeze_time("2027-01-01T01:00:00Z", tick=True):
        january = _write(store, created_indices, "alerts", {"summary": "january"})
        store.refresh()
    assert (december, january) == ("alerts-202612", "alerts-202701")
    assert {"alerts-202612", "alerts-202701"} <= set(store.get_aliases()["alerts"])
    assert [index for index, _ in _hits(store, "alerts")] == ["alerts-202612", "alerts-202701"]


def test_get_through_the_events_alias(store, created_indices):
    """get through an alias naming one index finds the document and reports the concrete index.

    Get API (an alias pointing at a single index), https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-get.html
    """
    with freeze_time("2026-12-03T10:00:00Z", tick=True):
        created_indices.append("events-20261203")
        store.index("events", {"summary": "one"}, id="ev1", refresh=True)
    found = store.get("events", "ev1")
    assert (found["found"], found["_index"], found["_source"]) == (
        True,
        "events-20261203",
        {"summary": "one"},
    )
