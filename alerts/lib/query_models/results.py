"""Search results in MozDef's shape, built from an Elasticsearch search response dict.

    {'meta': {'timed_out': bool},
     'hits': [{'_id', '_index' (the concrete index), '_score', '_source'}],
     'aggregations': {name: {'terms': [{'key', 'count'}]}}}   # AggregatedResults only

Both are plain dict subclasses, so alerts index them exactly as they indexed MozDef's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lib.errors import StoreError

__all__ = ["AggregatedResults", "SimpleResults"]


class SimpleResults(dict[str, Any]):
    """The hits of a search response, in MozDef's shape."""

    def __init__(self, response: Mapping[str, Any]) -> None:
        super().__init__(
            meta={"timed_out": bool(response.get("timed_out", False))},
            hits=[_hit(hit) for hit in _field(_field(response, "hits"), "hits")],
        )


class AggregatedResults(SimpleResults):
    """The hits and terms-aggregation buckets of a search response, in MozDef's shape."""

    def __init__(self, response: Mapping[str, Any]) -> None:
        super().__init__(response)
        answered = response.get("aggregations") or {}
        self["aggregations"] = {
            name: {"terms": [_bucket(bucket) for bucket in _field(agg, "buckets")]}
            for name, agg in answered.items()
        }


def _hit(hit: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "_id": _field(hit, "_id"),
        "_index": _field(hit, "_index"),
        "_score": hit.get("_score"),
        "_source": hit.get("_source", {}),
    }


def _bucket(bucket: Mapping[str, Any]) -> dict[str, Any]:
    return {"key": _field(bucket, "key"), "count": _field(bucket, "doc_count")}


def _field(part: Mapping[str, Any], key: str) -> Any:
    try:
        return part[key]
    except (KeyError, TypeError) as exc:
        raise StoreError(f"search response has no {key!r} in {part!r}") from exc
