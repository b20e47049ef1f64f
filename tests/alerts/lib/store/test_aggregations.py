"""Aggregations as Elasticsearch returns them.

References (https://www.elastic.co/guide/en/elasticsearch/reference/current/...):
terms -> search-aggregations-bucket-terms-aggregation.html (size, order, min_doc_count,
missing, include/exclude, doc_count_error_upper_bound, sum_other_doc_count, key_as_string);
cardinality -> search-aggregations-metrics-cardinality-aggregation.html;
top_hits -> search-aggregations-metrics-top-hits-aggregation.html;
value_count, min, max -> search-aggregations-metrics-*-aggregation.html;
fielddata on text fields -> text.html#fielddata-mapping-param.
"""

from __future__ import annotations

from typing import Any

import pytest

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.aggregations import aggregate
from lib.store.mapping import Mapping

MAPPING = {
    "properties": {
        "user": {"type": "keyword"},
        "ok": {"type": "boolean"},
        "ip": {"type": "ip"},
        "n": {"type": "long"},
        "f": {"type": "float"},
        "when": {"type": "date"},
        "msg": {"type": "text"},
        "tags": {"type": "keyword"},
    }
}
DOCS = [
    {
        "user": "root",
        "ok": False,
        "ip": "10.0.0.2",
        "n": 0,
        "f": 1.5,
        "when": "2017-01-01T00:00:00Z",
        "msg": "a",
        "tags": ["x", "y", "x"],
    },
    {
        "user": "root",
        "ok": True,
        "ip": "10.0.0.10",
        "n": 5,
        "when": "2017-01-02T00:00:00Z",
        "tags": "",
    },
    {"user": "bob", "ok": False, "ip": "::1", "n": 5, "tags": []},
    {"user": "", "ip": "10.0.0.2"},
    {"user": ["bob", "alice"]},
]


@pytest.fixture(scope="module")
def hits() -> list[dict[str, Any]]:
    return [
        {"_index": "idx", "_id": str(i), "_score": 1.0, "_source": doc}
        for i, doc in enumerate(DOCS)
    ]


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    result = Mapping.from_body({"mappings": MAPPING})
    for doc in DOCS:
        result.prepare(doc)
    return result


def run(aggs: dict[str, Any], hits: list[dict[str, Any]], mapping: Mapping) -> dict[str, Any]:
    return aggregate(aggs, hits, lambda index: mapping, 0)


def buckets(result: dict[str, Any]) -> list[tuple[Any, int]]:
    return [(b["key"], b["doc_count"]) for b in result["buckets"]]


def test_terms_count_desc_then_key_asc(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    """Default order: _count desc, ties by _key asc; the empty string is a bucket."""
    result = run({"u": {"terms": {"field": "user"}}}, hits, mapping)["u"]
    assert buckets(result) == [("bob", 2), ("root", 2), ("", 1), ("alice", 1)]
    assert result["doc_count_error_upper_bound"] == 0 and result["sum_other_doc_count"] == 0


def test_terms_size_and_sum_other_doc_count(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    result = run({"u": {"terms": {"field": "user", "size": 2}}}, hits, mapping)["u"]
    assert buckets(result) == [("bob", 2), ("root", 2)]
    assert result["sum_other_doc_count"] == 2


def test_terms_one_bucket_per_distinct_array_element(
    hits: list[dict[str, Any]], mapping: Mapping
) -> None:
    result = run({"t": {"terms": {"field": "tags"}}}, hits, mapping)["t"]
    assert buckets(result) == [("", 1), ("x", 1), ("y", 1)], "x twice in one doc counts once"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param(
            "ok", [(0, 2, "false"), (1, 1, "true")], id="boolean-keys-1-0-with-key-as-string"
        ),
        pytest.param("n", [(5, 2, None), (0, 1, None)], id="numeric-keys-zero-is-a-bucket"),
        pytest.param("f", [(1.5, 1, None)], id="float-keys"),
        pytest.param(
            "ip",
            [("10.0.0.2", 2, None), ("::1", 1, None), ("10.0.0.10", 1, None)],
            id="ip-keys-ordered-as-addresses",
        ),
        pytest.param(
            "when",
            [
                (1483228800000, 1, "2017-01-01T00:00:00.000Z"),
                (1483315200000, 1, "2017-01-02T00:00:00.000Z"),
            ],
            id="date-keys-epoch-millis",
        ),
    ],
)
def test_terms_keys_per_field_type(
    hits: list[dict[str, Any]],
    mapping: Mapping,
    field: str,
    expected: list[tuple[Any, int, str | None]],
) -> None:
    result = run({"a": {"terms": {"field": field}}}, hits, mapping)["a"]
    assert [
        (b["key"], b["doc_count"], b.get("key_as_string")) for b in result["buckets"]
    ] == expected


