"""Field-level queries of the embedded engine: one entry point, each field type's rules.

`FieldQueries` turns a term-level or full-text clause on one field into a compiled
`Node`: it checks the clause's options, resolves the field in the index's mapping and
hands the value to the query family's rules - exact values in `term_query.py`, full text
in `text_query.py`, ranges in `range_query.py` - which apply the field type's semantics
(`docvalues.py`). Pattern queries (``wildcard``, ``prefix``, ``regexp``) live here: they
test keyword values or text tokens against patterns translated by `patterns.py`.

Unmapped fields match nothing. A query value the field cannot hold raises `QueryError`
unless the clause is ``lenient``, when that field matches nothing instead.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.docvalues import (
    OTHER_TYPES,
    SEARCHABLE_TYPES,
    STRING_TYPES,
    doc_values,
    keyword_text,
    text_values,
)
from lib.store.fieldtypes import NUMERIC_TYPES, FieldInfo
from lib.store.mapping import Mapping
from lib.store.metadata_query import (
    METADATA_FIELDS,
    IndexNames,
    metadata_exists,
    metadata_field,
    metadata_query,
)
from lib.store.nodes import (
    Node,
    Predicate,
    Values,
    any_value,
    combine,
    has_values,
    match_all,
    match_none,
    minimum_should_match,
)
from lib.store.patterns import lucene_regex, wildcard_literal_prefix, wildcard_regex
from lib.store.range_query import date_range, in_range, range_bounds, time_zone
from lib.store.source_values import field_getter
from lib.store.term_query import equals, ip_interval
from lib.store.text_query import match_phrase_text, match_text

__all__ = [
    "NUMERIC_TYPES",
    "SEARCHABLE_TYPES",
    "STRING_TYPES",
    "FieldQueries",
    "Node",
    "Predicate",
    "Values",
    "any_value",
    "combine",
    "date_range",
    "doc_values",
    "ip_interval",
    "keyword_text",
    "match_all",
    "match_none",
    "minimum_should_match",
    "text_values",
    "time_zone",
]

_UNSUPPORTED_OPTIONS = {
    "fuzziness": "fuzzy matching",
    "normalizer": "normalizers",
}
_VALUE_KEYS = {"match": "query", "match_phrase": "query", "term": "value", "terms": "values"}
_MATCH_KEYS = {"query", "operator", "minimum_should_match", "zero_terms_query", "analyzer"}
_MATCH_KEYS |= {"auto_generate_synonyms_phrase_query", "prefix_length", "max_expansions"}
_MATCH_KEYS |= {"fuzzy_transpositions", "fuzziness"}
_RANGE_KEYS = {"gt", "gte", "lt", "lte", "from", "to", "include_lower", "include_upper"}
_RANGE_KEYS |= {"format", "time_zone", "relation"}
_REGEXP_KEYS = {"value", "flags", "flags_value", "case_insensitive", "max_determinized_states"}


class FieldQueries:
    """Builds `Node`s for term-level and full-text queries on one index's fields."""

    def __init__(self, mapping: Mapping, now_ms: int, index: IndexNames | None = None) -> None:
        self.mapping = mapping
        self.now_ms = now_ms
        self.index = index

    def expand(self, patterns: list[str]) -> list[FieldInfo]:
        """Fields named by a `fields` list (``*`` patterns, ``^boost`` suffixes dropped)."""
        seen: dict[str, FieldInfo] = {}
        for pattern in patterns:
            name = str(pattern).split("^", 1)[0]
            meta = metadata_field(name)
            if meta is not None:
                seen.setdefault(name, meta)
            for info in self.mapping.matching_fields(name):
                if "*" not in name or info.type in SEARCHABLE_TYPES:
                    seen.setdefault(info.path, info)
        return list(seen.values())

    def build(self, kind: str, field: str, params: dict[str, Any]) -> Node:
        """The compiled query `kind` (``term``, ``match``, ``range``, ...) on `field`."""
        for option, what in _UNSUPPORTED_OPTIONS.items():
            if params.get(option) not in (None, 0, "0"):
                raise UnsupportedQueryError(f"[{kind}] option [{option}] ({what}) is not supported")
        if kind == "exists":
            return self.exists(field)
        if field in METADATA_FIELDS:
            return metadata_query(kind, field, params, self.index)
        info = self.mapping.field(field)
        if info is None:
            if kind in _VALUE_KEYS and _VALUE_KEYS[kind] not in params:
                raise QueryError(f"[{kind}] requires a value for field [{field}]")
            return match_none
        try:
            return _BUILDERS[kind](self, info, params)
        except QueryError:
            if params.get("lenient"):
                return match_none
            raise

    def exists(self, field: str) -> Node:
        """Documents with any indexed value in `field` (or a field under the object)."""
        if field in METADATA_FIELDS or any(
            fnmatch.fnmatchcase(name, field) for name in METADATA_FIELDS if "*" in field
        ):
            return metadata_exists(field)
        infos = self.mapping.matching_fields(field) or self.mapping.fields_of(field)
        nodes = []
        for info in infos:
            if info.type in STRING_TYPES or info.type in NUMERIC_TYPES or info.type in OTHER_TYPES:
                values = doc_values(info) if info.type == "keyword" else field_getter(info)
                nodes.append(has_values(values))
        return combine([], [], nodes, 1) if nodes else match_none

    # exact values, full text and ranges ----------------------------------------------------

    def term(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("term", params, {"value", "case_insensitive"})
        if "value" not in params:
            raise QueryError(f"[term] requires a value for field [{info.path}]")
        ci = bool(params.get("case_insensitive"))
        return equals(info, [params["value"]], ci, "term", self.now_ms)

    def terms(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        values = params["values"]
        if isinstance(values, dict):
            raise UnsupportedQueryError("[terms] lookup is not supported by the embedded store")
        if not isinstance(values, list):
            raise QueryError(f"[terms] query requires an array of values for [{info.path}]")
        return equals(info, values, False, "terms", self.now_ms)

    def match(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("match", params, _MATCH_KEYS)
        query = _full_text_query("match", info, params)
        if info.type != "text":
            return equals(info, [query], False, "match", self.now_ms)
        return match_text(info, query, params)

    def match_phrase(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("match_phrase", params, {"query", "analyzer", "zero_terms_query", "slop"})
        query = _full_text_query("match_phrase", info, params)
        if info.type != "text":
            return equals(info, [query], False, "match_phrase", self.now_ms)
        return match_phrase_text(info, query, params)

    def range_(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("range", params, _RANGE_KEYS)
        bounds = range_bounds(params)
        if bounds[0] is None and bounds[2] is None:
            return self.exists(info.path)
        return in_range(info, params, bounds, self.now_ms)

    # pattern queries -----------------------------------------------------------------------

    def wildcard(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("wildcard", params, {"value", "wildcard", "case_insensitive", "rewrite"})
        pattern = params.get("value", params.get("wildcard"))
        if not isinstance(pattern, str):
            raise QueryError(f"[wildcard] requires a string value for field [{info.path}]")
        ci = bool(params.get("case_insensitive"))
        _string_field("wildcard", info)
        prefix = None if ci else wildcard_literal_prefix(pattern)
        if prefix is not None:
            return _string_test(info, lambda t: t.startswith(prefix), 3)
        regex = wildcard_regex(pattern, ci)
        return _string_test(info, lambda t: regex.fullmatch(t) is not None, 5)

    def prefix(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("prefix", params, {"value", "case_insensitive", "rewrite"})
        value = params.get("value")
        if not isinstance(value, str):
            raise QueryError(f"[prefix] requires a string value for field [{info.path}]")
        _string_field("prefix", info)
        if params.get("case_insensitive"):
            folded = value.lower()
            return _string_test(info, lambda t: t.lower().startswith(folded), 4)
        return _string_test(info, lambda t: t.startswith(value), 3)

    def regexp(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("regexp", params, _REGEXP_KEYS | {"rewrite"})
        value = params.get("value")
        if not isinstance(value, str):
            raise QueryError(f"[regexp] requires a string value for field [{info.path}]")
        _string_field("regexp", info)
        flags, ci = params.get("flags", "ALL"), bool(params.get("case_insensitive"))
        regex = lucene_regex(value, flags, ci)
        return _string_test(info, lambda t: regex.fullmatch(t) is not None, 6)


_BUILDERS: dict[str, Callable[[FieldQueries, FieldInfo, dict[str, Any]], Node]] = {
    "term": FieldQueries.term,
    "terms": FieldQueries.terms,
    "match": FieldQueries.match,
    "match_phrase": FieldQueries.match_phrase,
    "wildcard": FieldQueries.wildcard,
    "prefix": FieldQueries.prefix,
    "regexp": FieldQueries.regexp,
    "range": FieldQueries.range_,
}


def _string_test(info: FieldInfo, test: Callable[[str], bool], cost: int) -> Node:
    """Whole values (keyword) or single tokens (text) passing `test`."""
    return any_value(doc_values(info), test, cost + (5 if info.type == "text" else 0))


def _full_text_query(name: str, info: FieldInfo, params: dict[str, Any]) -> Any:
    query = params.get("query")
    if query is None or isinstance(query, dict | list):
        raise QueryError(f"[{name}] requires a scalar 'query' for field [{info.path}]")
    return query


def _allowed(name: str, params: dict[str, Any], keys: set[str]) -> None:
    unknown = sorted(set(params) - keys - {"boost", "_name", "lenient"})
    if unknown:
        raise QueryError(f"[{name}] query does not support {unknown}")


def _string_field(name: str, info: FieldInfo) -> None:
    if info.type not in STRING_TYPES:
        raise QueryError(
            f"Can only use {name} queries on keyword, text and wildcard fields - not on "
            f"[{info.path}] which is of type [{info.type}]"
        )
