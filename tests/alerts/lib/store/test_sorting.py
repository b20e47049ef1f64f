"""Sorting hits as Elasticsearch does.

Reference: https://www.elastic.co/guide/en/elasticsearch/reference/current/sort-search-results.html
(sort order defaults: asc for fields, desc for _score; `mode` default min for asc, max for desc;
`missing` default _last; `unmapped_type`; sort values returned per hit) and
text.html#fielddata-mapping-param (no sorting on text fields by default).
"""

from __future__ import annotations

from typing import Any

import pytest

from lib.errors import QueryError
from lib.store.mapping import Mapping
from lib.store.sorting import filter_source, sort_hits

MAPPING = Mapping.from_body(
    {
        "mappings": {
            "properties": {
                "when": {"type": "date"},
                "ip": {"type": "ip"},
                "n": {"type": "long"},
                "name": {"type": "keyword"},
                "msg": {"type": "text"},
            }
        }
    }
)
DOCS = {
    "a": {"when": "2017-01-01T12:00:00+02:00", "ip": "10.0.0.10", "n": [3, 30], "name": "b"},
    "b": {"when": "2017-01-01T11:00:00Z", "ip": "10.0.0.9", "n": 10, "name": "B"},
    "c": {"when": "2017-01-01T10:30:00Z", "ip": "::1", "name": "a"},
}


def hits() -> list[dict[str, Any]]:
    return [{"_index": "i", "_id": k, "_score": 1.0, "_source": v} for k, v in DOCS.items()]


def order(sort: Any) -> list[str]:
    return [h["_id"] for h in sort_hits(hits(), sort, lambda index: MAPPING)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param("when", ["a", "c", "b"], id="dates-compare-as-instants"),
        pytest.param({"when": "desc"}, ["b", "c", "a"], id="desc"),
        pytest.param([{"ip": {"order": "asc"}}], ["c", "b", "a"], id="ips-compare-as-addresses"),
        pytest.param([{"n": "asc"}], ["a", "b", "c"], id="multi-valued-asc-uses-min-missing-last"),
        pytest.param([{"n": "desc"}], ["a", "b", "c"], id="multi-valued-desc-uses-max"),
        pytest.param(
            [{"n": {"order": "asc", "missing": "_first"}}], ["c", "a", "b"], id="missing-first"
        ),
        pytest.param(
            [{"n": {"order": "asc", "missing": 5}}], ["a", "c", "b"], id="missing-custom-value"
        ),
        pytest.param([{"n": {"order": "desc", "mode": "min"}}], ["b", "a", "c"], id="mode-min"),
        pytest.param("name", ["b", "c", "a"], id="keyword-by-code-point"),
        pytest.param(["_doc"], ["a", "b", "c"], id="doc-order"),
        pytest.param(
            [{"nope": {"unmapped_type": "long"}}, "name"], ["b", "c", "a"], id="unmapped-type"
        ),
    ],
)
def test_sort_order(sort: Any, expected: list[str]) -> None:
    assert order(sort) == expected


def test_sort_values_are_set() -> None:
    sorted_hits = sort_hits(
        hits(), [{"when": "asc"}, {"ip": "asc"}, {"n": "asc"}], lambda i: MAPPING
    )
    first = sorted_hits[0]
    assert first["_id"] == "a" and first["sort"] == [1483264800000, "10.0.0.10", 3]
    assert first["_score"] is None, "sorting by a field leaves _score null"
    last = sort_hits(hits(), [{"n": "asc"}], lambda i: MAPPING)[-1]
    assert last["sort"] == [2**63 - 1], "a missing long sorts last with Long.MAX_VALUE"


def test_sort_does_not_mutate_input() -> None:
    original = hits()
    sort_hits(original, "when", lambda i: MAPPING)
    assert "sort" not in original[0]


@pytest.mark.parametrize(
    ("sort", "message"),
    [
        pytest.param("msg", "Fielddata is disabled", id="text-field-fielddata-error"),
        pytest.param("nope", "No mapping found for \\[nope\\]", id="unmapped-field"),
        pytest.param([{"when": {"order": "sideways"}}], "unknown order", id="bad-order"),
    ],
)
def test_sort_errors(sort: Any, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        order(sort)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(True, {"a": 1, "d": {"x": 1, "y": 2}}, id="true-keeps-all"),
        pytest.param(False, None, id="false-drops-source"),
        pytest.param(["d.x"], {"d": {"x": 1}}, id="include-nested-path"),
        pytest.param(
            {"includes": ["d"], "excludes": ["d.y"]}, {"d": {"x": 1}}, id="include-exclude"
        ),
        pytest.param("d.*", {"d": {"x": 1, "y": 2}}, id="wildcard-pattern"),
    ],
)
def test_filter_source(spec: Any, expected: dict[str, Any] | None) -> None:
    """Search `_source` filtering (search-fields.html#source-filtering)."""
    assert filter_source({"a": 1, "d": {"x": 1, "y": 2}}, spec) == expected