def test_terms_order_option(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    by_key = run({"u": {"terms": {"field": "user", "order": {"_key": "desc"}}}}, hits, mapping)["u"]
    assert [b["key"] for b in by_key["buckets"]] == ["root", "bob", "alice", ""]
    by_count = run({"u": {"terms": {"field": "user", "order": {"_count": "asc"}}}}, hits, mapping)[
        "u"
    ]
    assert buckets(by_count) == [("", 1), ("alice", 1), ("bob", 2), ("root", 2)]


def test_terms_missing_and_min_doc_count(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    result = run(
        {"n": {"terms": {"field": "n", "missing": -1, "min_doc_count": 2}}}, hits, mapping
    )["n"]
    assert buckets(result) == [(-1, 2), (5, 2)]


def test_terms_include_exclude(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    result = run(
        {"u": {"terms": {"field": "user", "include": "b.*|r.*", "exclude": ["root"]}}},
        hits,
        mapping,
    )["u"]
    assert buckets(result) == [("bob", 2)]


def test_terms_on_unmapped_field_is_empty(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    assert run({"u": {"terms": {"field": "nope"}}}, hits, mapping)["u"]["buckets"] == []


def test_terms_on_text_field_raises_fielddata_error(
    hits: list[dict[str, Any]], mapping: Mapping
) -> None:
    with pytest.raises(QueryError, match="Fielddata is disabled on \\[msg\\]"):
        run({"m": {"terms": {"field": "msg"}}}, hits, mapping)


def test_sub_aggregations_and_top_hits(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    aggs = {
        "u": {
            "terms": {"field": "user", "size": 1},
            "aggs": {
                "ips": {"cardinality": {"field": "ip"}},
                "sample": {
                    "top_hits": {"size": 1, "sort": [{"n": "desc"}], "_source": ["user", "n"]}
                },
            },
        }
    }
    (bucket,) = run(aggs, hits, mapping)["u"]["buckets"]
    assert bucket["key"] == "bob" and bucket["ips"] == {"value": 1}
    sample = bucket["sample"]["hits"]
    assert sample["total"] == {"value": 2, "relation": "eq"}
    assert [h["_source"] for h in sample["hits"]] == [{"user": "bob", "n": 5}]
    assert sample["hits"][0]["sort"] == [5]


def test_metrics(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    result = run(
        {
            "c": {"cardinality": {"field": "user"}},
            "v": {"value_count": {"field": "user"}},
            "lo": {"min": {"field": "n"}},
            "hi": {"max": {"field": "when"}},
            "none": {"max": {"field": "nope"}},
        },
        hits,
        mapping,
    )
    assert result["c"] == {"value": 4} and result["v"] == {"value": 6}
    assert result["lo"] == {"value": 0.0}
    assert result["hi"] == {"value": 1483315200000.0, "value_as_string": "2017-01-02T00:00:00.000Z"}
    assert result["none"] == {"value": None}


def test_unsupported_aggregation_is_named(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    with pytest.raises(UnsupportedQueryError, match="date_histogram"):
        run({"h": {"date_histogram": {"field": "when", "calendar_interval": "day"}}}, hits, mapping)


def test_malformed_aggregation(hits: list[dict[str, Any]], mapping: Mapping) -> None:
    with pytest.raises(QueryError):
        run({"u": {"terms": {"field": "user"}, "cardinality": {"field": "user"}}}, hits, mapping)
    with pytest.raises(QueryError):
        run({"u": {"terms": {}}}, hits, mapping)
