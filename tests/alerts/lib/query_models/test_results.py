"""SimpleResults and AggregatedResults: MozDef's result shape from an Elasticsearch response.

The response shape is Elasticsearch's search API ("Search API", response body:
`timed_out`, `hits.hits[]` with `_index`, `_id`, `_score`, `_source`; "Terms
aggregation": `buckets[]` with `key`, `doc_count`).
"""

from __future__ import annotations

import pytest

from lib.errors import StoreError
from lib.query_models import AggregatedResults, SimpleResults

RESPONSE = {
    "took": 3,
    "timed_out": False,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {
        "total": {"value": 2, "relation": "eq"},
        "max_score": 0.0,
        "hits": [
            {"_index": "events-20170101", "_id": "a1", "_score": 0.0, "_source": {"x": 1}},
            {"_index": "events-20161231", "_id": "b2", "_score": 0.0, "_source": {"x": 2}},
        ],
    },
    "aggregations": {
        "details.sourceipaddress": {
            "doc_count_error_upper_bound": 0,
            "sum_other_doc_count": 0,
            "buckets": [
                {"key": "10.0.0.2", "doc_count": 7},
                {"key": "10.0.0.1", "doc_count": 3},
            ],
        }
    },
}

HITS = [
    {"_id": "a1", "_index": "events-20170101", "_score": 0.0, "_source": {"x": 1}},
    {"_id": "b2", "_index": "events-20161231", "_score": 0.0, "_source": {"x": 2}},
]


def test_simple_results_keep_meta_and_hits_only():
    assert SimpleResults(RESPONSE) == {"meta": {"timed_out": False}, "hits": HITS}


def test_aggregated_results_add_buckets_as_key_and_count():
    assert AggregatedResults(RESPONSE) == {
        "meta": {"timed_out": False},
        "hits": HITS,
        "aggregations": {
            "details.sourceipaddress": {
                "terms": [{"key": "10.0.0.2", "count": 7}, {"key": "10.0.0.1", "count": 3}]
            }
        },
    }


def test_results_are_plain_dicts():
    results = AggregatedResults(RESPONSE)
    assert isinstance(results, dict)
    assert isinstance(results, SimpleResults)


def test_timed_out_is_reported():
    assert SimpleResults({**RESPONSE, "timed_out": True})["meta"] == {"timed_out": True}


def test_response_without_aggregations_gives_none():
    response = {key: value for key, value in RESPONSE.items() if key != "aggregations"}
    assert AggregatedResults(response)["aggregations"] == {}


def test_falsy_bucket_keys_are_kept():
    response = {**RESPONSE, "aggregations": {"ok": {"buckets": [{"key": 0, "doc_count": 2}]}}}
    assert AggregatedResults(response)["aggregations"] == {
        "ok": {"terms": [{"key": 0, "count": 2}]}
    }


@pytest.mark.parametrize(
    ("response", "missing"),
    [
        pytest.param({"timed_out": False}, "'hits'", id="no hits"),
        pytest.param({"hits": {"hits": [{"_index": "e"}]}}, "'_id'", id="hit without id"),
        pytest.param({"hits": {}}, "'hits'", id="no inner hits"),
    ],
)
def test_malformed_response_names_what_is_missing(response, missing):
    with pytest.raises(StoreError, match=missing):
        SimpleResults(response)
