"""Search requests and responses of the embedded store, in Elasticsearch's shapes.

`parse_request` checks a search body (unknown keys are errors, never ignored);
`build_response` turns the matching hits into Elasticsearch's response: `hits.total`
per ``track_total_hits`` (default: exact up to 10,000, then ``relation: gte``),
`from`/`size` paging within ``index.max_result_window`` (10,000), `sort`, `_source`
filtering and `aggregations`. Scores: every hit of a search gets the query's constant
score (`scoring.query_score`: 0.0 in filter context, a ``constant_score`` boost, else
1.0; relevance scoring, BM25, is not emulated); with a `sort`, `_score` and
`max_score` are null as in Elasticsearch unless ``track_scores`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.aggregations import aggregate
from lib.store.mapping import Mapping
from lib.store.metadata_query import IndexNames
from lib.store.scoring import query_score
from lib.store.sorting import sort_hits

DEFAULT_SIZE = 10
TOTAL_HITS_CAP = 10_000
MAX_RESULT_WINDOW = 10_000
_SUPPORTED = frozenset(
    (
        "query",
        "aggs",
        "aggregations",
        "size",
        "from",
        "sort",
        "track_total_hits",
        "_source",
        "track_scores",
        "timeout",
    )
)
_NOT_EMULATED = frozenset(
    (
        "highlight",
        "collapse",
        "search_after",
        "post_filter",
        "script_fields",
        "docvalue_fields",
        "stored_fields",
        "suggest",
        "rescore",
        "pit",
        "runtime_mappings",
        "fields",
        "version",
        "seq_no_primary_term",
        "explain",
        "indices_boost",
        "min_score",
        "profile",
        "terminate_after",
        "stats",
        "ext",
        "knn",
        "slice",
        "retriever",
        "rank",
    )
)


@dataclass(frozen=True)
class SearchRequest:
    """A checked search body."""

    query: Any
    aggs: dict[str, Any] | None
    size: int
    start: int
    sort: Any
    track_total_hits: bool | int
    source: Any
    track_scores: bool


def parse_request(body: dict[str, Any] | None, paged: bool = True) -> SearchRequest:
    """Check a search `body`; QueryError/UnsupportedQueryError name the offending key."""
    body = body or {}
    if not isinstance(body, dict):
        raise QueryError("parsing_exception: the search body must be a JSON object")
    for key in body:
        if key in _NOT_EMULATED:
            raise UnsupportedQueryError(
                f"search option [{key}] is not supported by the embedded store"
            )
        if key not in _SUPPORTED:
            raise QueryError(f"parsing_exception: Unknown key for a START_OBJECT in [{key}].")
    size = _non_negative(body, "size", DEFAULT_SIZE)
    start = _non_negative(body, "from", 0)
    if paged and start + size > MAX_RESULT_WINDOW:
        raise QueryError(
            "illegal_argument_exception: Result window is too large, from + size must be less than"
            f" or equal to: [{MAX_RESULT_WINDOW}] but was [{start + size}]. See the scroll api for"
            " a more efficient way to request large data sets."
        )
    aggs = body.get("aggs", body.get("aggregations"))
    if aggs is not None and not isinstance(aggs, dict):
        raise QueryError("parsing_exception: [aggs] must be an object")
    tracking = body.get("track_total_hits", TOTAL_HITS_CAP)
    if not isinstance(tracking, bool | int):
        raise QueryError(
            f"parsing_exception: [track_total_hits] must be a boolean or an integer, got [{tracking}]"
        )
    return SearchRequest(
        body.get("query"),
        aggs or None,
        size,
        start,
        body.get("sort"),
        tracking,
        body.get("_source", True),
        bool(body.get("track_scores")),
    )


def build_response(
    request: SearchRequest,
    hits: list[dict[str, Any]],
    mapping_for: Callable[[str], Mapping],
    now_ms: int,
    took_ms: int,
    names_for: Callable[[str], IndexNames] | None = None,
) -> dict[str, Any]:
    """The Elasticsearch search response for `hits` (all matching hits, in index order).

    `names_for` gives each index's names, for ``_index`` clauses in ``filter`` aggregations.
    """
    result_hits: dict[str, Any] = {}
    total = _total(len(hits), request.track_total_hits)
    if total is not None:
        result_hits["total"] = total
    aggregations = (
        aggregate(request.aggs, hits, mapping_for, now_ms, names_for) if request.aggs else None
    )
    score = query_score(request.query) if not request.sort or request.track_scores else None
    if request.sort:
        hits = sort_hits(hits, request.sort, mapping_for)
    page = [
        shape_hit(hit, request.source, score)
        for hit in hits[request.start : request.start + request.size]
    ]
    result_hits["max_score"] = score if hits and request.size else None
    result_hits["hits"] = page
    response: dict[str, Any] = {
        "took": took_ms,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": result_hits,
    }
    if aggregations is not None:
        response["aggregations"] = aggregations
    return response


def shape_hit(hit: dict[str, Any], source_spec: Any, score: float | None = 1.0) -> dict[str, Any]:
    """A copy of `hit` with `_source` filtered per `source_spec` and its `_score` set."""
    shaped = dict(hit)
    shaped["_score"] = score
    if source_spec is True or source_spec is None:
        return shaped
    if source_spec is False:
        shaped.pop("_source", None)
        return shaped
    includes, excludes = _source_patterns(source_spec)
    shaped["_source"] = filter_source(hit["_source"], includes, excludes)
    return shaped


def filter_source(
    source: dict[str, Any], includes: list[str], excludes: list[str], prefix: str = ""
) -> dict[str, Any]:
    """`source` keeping paths matching `includes` (all if empty) and not `excludes`."""
    kept: dict[str, Any] = {}
    for key, value in source.items():
        path = f"{prefix}{key}"
        if any(fnmatchcase(path, pattern) for pattern in excludes):
            continue
        whole = not includes or any(fnmatchcase(path, pattern) for pattern in includes)
        if isinstance(value, dict):
            inner = filter_source(value, [] if whole else includes, excludes, f"{path}.")
            if whole or inner:
                kept[key] = inner
        elif whole:
            kept[key] = value
        elif isinstance(value, list) and _may_contain(path, includes):
            items = [
                filter_source(item, includes, excludes, f"{path}.")
                for item in value
                if isinstance(item, dict)
            ]
            if any(items):
                kept[key] = [item for item in items if item]
    return kept


def _may_contain(path: str, includes: list[str]) -> bool:
    for pattern in includes:
        head = pattern.split("*", 1)[0]
        if pattern.startswith(f"{path}.") or ("*" in pattern and f"{path}.".startswith(head)):
            return True
    return False


def _source_patterns(spec: Any) -> tuple[list[str], list[str]]:
    if isinstance(spec, str):
        return [spec], []
    if isinstance(spec, list):
        return [str(item) for item in spec], []
    if isinstance(spec, dict):
        includes = spec.get("includes", spec.get("include", []))
        excludes = spec.get("excludes", spec.get("exclude", []))
        return _as_list(includes), _as_list(excludes)
    raise QueryError(
        f"parsing_exception: [_source] must be a boolean, string, array or object, got [{spec}]"
    )


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(item) for item in value or []]


def _total(count: int, tracking: bool | int) -> dict[str, Any] | None:
    if tracking is False:
        return None
    if tracking is True or count <= tracking:
        return {"value": count, "relation": "eq"}
    return {"value": tracking, "relation": "gte"}


def _non_negative(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"parsing_exception: [{key}] must be an integer, got [{value}]")
    if value < 0:
        raise QueryError(
            f"illegal_argument_exception: [{key}] parameter cannot be negative, found [{value}]"
        )
    return value
