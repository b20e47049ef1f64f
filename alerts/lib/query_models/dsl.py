"""Compiling query builders into the Elasticsearch request DSL (plain, JSON-ready dicts).

Two rules are applied on top of `elasticsearch.dsl`'s own `to_dict()`:

- every `bool` with `should` clauses carries `minimum_should_match` (1 unless the
  query set it), so that "should" means "at least one of" on every Elasticsearch
  version and in the embedded store. (Elasticsearch 6 required a should clause in
  filter context but not in query context next to `must`; 7 and later never do next
  to `must`/`filter`. See "Boolean query" in the Elasticsearch reference.)
- datetimes anywhere in the query become absolute ISO 8601 UTC text, so no store ever
  interprets a timestamp with its own clock or time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from elasticsearch.dsl.aggs import Agg
from elasticsearch.dsl.query import Query

from lib.errors import QueryError
from lib.utctime import format_instant

__all__ = ["aggregation_name", "aggs_dsl", "to_dsl"]

_BOOL_CLAUSES = ("must", "filter", "should", "must_not")


def to_dsl(query: Query) -> dict[str, Any]:
    """The Elasticsearch query dict for a builder or a composition of builders."""
    if not isinstance(query, Query):
        raise QueryError(f"to_dsl takes a query builder (e.g. TermMatch), got {query!r}")
    return _require_should(_jsonable(query.to_dict()))


def aggs_dsl(aggregations: Iterable[Agg]) -> dict[str, Any]:
    """The request's `aggs` dict: each terms aggregation named after its field, as MozDef did."""
    return {aggregation_name(agg): _jsonable(agg.to_dict()) for agg in aggregations}


def aggregation_name(aggregation: Agg) -> str:
    """The name a terms aggregation is requested (and answered) under: its field."""
    body = aggregation.to_dict() if isinstance(aggregation, Agg) else None
    field = (body or {}).get("terms", {}).get("field")
    if not isinstance(field, str):
        raise QueryError(f"add_aggregation takes Aggregation(field), got {aggregation!r}")
    return field


def _require_should(query: dict[str, Any]) -> dict[str, Any]:
    """Recursively give every bool with should clauses a `minimum_should_match`."""
    if set(query) != {"bool"} or not isinstance(query["bool"], dict):
        return query
    body = dict(query["bool"])
    for clause in _BOOL_CLAUSES:
        if clause in body:
            items = body[clause] if isinstance(body[clause], list) else [body[clause]]
            body[clause] = [_require_should(item) for item in items]
    if body.get("should"):
        body.setdefault("minimum_should_match", 1)
    return {"bool": body}


def _jsonable(value: Any) -> Any:
    """A copy of `value` with every date or datetime turned into ISO 8601 UTC text."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return format_instant(value)
    return value
