"""Query builders: alert authors' names for Elasticsearch queries (MozDef's API).

Each builder returns an `elasticsearch.dsl` query object (`Q`), or a terms aggregation
(`A`) for `Aggregation`, so builders compose with `|` (at least one of), `&` (all of)
and `~` (not) exactly as MozDef's did. `lib.query_models.dsl.to_dsl` turns a composed
query into the request dict; the golden tests pin the dict each builder produces.

Parameter names are MozDef's (`key`, `value`, `field_name`, ...), so alerts that pass
them by keyword keep working. Datetime bounds are sent as absolute ISO 8601 UTC text.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import date
from typing import Any

from elasticsearch.dsl import A, Q
from elasticsearch.dsl.aggs import Agg
from elasticsearch.dsl.query import Query

from lib.errors import QueryError
from lib.utctime import format_instant

__all__ = [
    "Aggregation",
    "BooleanMatch",
    "ExistsMatch",
    "LessThanMatch",
    "PhraseMatch",
    "QueryStringMatch",
    "RangeMatch",
    "SubnetMatch",
    "TermMatch",
    "TermsMatch",
    "WildcardMatch",
    "as_queries",
]


def TermMatch(key: str, value: Any) -> Query:
    """A `match` query: analysed per the field's type (exact on keyword, tokens on text)."""
    return Q("match", **{_field(key): value})


def TermsMatch(key: str, value: Iterable[Any]) -> Query:
    """A `terms` query: the field equals any of `value` exactly."""
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise QueryError(f"TermsMatch({key!r}) needs a list of values, got {value!r}")
    return Q("terms", **{_field(key): list(value)})


def PhraseMatch(key: str, value: str) -> Query:
    """A `match_phrase` query: the words of `value`, adjacent and in order."""
    return Q("match_phrase", **{_field(key): value})


def QueryStringMatch(query_str: str) -> Query:
    """A `query_string` query in Lucene syntax."""
    if not isinstance(query_str, str) or not query_str.strip():
        raise QueryError(f"QueryStringMatch needs a non-empty query string, got {query_str!r}")
    return Q("query_string", query=query_str)


def ExistsMatch(field_name: str) -> Query:
    """An `exists` query: the field holds at least one non-null value."""
    return Q("exists", field=_field(field_name))


def RangeMatch(field_name: str, from_value: Any, to_value: Any) -> Query:
    """A `range` query, inclusive at both ends (`gte`, `lte`)."""
    bounds = {"gte": _bound(from_value), "lte": _bound(to_value)}
    return Q("range", **{_field(field_name): bounds})


def LessThanMatch(field_name: str, to_value: Any) -> Query:
    """A `range` query with an exclusive upper bound (`lt`)."""
    return Q("range", **{_field(field_name): {"lt": _bound(to_value)}})


def WildcardMatch(key: str, value: str) -> Query:
    """A `wildcard` query (`*` any characters, `?` one character)."""
    return Q("wildcard", **{_field(key): value})


def SubnetMatch(key: str, value: str) -> Query:
    """A `term` query with a CIDR: the `ip` field lies inside the network (IPv4 or IPv6).

    Host bits are masked as Elasticsearch masks them (``10.1.2.3/8`` is ``10.0.0.0/8``)
    and a bare address is its own /32 or /128 network. A `term` with a CIDR is the form
    Elasticsearch's `ip` field type documents for subnet search; it needs an `ip` field,
    which MozDef's mapping gives the source and destination addresses. (MozDef sent a
    `query_string` range of the first to last address, IPv4 only, which on a keyword
    field compares text, not addresses.)
    """
    try:
        network = ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError as exc:
        raise QueryError(f"SubnetMatch({key!r}): {value!r} is not a CIDR: {exc}") from exc
    return Q("term", **{_field(key): str(network)})


def BooleanMatch(
    must: Query | list[Query] | None = None,
    must_not: Query | list[Query] | None = None,
    should: Query | list[Query] | None = None,
) -> Query:
    """A `bool` query; `should` means "at least one of" (`minimum_should_match: 1`)."""
    clauses = {
        "must": as_queries(must, "must"),
        "must_not": as_queries(must_not, "must_not"),
        "should": as_queries(should, "should"),
    }
    if clauses["should"]:
        return Q("bool", minimum_should_match=1, **clauses)
    return Q("bool", **clauses)


def Aggregation(field_name: str, aggregation_size: int = 20, *, size: int | None = None) -> Agg:
    """A `terms` aggregation on `field_name` with `size` buckets (MozDef: aggregation_size)."""
    buckets = aggregation_size if size is None else size
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
        raise QueryError(
            f"Aggregation({field_name!r}) size must be a positive int, got {buckets!r}"
        )
    return A("terms", field=_field(field_name), size=buckets)


def as_queries(value: Query | list[Query] | tuple[Query, ...] | None, role: str) -> list[Query]:
    """Normalise one query, a list of queries or None into a list, checking each item."""
    if value is None:
        return []
    items = list(value) if isinstance(value, list | tuple) else [value]
    for item in items:
        if not isinstance(item, Query):
            raise QueryError(f"{role} takes query builders (e.g. TermMatch), got {item!r}")
    return items


def _field(name: str) -> str:
    if not isinstance(name, str) or not name:
        raise QueryError(f"a field name must be a non-empty string, got {name!r}")
    return name


def _bound(value: Any) -> Any:
    return format_instant(value) if isinstance(value, date) else value
