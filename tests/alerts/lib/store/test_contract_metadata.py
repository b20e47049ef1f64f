"""Contract: queries on the metadata fields ``_id`` and ``_index``.

Elasticsearch answers ``term``/``terms``/``match``/``query_string`` on ``_id`` from the
document's id, and ``term``/``terms``/``match``/``query_string``/``prefix``/``wildcard``
on ``_index`` by resolving the value as an index expression (name, alias or ``*``
pattern) against the index each document lives in. Each case cites the reference page.
"""

from __future__ import annotations

import pytest

from lib.errors import UnsupportedQueryError

DOCS = {"1": {"txt": "one"}, "2": {"txt": "two"}, "10": {"txt": "ten"}}


@pytest.fixture
def two_indices(make_index, load, store):
    """Two indices holding DOCS; the first also behind the alias ``<first>-alias``."""
    first, second = make_index({"properties": {"txt": {"type": "text"}}}), make_index(None)
    load(first, DOCS)
    load(second, {"3": {"txt": "three"}})
    store.put_alias(first, f"{first}-alias")
    return first, second


ID_CASES = [
    pytest.param({"term": {"_id": "1"}}, {"1"}, id="term-on-_id"),
    pytest.param({"term": {"_id": {"value": "10"}}}, {"10"}, id="term-on-_id-exact-not-prefix"),
    pytest.param({"term": {"_id": 2}}, {"2"}, id="term-on-_id-number-as-string"),
    pytest.param({"term": {"_id": "nope"}}, set(), id="term-on-_id-no-such-id"),
    pytest.param({"terms": {"_id": ["1", "2", "x"]}}, {"1", "2"}, id="terms-on-_id"),
    pytest.param({"match": {"_id": "10"}}, {"10"}, id="match-on-_id-is-a-term-query"),
    pytest.param({"match_phrase": {"_id": "2"}}, {"2"}, id="match_phrase-on-_id-single-term"),
    pytest.param({"query_string": {"query": "_id:1"}}, {"1"}, id="query_string-on-_id"),
    pytest.param(
        {"query_string": {"query": "_id:1 OR _id:10"}}, {"1", "10"}, id="query_string-_id-or"
    ),
    pytest.param(
        {"multi_match": {"query": "1", "fields": ["_id", "txt"]}}, {"1"}, id="multi_match-_id"
    ),
    pytest.param({"exists": {"field": "_id"}}, {"1", "2", "10"}, id="exists-_id-every-document"),
    pytest.param(
        {"bool": {"must_not": {"term": {"_id": "1"}}}}, {"2", "10"}, id="must_not-term-on-_id"
    ),
]


@pytest.mark.parametrize(("query", "expected"), ID_CASES)
def test_id_field_queries(indexed, search_ids, query, expected):
    """``_id`` is accessible in term, terms, match and query_string queries; it always exists.

    _id field, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-id-field.html
    """
    index = indexed({"properties": {"txt": {"type": "text"}}}, DOCS)
    assert search_ids(index, query) == expected


def _index_cases(first: str, second: str) -> list[tuple[dict, set[str]]]:
    both = {"1", "2", "10", "3"}
    return [
        ({"term": {"_index": first}}, {"1", "2", "10"}),
        ({"term": {"_index": {"value": second}}}, {"3"}),
        ({"term": {"_index": "no-such-index"}}, set()),
        ({"term": {"_index": f"{first}-alias"}}, {"1", "2", "10"}),
        ({"terms": {"_index": [first, second]}}, both),
        ({"match": {"_index": second}}, {"3"}),
        ({"query_string": {"query": f"_index:{second}"}}, {"3"}),
        ({"query_string": {"query": f"_index:{first} AND txt:one"}}, {"1"}),
        ({"prefix": {"_index": first[:-2]}}, {"1", "2", "10"}),
        ({"prefix": {"_index": "vigil-contract-"}}, both),
        ({"wildcard": {"_index": f"{first[:-3]}*"}}, {"1", "2", "10"}),
        ({"wildcard": {"_index": "*-alias"}}, {"1", "2", "10"}),
        ({"wildcard": {"_index": "nomatch*"}}, set()),
        ({"exists": {"field": "_index"}}, both),
        ({"bool": {"must_not": {"term": {"_index": first}}}}, {"3"}),
    ]


def test_index_field_queries(two_indices, search_ids):
    """``_index`` matches the documents of the indices its value (name, alias, pattern) names.

    _index field, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-index-field.html
    """
    first, second = two_indices
    for query, expected in _index_cases(first, second):
        assert search_ids([first, second], query) == expected, query


def test_index_field_in_a_filter_aggregation(two_indices, store):
    """A ``filter`` aggregation on ``_index`` counts the documents of that index.

    _index field, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-index-field.html
    """
    first, second = two_indices
    body = {"size": 0, "aggs": {"in_second": {"filter": {"term": {"_index": second}}}}}
    response = store.search([first, second], body)
    assert response["aggregations"]["in_second"]["doc_count"] == 1


def test_index_field_in_scan(two_indices, store):
    """scan evaluates ``_index`` per index like search does.

    _index field, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-index-field.html
    """
    first, second = two_indices
    hits = store.scan([first, second], {"query": {"term": {"_index": first}}})
    assert {hit["_id"] for hit in hits} == {"1", "2", "10"}


UNSUPPORTED = [
    pytest.param({"range": {"_id": {"gte": "1"}}}, "range", id="range-on-_id"),
    pytest.param({"prefix": {"_id": "1"}}, "prefix", id="prefix-on-_id"),
    pytest.param({"wildcard": {"_id": "1*"}}, "wildcard", id="wildcard-on-_id"),
    pytest.param({"regexp": {"_index": "vigil.*"}}, "regexp", id="regexp-on-_index"),
    pytest.param({"wildcard": {"_index": "vigil-?ontract*"}}, "_index", id="question-mark"),
    pytest.param({"term": {"_index": "<vigil-{now/d}>"}}, "_index", id="date-math-expression"),
    pytest.param({"term": {"_routing": "x"}}, "_routing", id="term-on-_routing"),
    pytest.param({"exists": {"field": "_ignored"}}, "_ignored", id="exists-on-_ignored"),
    pytest.param({"exists": {"field": "_*"}}, r"_\*", id="exists-pattern-over-metadata"),
]


@pytest.mark.parametrize(("query", "named"), UNSUPPORTED)
def test_metadata_queries_the_embedded_store_does_not_implement_raise(
    backend, two_indices, store, query, named
):
    """Other queries on metadata fields raise UnsupportedQueryError (embedded leg only).

    _id field, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-id-field.html
    """
    if backend == "elasticsearch":
        pytest.skip("Elasticsearch answers these from its own index structures")
    with pytest.raises(UnsupportedQueryError, match=named):
        store.search(list(two_indices), {"query": query})
