"""Queries on the metadata fields ``_id`` and ``_index``, which live outside ``_source``.

Elasticsearch's "_id field" page: ``_id`` is accessible in ``term``, ``terms``, ``match``
and ``query_string`` queries, each comparing the document's id exactly (``_id`` is
keyword-analysed, so ``match`` and ``match_phrase`` become a term query). Its "_index
field" page: ``_index`` takes ``term``, ``terms``, ``match``, ``query_string``, ``prefix``
and ``wildcard``; the value is resolved as an index expression (a concrete name, an
alias or a ``*`` pattern over both) and the clause matches every document of the index
it covers, none otherwise. ``exists`` matches every document on both fields.

Everything else on them (``range``, ``regexp``, patterns on ``_id``, ``?`` or date math
in an index expression, ...) and any query on the other metadata fields raises
`UnsupportedQueryError`: the embedded store does not guess.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.document_parser import METADATA_FIELDS
from lib.store.fieldtypes import FieldInfo
from lib.store.nodes import Node, match_all, match_none

__all__ = ["METADATA_FIELDS", "IndexNames", "metadata_exists", "metadata_field", "metadata_query"]

_EQUALITY = frozenset(("term", "terms", "match", "match_phrase"))
_ID_KINDS = _EQUALITY
_INDEX_KINDS = _EQUALITY | {"prefix", "wildcard"}
_KEYS = {
    "term": {"value", "case_insensitive"},
    "terms": {"values"},
    "match": {"query", "operator", "minimum_should_match", "zero_terms_query", "analyzer"},
    "match_phrase": {"query", "analyzer", "zero_terms_query", "slop"},
    "prefix": {"value", "case_insensitive", "rewrite"},
    "wildcard": {"value", "wildcard", "case_insensitive", "rewrite"},
}
_EXPRESSION_SYNTAX = ("?", "<", ",", ":", "\\", "[")


@dataclass(frozen=True)
class IndexNames:
    """The concrete index a query runs on and the aliases pointing at it."""

    name: str
    aliases: frozenset[str] = field(default_factory=frozenset)

    def covers(self, expression: str) -> bool:
        """Whether the index expression (name, alias or ``*`` pattern) covers this index."""
        if expression in ("_all", "*"):
            return True
        names = (self.name, *self.aliases)
        if "*" in expression:
            return any(fnmatch.fnmatchcase(name, expression) for name in names)
        return expression in names


def metadata_field(name: str) -> FieldInfo | None:
    """A pseudo field (its type is its own name) for ``_id`` and ``_index`` named in `fields`."""
    return FieldInfo(name, name, name) if name in ("_id", "_index") else None


def metadata_exists(field_name: str) -> Node:
    """``exists`` on a metadata field: ``_id`` and ``_index`` exist on every document."""
    if field_name in ("_id", "_index"):
        return match_all
    if "*" in field_name:
        raise UnsupportedQueryError(
            f"[exists] pattern [{field_name}] covers metadata fields; not supported by the "
            "embedded store"
        )
    raise UnsupportedQueryError(
        f"[exists] on metadata field [{field_name}] is not supported by the embedded store"
    )


def metadata_query(
    kind: str, field_name: str, params: dict[str, Any], index: IndexNames | None
) -> Node:
    """The compiled query `kind` on the metadata field `field_name`."""
    allowed = _ID_KINDS if field_name == "_id" else _INDEX_KINDS if field_name == "_index" else ()
    if kind not in allowed:
        raise UnsupportedQueryError(
            f"[{kind}] query on metadata field [{field_name}] is not supported by the embedded store"
        )
    unknown = sorted(set(params) - _KEYS[kind] - {"boost", "_name", "lenient"})
    if unknown:
        raise QueryError(f"[{kind}] query does not support {unknown}")
    values = _values(kind, field_name, params)
    if field_name == "_id":
        if params.get("case_insensitive"):
            raise UnsupportedQueryError(
                "[term] option [case_insensitive] on [_id] is not supported by the embedded store"
            )
        return _id_in(frozenset(values))
    if index is None:
        raise UnsupportedQueryError(f"[{kind}] on [_index] needs the index being searched")
    if params.get("case_insensitive"):
        values = [value.lower() for value in values]  # index names are always lowercase
    if kind == "prefix":
        values = [value + "*" for value in values]
    for value in values:
        if any(char in value for char in _EXPRESSION_SYNTAX) or value[:1] in ("-", "+"):
            raise UnsupportedQueryError(
                f"[{kind}] on [_index]: index expression [{value}] is not supported by the "
                "embedded store (only names, aliases and '*' patterns)"
            )
    return match_all if any(index.covers(value) for value in values) else match_none


def _values(kind: str, field_name: str, params: dict[str, Any]) -> list[str]:
    if kind == "terms":
        raw = params.get("values")
        if isinstance(raw, dict):
            raise UnsupportedQueryError("[terms] lookup is not supported by the embedded store")
        if not isinstance(raw, list):
            raise QueryError(f"[terms] query requires an array of values for [{field_name}]")
    else:
        key = "query" if kind.startswith("match") else "value"
        raw = [params.get(key, params.get("wildcard") if kind == "wildcard" else None)]
    return [_as_text(kind, field_name, value) for value in raw]


def _as_text(kind: str, field_name: str, value: Any) -> str:
    """A query value as Elasticsearch reads it for a metadata field (its string form)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    if value is None or isinstance(value, dict | list):
        raise QueryError(f"[{kind}] requires a scalar value for field [{field_name}]")
    raise UnsupportedQueryError(
        f"[{kind}] value [{value!r}] on [{field_name}] is not supported by the embedded store"
    )


def _id_in(wanted: frozenset[str]) -> Node:
    def id_matches(source: dict[str, Any], doc_id: str | None = None) -> bool:
        return doc_id in wanted

    return Node(id_matches, 1)
