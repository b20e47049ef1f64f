"""The embedded query engine: Elasticsearch query DSL compiled into Python predicates.

`compile_query(query, mapping, now_ms)` returns a predicate called as
``predicate(source, doc_id=None) -> bool``: `source` is a document's `_source` dict and
`doc_id` its `_id` (only `ids` and `_id` queries read it; always pass it). ``query=None`` is
`match_all`; an empty dict is malformed, as in Elasticsearch.

Layout: this module handles the query tree (bool, constant_score, dis_max, ids,
match_all/none, multi_match, query_string via `querystring.py`); field-level queries and
the per-type semantics live in `fieldquery.py`, wildcard and Lucene regexp translation in
`patterns.py`.

Every clause is checked and prepared once, at compile time (values converted to the
field's type, text analysed, wildcards and regexps compiled, date math resolved against
`now_ms`), so evaluation is a few dictionary lookups per clause. `bool` evaluates its
clauses cheapest first and stops at the first decisive one.

Errors: `QueryError` for a malformed clause or a value the field cannot hold (Elasticsearch
answers those with HTTP 400), `UnsupportedQueryError` naming any clause or option this
engine does not implement. It never guesses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store import fieldquery
from lib.store.fieldquery import Node, Predicate, match_all, match_none, minimum_should_match
from lib.store.mapping import Mapping
from lib.store.metadata_query import IndexNames

__all__ = ["IndexNames", "Predicate", "compile_query", "minimum_should_match"]

_KNOWN_UNSUPPORTED = frozenset(
    (
        "fuzzy",
        "nested",
        "has_child",
        "has_parent",
        "parent_id",
        "geo_bounding_box",
        "geo_distance",
        "geo_shape",
        "geo_polygon",
        "geo_grid",
        "more_like_this",
        "script",
        "script_score",
        "function_score",
        "percolate",
        "rank_feature",
        "distance_feature",
        "wrapper",
        "pinned",
        "span_term",
        "span_near",
        "span_or",
        "span_not",
        "span_first",
        "span_multi",
        "span_containing",
        "span_within",
        "field_masking_span",
        "intervals",
        "combined_fields",
        "simple_query_string",
        "match_bool_prefix",
        "match_phrase_prefix",
        "boosting",
        "terms_set",
        "knn",
        "semantic",
        "sparse_vector",
        "text_expansion",
        "shape",
        "type",
    )
)


def compile_query(
    query: dict[str, Any] | None, mapping: Mapping, now_ms: int, index: IndexNames | None = None
) -> Predicate:
    """Compile an Elasticsearch query into ``predicate(source, doc_id=None) -> bool``.

    `index` names the concrete index searched (and its aliases), which ``_index``
    clauses compare with; without it they raise `UnsupportedQueryError`.
    """
    if query is None:
        return match_all.fn
    return _Compiler(mapping, now_ms, index).compile(query).fn


class _Compiler:
    """Turns one query dict into a tree of `Node`s (predicate + estimated cost)."""

    def __init__(self, mapping: Mapping, now_ms: int, index: IndexNames | None) -> None:
        self.mapping = mapping
        self.now_ms = now_ms
        self.fields = fieldquery.FieldQueries(mapping, now_ms, index)

    def compile(self, query: Any) -> Node:
        if not isinstance(query, dict) or len(query) != 1:
            raise QueryError(f"query malformed, expected a single-key object, got {query!r}")
        ((name, body),) = query.items()
        handler = _HANDLERS.get(name)
        if handler is not None:
            return handler(self, body)
        if name in _KNOWN_UNSUPPORTED:
            raise UnsupportedQueryError(f"query [{name}] is not supported by the embedded store")
        raise QueryError(f"unknown query [{name}]")

    def many(self, clauses: Any, where: str) -> list[Node]:
        if clauses is None:
            return []
        if isinstance(clauses, dict):
            clauses = [clauses]
        if not isinstance(clauses, list):
            raise QueryError(f"[bool] [{where}] must be an object or an array of objects")
        return [self.compile(clause) for clause in clauses]

    # -- compound queries -------------------------------------------------------------

    def bool_(self, body: Any) -> Node:
        _expect_dict("bool", body)
        allowed = {"must", "filter", "should", "must_not", "minimum_should_match", "boost"}
        _check_keys("bool", body, allowed | {"_name", "adjust_pure_negative"})
        required = self.many(body.get("must"), "must") + self.many(body.get("filter"), "filter")
        excluded = self.many(body.get("must_not"), "must_not")
        optional = self.many(body.get("should"), "should")
        spec = body.get("minimum_should_match")
        if spec is None:
            needed = 1 if optional and not required else 0
        else:
            needed = minimum_should_match(spec, len(optional))
        if needed > len(optional):
            return match_none
        return fieldquery.combine(required, excluded, optional, needed)

    def constant_score(self, body: Any) -> Node:
        _expect_dict("constant_score", body)
        _check_keys("constant_score", body, {"filter", "boost", "_name"})
        if "filter" not in body:
            raise QueryError("[constant_score] requires a 'filter' element")
        return self.compile(body["filter"])

    def dis_max(self, body: Any) -> Node:
        _expect_dict("dis_max", body)
        _check_keys("dis_max", body, {"queries", "tie_breaker", "boost", "_name"})
        queries = self.many(body.get("queries"), "queries")
        if not queries:
            raise QueryError("[dis_max] requires 'queries' field with at least one clause")
        return fieldquery.combine([], [], queries, 1)

    def match_all_(self, body: Any) -> Node:
        _expect_dict("match_all", body)
        _check_keys("match_all", body, {"boost", "_name"})
        return match_all

    def match_none_(self, body: Any) -> Node:
        _expect_dict("match_none", body)
        return match_none

    def ids(self, body: Any) -> Node:
        _expect_dict("ids", body)
        _check_keys("ids", body, {"values", "boost", "_name", "type"})
        values = body.get("values")
        if not isinstance(values, list):
            raise QueryError("[ids] requires a 'values' array")
        wanted = frozenset(str(value) for value in values)

        def ids_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
            return doc_id in wanted

        return Node(ids_match, 1)

    def query_string(self, body: Any) -> Node:
        from lib.store.querystring import parse_query_string

        _expect_dict("query_string", body)
        return self.compile(parse_query_string(body, self.mapping))

    def multi_match(self, body: Any) -> Node:
        _expect_dict("multi_match", body)
        kind = body.get("type", "best_fields")
        if kind not in ("best_fields", "most_fields", "phrase"):
            raise UnsupportedQueryError(f"[multi_match] type [{kind}] is not supported")
        if "query" not in body:
            raise QueryError("[multi_match] requires a 'query'")
        fields = body.get("fields") or ["*"]
        lenient = body.get("lenient", fields == ["*"])
        params = {k: body[k] for k in ("operator", "minimum_should_match") if k in body}
        clauses = []
        for info in self.fields.expand(fields):
            name = "match_phrase" if kind == "phrase" else "match"
            inner = {"query": body["query"], "lenient": lenient}
            inner.update(params if name == "match" else {})
            clauses.append(self.compile({name: {info.path: inner}}))
        return fieldquery.combine([], [], clauses, 1) if clauses else match_none

    # -- field queries ------------------------------------------------------------------

    def field_query(self, name: str, body: Any) -> Node:
        field, params = _field_and_params(name, body)
        return self.fields.build(name, field, params)


def _field_and_params(name: str, body: Any) -> tuple[str, dict[str, Any]]:
    _expect_dict(name, body)
    if name == "exists":
        _check_keys("exists", body, {"field", "boost", "_name"})
        if not isinstance(body.get("field"), str):
            raise QueryError("[exists] requires a 'field' string")
        return body["field"], {}
    if name == "terms":
        fields = [key for key in body if key not in ("boost", "_name")]
        if len(fields) != 1:
            raise QueryError("[terms] query requires exactly one field")
        return fields[0], {"values": body[fields[0]]}
    if len(body) != 1:
        raise QueryError(f"[{name}] query doesn't support multiple fields, found {sorted(body)}")
    ((field, params),) = body.items()
    if not isinstance(params, dict):
        params = {_VALUE_KEY.get(name, "value"): params}
    return field, params


_VALUE_KEY = {"match": "query", "match_phrase": "query", "regexp": "value", "prefix": "value"}


def _expect_dict(name: str, body: Any) -> None:
    if not isinstance(body, dict):
        raise QueryError(f"[{name}] query malformed, expected an object, got {body!r}")


def _check_keys(name: str, body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise QueryError(f"[{name}] query does not support {unknown}")


def _field_handler(name: str) -> Callable[[_Compiler, Any], Node]:
    return lambda compiler, body: compiler.field_query(name, body)


_HANDLERS: dict[str, Callable[[_Compiler, Any], Node]] = {
    "bool": _Compiler.bool_,
    "constant_score": _Compiler.constant_score,
    "dis_max": _Compiler.dis_max,
    "match_all": _Compiler.match_all_,
    "match_none": _Compiler.match_none_,
    "ids": _Compiler.ids,
    "query_string": _Compiler.query_string,
    "multi_match": _Compiler.multi_match,
    **{
        name: _field_handler(name)
        for name in (
            "match",
            "match_phrase",
            "term",
            "terms",
            "wildcard",
            "regexp",
            "prefix",
            "exists",
            "range",
        )
    },
}
