"""Contract: the search request (size, from, sort, _source, hits.total) and scan.

Every case id names the rule; each test's docstring cites the Elasticsearch reference page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

SORT_MAPPING = {
    "properties": {
        "name": {"type": "keyword"},
        "when": {"type": "date"},
        "addr": {"type": "ip"},
        "n": {"type": "long"},
    }
}
SORT_DOCS = {
    "s1": {"name": "bravo", "when": "2026-12-03T10:30:00Z", "addr": "10.100.0.1", "n": 100},
    "s2": {"name": "alpha", "when": "2026-12-03T11:00:00+01:00", "addr": "10.99.88.77", "n": 9},
    "s3": {"name": "Charlie", "when": "2026-12-03T10:15:00.500Z", "addr": "9.1.1.1", "n": 10},
    "s4": {},
    "s5": {"name": "delta", "when": 1796288400000, "addr": "2001:db8::1", "n": 50},
}


@pytest.fixture
def sort_index(indexed) -> str:
    """Four documents with a keyword, date, ip and long field each, and one with none."""
    return indexed(SORT_MAPPING, SORT_DOCS)


def _ids(store, index: str, body: dict) -> list[str]:
    return [hit["_id"] for hit in store.search(index, body)["hits"]["hits"]]


SORT_CASES = [
    pytest.param(
        [{"name": "asc"}],
        ["s3", "s2", "s1", "s5", "s4"],
        id="sort-keyword-asc-byte-order-missing-last",
    ),
    pytest.param(
        [{"name": "desc"}], ["s5", "s1", "s2", "s3", "s4"], id="sort-keyword-desc-missing-last"
    ),
    pytest.param([{"when": "asc"}], ["s5", "s2", "s3", "s1", "s4"], id="sort-date-asc-by-instant"),
    pytest.param(
        [{"when": {"order": "desc"}}],
        ["s1", "s3", "s2", "s5", "s4"],
        id="sort-date-desc-by-instant",
    ),
    pytest.param([{"addr": "asc"}], ["s3", "s2", "s1", "s5", "s4"], id="sort-ip-asc-by-address"),
    pytest.param([{"addr": "desc"}], ["s5", "s1", "s2", "s3", "s4"], id="sort-ip-desc-by-address"),
    pytest.param([{"n": "asc"}], ["s2", "s3", "s5", "s1", "s4"], id="sort-numeric-asc-by-value"),
    pytest.param(
        [{"n": {"order": "desc"}}], ["s1", "s5", "s3", "s2", "s4"], id="sort-numeric-desc-by-value"
    ),
    pytest.param(
        [{"n": {"order": "asc", "missing": "_first"}}],
        ["s4", "s2", "s3", "s5", "s1"],
        id="sort-missing-first-when-asked",
    ),
]


@pytest.mark.parametrize(("sort", "expected"), SORT_CASES)
def test_sort(store, sort_index, sort, expected):
    """Sort by a field's typed values (keyword bytes, instants, addresses, numbers), missing last.

    Sort search results ("missing": default _last, for asc and desc alike),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/sort-search-results.html
    """
    assert _ids(store, sort_index, {"query": {"match_all": {}}, "sort": sort}) == expected


def test_sort_ties_broken_by_the_next_key(store, indexed):
    """A second sort key orders documents the first key ties on.

    Sort search results (multiple sort keys),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/sort-search-results.html
    """
    docs = {"a": {"k": "x", "n": 2}, "b": {"k": "x", "n": 1}, "c": {"k": "w", "n": 3}}
    index = indexed({"properties": {"k": {"type": "keyword"}, "n": {"type": "long"}}}, docs)
    assert _ids(store, index, {"sort": [{"k": "asc"}, {"n": "asc"}]}) == ["c", "b", "a"]


def test_sort_multi_valued_field_uses_min_asc_and_max_desc(store, indexed):
    """A multi-valued field sorts by its lowest value ascending and its highest descending.

    Sort search results ("Sort mode option": default min for asc, max for desc),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/sort-search-results.html
    """
    docs = {"multi": {"n": [1, 100]}, "fifty": {"n": 50}}
    index = indexed({"properties": {"n": {"type": "long"}}}, docs)
    assert _ids(store, index, {"sort": [{"n": "asc"}]}) == ["multi", "fifty"]
    assert _ids(store, index, {"sort": [{"n": "desc"}]}) == ["multi", "fifty"]


PAGE_CASES = [
    pytest.param({"size": 2}, ["s2", "s3"], id="size-limits-hits"),
    pytest.param({"size": 2, "from": 2}, ["s5", "s1"], id="from-skips-hits"),
    pytest.param({"size": 2, "from": 4}, ["s4"], id="from-near-the-end"),
    pytest.param({"size": 2, "from": 9}, [], id="from-past-the-end"),
    pytest.param({"size": 0}, [], id="size-zero-returns-no-hits"),
]


@pytest.mark.parametrize(("page", "expected"), PAGE_CASES)
def test_pagination(store, sort_index, page, expected):
    """size and from page through sorted hits; hits.total counts every match regardless.

    Paginate search results (from, size),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/paginate-search-results.html
    """
    body = {"query": {"match_all": {}}, "sort": [{"n": "asc"}], **page}
    response = store.search(sort_index, body)
    assert [hit["_id"] for hit in response["hits"]["hits"]] == expected
    assert response["hits"]["total"] == {"value": 5, "relation": "eq"}


def test_default_size_is_ten(store, indexed):
    """Without size, a search returns 10 hits (and the full total).

    Paginate search results ("By default, searches return the top 10 matching hits"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/paginate-search-results.html
    """
    index = indexed({"properties": {"n": {"type": "long"}}}, {str(i): {"n": i} for i in range(15)})
    response = store.search(index, {"query": {"match_all": {}}})
    assert len(response["hits"]["hits"]) == 10
    assert response["hits"]["total"] == {"value": 15, "relation": "eq"}


def test_hit_shape(store, sort_index):
    """Each hit carries the concrete _index, _id, _score and the stored _source.

    Search API response body (hits.hits: _index, _id, _score, _source),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-search.html
    """
    response = store.search(sort_index, {"query": {"term": {"name": "bravo"}}})
    (hit,) = response["hits"]["hits"]
    assert (hit["_index"], hit["_id"], hit["_source"]) == (sort_index, "s1", SORT_DOCS["s1"])
    assert isinstance(hit["_score"], (int, float))
    assert response["timed_out"] is False


def test_source_filtering(store, sort_index):
    """_source: [fields] returns only those fields of each document.

    Retrieve selected fields ("_source" option),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-fields.html#source-filtering
    """
    body = {"query": {"ids": {"values": ["s1"]}}, "_source": ["name", "n"]}
    (hit,) = store.search(sort_index, body)["hits"]["hits"]
    assert hit["_source"] == {"name": "bravo", "n": 100}


def test_track_total_hits_as_a_number(store, indexed):
    """track_total_hits: N counts exactly up to N, then answers {N, "gte"}.

    Track total hits, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-your-data.html#track-total-hits
    """
    index = indexed({"properties": {"n": {"type": "long"}}}, {str(i): {"n": i} for i in range(15)})
    body = {"query": {"match_all": {}}, "size": 0}
    capped = store.search(index, {**body, "track_total_hits": 10})["hits"]["total"]
    assert capped == {"value": 10, "relation": "gte"}
    exact = store.search(index, {**body, "track_total_hits": 20})["hits"]["total"]
    assert exact == {"value": 15, "relation": "eq"}


SOURCE_CASES = [
    pytest.param(False, None, id="source-false-returns-no-source"),
    pytest.param({"includes": ["name", "n"]}, {"name": "bravo", "n": 100}, id="source-includes"),
    pytest.param({"excludes": ["when", "addr"]}, {"name": "bravo", "n": 100}, id="source-excludes"),
    pytest.param(["na*"], {"name": "bravo"}, id="source-wildcard-pattern"),
]


@pytest.mark.parametrize(("source", "expected"), SOURCE_CASES)
def test_source_options(store, sort_index, source, expected):
    """_source: false drops it; includes/excludes (with wildcards) filter it.

    Retrieve selected fields, "Source filtering",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-fields.html#source-filtering
    """
    body = {"query": {"ids": {"values": ["s1"]}}, "_source": source}
    (hit,) = store.search(sort_index, body)["hits"]["hits"]
    assert hit.get("_source") == expected


BIG = 10_001


@pytest.fixture
def big_index(store, make_index) -> str:
    """An index of 10,001 small documents (one bulk call)."""
    index = make_index({"properties": {"n": {"type": "long"}, "k": {"type": "keyword"}}})
    actions = [
        {"_index": index, "_id": str(i), "_source": {"n": i, "k": "odd" if i % 2 else "even"}}
        for i in range(BIG)
    ]
    assert not store.bulk(actions, refresh=True)["errors"]
    return index


def test_total_hits_cap_and_track_total_hits(store, big_index):
    """hits.total is exact up to 10,000, then {10000, "gte"}; track_total_hits: true is exact.

    Track total hits ("the default is set to 10,000 ... When set to true the search response
    will always track the number of hits that match the query accurately"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-your-data.html#track-total-hits
    """
    match_all = {"query": {"match_all": {}}, "size": 0}
    assert store.search(big_index, match_all)["hits"]["total"] == {
        "value": 10_000,
        "relation": "gte",
    }
    exact = store.search(big_index, {**match_all, "track_total_hits": True})["hits"]["total"]
    assert exact == {"value": BIG, "relation": "eq"}
    below = {"query": {"range": {"n": {"lt": 500}}}, "size": 0}
    assert store.search(big_index, below)["hits"]["total"] == {"value": 500, "relation": "eq"}


def test_aggregation_counts_are_exact_past_the_total_hits_cap(store, big_index):
    """Aggregations count every matching document, whatever hits.total reports.

    Aggregations run over all documents the query matches (track_total_hits only limits the
    hit count), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations.html
    """
    body = {"size": 0, "query": {"match_all": {}}, "aggs": {"k": {"terms": {"field": "k"}}}}
    response = store.search(big_index, body)
    buckets = [(b["key"], b["doc_count"]) for b in response["aggregations"]["k"]["buckets"]]
    assert buckets == [("even", 5_001), ("odd", 5_000)]
    assert response["hits"]["total"] == {"value": 10_000, "relation": "gte"}


def test_scan_yields_every_hit_past_the_window(store, big_index):
    """scan returns every matching hit, beyond the 10,000 result window, each once.

    Paginate search results ("index.max_result_window ... 10,000"; scroll/point in time for
    more), https://www.elastic.co/guide/en/elasticsearch/reference/current/paginate-search-results.html
    """
    ids = [hit["_id"] for hit in store.scan(big_index, {"query": {"match_all": {}}})]
    assert len(ids) == BIG and set(ids) == {str(i) for i in range(BIG)}
    some = [
        hit["_id"] for hit in store.scan(big_index, {"query": {"range": {"n": {"gte": 10_000}}}})
    ]
    assert some == ["10000"]


def _window_docs() -> dict[str, dict]:
    """500 MozDef-shaped events over two days, timestamps written with assorted offsets."""
    start = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    zones = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    docs = {}
    for i in range(500):
        instant = start + timedelta(minutes=7 * i)
        doc = {"utctimestamp": instant.astimezone(zones[i % 3]).isoformat(), "n": i}
        if i % 5 == 0:
            doc["receivedtimestamp"] = (instant + timedelta(hours=6)).isoformat()
        if i % 11 == 0:
            doc["utctimestamp"] = [doc["utctimestamp"], (instant - timedelta(days=3)).isoformat()]
        if i % 13 == 0:
            del doc["utctimestamp"]
        docs[str(i)] = doc
    return docs


def _instants(doc: dict, field: str) -> list[datetime]:
    value = doc.get(field, [])
    return [datetime.fromisoformat(v) for v in (value if isinstance(value, list) else [value])]


def test_time_window_query_matches_instants(store, indexed, mozdef_mappings):
    """MozDef's time window (utctimestamp OR receivedtimestamp within [a, b]) selects by instant,
    across offsets, arrays and missing fields, and sorts by instant (desc: an array's highest
    value; missing last).

    Range query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html;
    Boolean query (should with minimum_should_match), https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-bool-query.html
    """
    docs = _window_docs()
    index = indexed(mozdef_mappings, docs)
    low, high = datetime(2026, 12, 3, 1, 0, tzinfo=UTC), datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    window = {"gte": "2026-12-03T02:00:00+01:00", "lte": "2026-12-02T19:00:00-08:00"}
    should = [{"range": {"utctimestamp": window}}, {"range": {"receivedtimestamp": window}}]
    query = {"bool": {"filter": [{"bool": {"should": should, "minimum_should_match": 1}}]}}
    expected = {
        doc_id
        for doc_id, doc in docs.items()
        if any(
            low <= t <= high
            for t in _instants(doc, "utctimestamp") + _instants(doc, "receivedtimestamp")
        )
    }
    body = {"query": query, "size": 1000, "sort": [{"utctimestamp": "desc"}]}
    hits = store.search(index, body)["hits"]["hits"]
    assert {hit["_id"] for hit in hits} == expected and len(expected) > 5
    present = sorted(
        (i for i in expected if _instants(docs[i], "utctimestamp")),
        key=lambda i: max(_instants(docs[i], "utctimestamp")),
        reverse=True,
    )
    got = [hit["_id"] for hit in hits]
    assert got[: len(present)] == present and set(got[len(present) :]) == expected - set(present)
    outside = store.search(
        index, {"query": {"bool": {"must_not": [query]}}, "size": 0, "track_total_hits": True}
    )
    assert outside["hits"]["total"]["value"] == len(docs) - len(expected)


LOW, HIGH = datetime(2026, 12, 3, 1, 0, tzinfo=UTC), datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
DAY_LOW, DAY_HIGH = datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC)
UTC_WINDOW = {
    "range": {"utctimestamp": {"gte": "2026-12-03T01:00:00Z", "lte": "2026-12-03T03:00:00Z"}}
}


def _utc_in(doc: dict, low: datetime = LOW, high: datetime = HIGH, high_open: bool = False) -> bool:
    instants = _instants(doc, "utctimestamp")
    return any(low <= t and (t < high if high_open else t <= high) for t in instants)


WINDOW_CASES = [
    pytest.param({"bool": {"must": [UTC_WINDOW]}}, _utc_in, id="window-in-must"),
    pytest.param(
        {"bool": {"must": [{"match_all": {}}], "should": [UTC_WINDOW]}},
        lambda doc: True,
        id="window-in-optional-should-restricts-nothing",
    ),
    pytest.param(
        {"bool": {"should": [UTC_WINDOW], "minimum_should_match": 0}},
        lambda doc: True,
        id="window-in-should-with-msm-zero-restricts-nothing",
    ),
    pytest.param(
        {"bool": {"must_not": [UTC_WINDOW]}},
        lambda doc: not _utc_in(doc),
        id="window-in-must_not-keeps-the-rest",
    ),
    pytest.param(
        {"bool": {"should": [UTC_WINDOW, {"term": {"n": "3"}}], "minimum_should_match": 1}},
        lambda doc: _utc_in(doc) or doc["n"] == 3,
        id="window-or-a-term-is-a-union",
    ),
    pytest.param(
        {
            "range": {
                "utctimestamp": {"gte": "03/12/2026", "lte": "03/12/2026", "format": "dd/MM/yyyy"}
            }
        },
        lambda doc: _utc_in(doc, DAY_LOW, DAY_HIGH, high_open=True),
        id="window-with-a-format",
    ),
    pytest.param(
        {
            "range": {
                "utctimestamp": {
                    "gte": "2026-12-03T02:00:00",
                    "lte": "2026-12-03T04:00:00",
                    "time_zone": "+01:00",
                }
            }
        },
        _utc_in,
        id="window-with-a-time_zone",
    ),
    pytest.param(
        {
            "range": {
                "utctimestamp": {
                    "gte": "2026-12-03T01:40:00Z||/h",
                    "lt": "2026-12-03T02:59:00Z||+1m/h",
                }
            }
        },
        lambda doc: _utc_in(doc, high=datetime(2026, 12, 3, 3, 0, tzinfo=UTC), high_open=True),
        id="window-with-date-math-rounding",
    ),
    pytest.param(
        {
            "range": {
                "utctimestamp": {
                    "gte": int(LOW.timestamp() * 1000),
                    "lte": int(HIGH.timestamp() * 1000),
                }
            }
        },
        _utc_in,
        id="window-with-epoch-millis",
    ),
]


@pytest.mark.parametrize(("query", "predicate"), WINDOW_CASES)
def test_time_window_shapes(store, indexed, mozdef_mappings, query, predicate):
    """Every way of writing a time window selects exactly the documents with an instant inside it,
    and a window in an optional or negated clause restricts nothing it should not.

    Range query (format, time_zone, date math), https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html;
    Boolean query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-bool-query.html
    """
    docs = _window_docs()
    index = indexed(mozdef_mappings, docs)
    expected = {doc_id for doc_id, doc in docs.items() if predicate(doc)}
    response = store.search(index, {"query": query, "size": 1000, "track_total_hits": True})
    assert {hit["_id"] for hit in response["hits"]["hits"]} == expected
