"""`query_string` queries: Lucene query syntax, parsed with luqum, turned into query DSL.

`parse_query_string(params, mapping)` returns a DSL dict the engine evaluates. The
rules follow Elasticsearch's query_string query:

- bare terms search `fields` or `default_field` (default ``*``: every searchable
  field of the mapping, with ``lenient`` on so a term that cannot be parsed for a field,
  such as ``sshd`` for an ``ip`` field, simply does not match there);
- a term is analysed per field (``match`` with ``default_operator``), a phrase is a
  ``match_phrase`` (``"a b"~N`` gives it a slop of N, else ``phrase_slop``), ``*``/``?`` make a wildcard (lowercased on ``text`` fields, as the
  analyzer's normalizer does; as-is on ``keyword``), ``/re/`` a regexp, ``field:*``
  an ``exists``, ``*`` alone ``match_all``, ``_exists_:field`` an ``exists``;
- ``[a TO b]``/``{a TO b}``/``>=x``/``<x`` ranges, ``*`` for an open end;
- ``AND``/``&&``, ``OR``/``||``, ``NOT``/``!``, ``+``, ``-`` and implicit operators
  combine exactly as Lucene's classic query parser does (no operator precedence: each
  conjunction changes the clause before it), so ``a OR b AND c`` requires b and c;
- ``\\`` escapes any reserved character.

A malformed query string raises `QueryError` carrying luqum's message; fuzzy terms
(``term~``) raise `UnsupportedQueryError`.
"""

from __future__ import annotations

import re
from typing import Any

from luqum.exceptions import ParseError
from luqum.parser import parser
from luqum.tree import (
    AndOperation,
    Boost,
    FieldGroup,
    From,
    Fuzzy,
    Group,
    Item,
    Not,
    OrOperation,
    Phrase,
    Plus,
    Prohibit,
    Proximity,
    Range,
    Regex,
    SearchField,
    To,
    UnknownOperation,
    Word,
)

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.fieldquery import SEARCHABLE_TYPES, STRING_TYPES
from lib.store.mapping import FieldInfo, Mapping
from lib.store.metadata_query import METADATA_FIELDS, metadata_field

MATCH_NONE: dict[str, Any] = {"match_none": {}}
_ALLOWED = {
    "query",
    "default_field",
    "fields",
    "default_operator",
    "analyze_wildcard",
    "allow_leading_wildcard",
    "lenient",
    "boost",
    "_name",
    "time_zone",
    "minimum_should_match",
    "tie_breaker",
    "type",
    "auto_generate_synonyms_phrase_query",
    "max_determinized_states",
    "enable_position_increments",
    "escape",
    "rewrite",
    "analyzer",
    "phrase_slop",
    "fuzziness",
    "fuzzy_max_expansions",
    "fuzzy_prefix_length",
    "fuzzy_transpositions",
}
_OPERATOR_WORDS = re.compile(
    r'\\.|"(?:\\.|[^"\\])*"?|/(?:\\.|[^/\\])*/?|&&|\|\||!|[^\\"/&|!]+|.', re.S
)
_UNESCAPE = re.compile(r"\\(.)", re.S)
_MUST, _SHOULD, _MUST_NOT = "must", "should", "must_not"


def parse_query_string(params: dict[str, Any], mapping: Mapping) -> dict[str, Any]:
    """Translate a `query_string` clause's parameters into an equivalent DSL dict."""
    unknown = sorted(set(params) - _ALLOWED)
    if unknown:
        raise QueryError(f"[query_string] query does not support {unknown}")
    query = params.get("query")
    if not isinstance(query, str):
        raise QueryError("[query_string] requires a 'query' string")
    if params.get("analyzer") not in (None, "standard", "default"):
        raise UnsupportedQueryError(
            f"[query_string] analyzer [{params['analyzer']}] is not supported"
        )
    if not query.strip():
        return MATCH_NONE
    try:
        tree = parser.parse(_lucene_operators(query))
    except ParseError as exc:
        raise QueryError(f"Failed to parse query [{query}]: {exc}") from exc
    translated = _Translator(params, mapping).node(tree, None)
    spec = params.get("minimum_should_match")
    if spec is not None and "bool" in translated and "should" in translated["bool"]:
        translated["bool"]["minimum_should_match"] = spec
    return translated


def _lucene_operators(query: str) -> str:
    """Rewrite ``&&``, ``||`` and ``!`` (which luqum does not know) as AND, OR, NOT."""
    out = []
    for token in _OPERATOR_WORDS.findall(query):
        out.append({"&&": " AND ", "||": " OR ", "!": " NOT "}.get(token, token))
    return "".join(out)


def unescape(text: str) -> str:
    """Drop the backslash of every escaped character."""
    return _UNESCAPE.sub(r"\1", text)


class _Translator:
    """Walks a luqum tree, emitting DSL with the query_string rules above."""

    def __init__(self, params: dict[str, Any], mapping: Mapping) -> None:
        self.mapping = mapping
        fields = params.get("fields")
        default = params.get("default_field", "*")
        self.default_fields = list(fields) if fields else [default]
        all_fields = not fields and default == "*"
        self.lenient = bool(params.get("lenient", all_fields))
        operator = str(params.get("default_operator", "OR")).upper()
        if operator not in ("OR", "AND"):
            raise QueryError(f"[query_string] unknown default_operator [{operator}]")
        self.operator = operator
        self.leading_wildcard = bool(params.get("allow_leading_wildcard", True))
        self.time_zone = params.get("time_zone")
        self.phrase_slop = params.get("phrase_slop") or 0
        self.query = params.get("query")

    # structure ---------------------------------------------------------------------

    def node(self, item: Item, field: str | None) -> dict[str, Any]:
        if isinstance(item, AndOperation | OrOperation | UnknownOperation | Not | Prohibit | Plus):
            return self.boolean(item, field)
        if isinstance(item, Group | FieldGroup):
            return self.node(item.expr, field)
        if isinstance(item, SearchField):
            return self.search_field(item, field)
        if isinstance(item, Boost):
            if item.implicit_force:
                raise self.syntax_error(f"'^' must be followed by a number in [{item}]")
            return self.node(item.expr, field)
        if isinstance(item, Proximity) and isinstance(item.term, Phrase):
            implicit = getattr(item, "_implicit_degree", False)  # bare "~": phrase_slop
            return self.phrase(item.term, field, self.phrase_slop if implicit else int(item.degree))
        if isinstance(item, Fuzzy | Proximity):
            raise UnsupportedQueryError(f"[query_string] fuzzy searches ({item}) are not supported")
        return self.leaf(item, field)

    def boolean(self, item: Item, field: str | None) -> dict[str, Any]:
        clauses: list[list[Any]] = []
        for conj, mod, child in _flatten(item, None):
            self.add_clause(clauses, conj, mod, self.node(child, field))
        return _bool(clauses)

    def add_clause(
        self, clauses: list[list[Any]], conj: str | None, mod: str | None, query: dict[str, Any]
    ) -> None:
        """Lucene's QueryParserBase.addClause: conjunctions rewrite the previous clause."""
        if clauses and conj == "AND" and clauses[-1][0] != _MUST_NOT:
            clauses[-1][0] = _MUST
        if clauses and self.operator == "AND" and conj == "OR" and clauses[-1][0] != _MUST_NOT:
            clauses[-1][0] = _SHOULD
        prohibited = mod == "NOT"
        if self.operator == "OR":
            required = mod == "REQ" or (conj == "AND" and not prohibited)
        else:
            required = not prohibited and conj != "OR"
        occur = _MUST_NOT if prohibited else (_MUST if required else _SHOULD)
        clauses.append([occur, query])

    def search_field(self, item: SearchField, field: str | None) -> dict[str, Any]:
        if isinstance(item.expr, SearchField):
            raise self.syntax_error(f"Encountered ':' after [{item.name}:{item.expr.name}]")
        name = unescape(item.name)
        if name == "_exists_":
            if not isinstance(item.expr, Word):
                raise QueryError(f"[query_string] _exists_ needs a field name, got [{item.expr}]")
            return {"exists": {"field": unescape(item.expr.value)}}
        return self.node(item.expr, name)

    # leaves ------------------------------------------------------------------------

    def leaf(self, item: Item, field: str | None) -> dict[str, Any]:
        infos = self.fields(field)
        if isinstance(item, Word):
            if _unescaped(item.value, ":"):
                raise self.syntax_error(f"Encountered ':' in [{item.value}] (escape it as \\:)")
            if _unescaped(item.value, "/"):
                raise self.slash_error(item.value)
            return self.word(item.value, field, infos)
        if isinstance(item, Phrase):
            return self.phrase(item, field, self.phrase_slop)
        if isinstance(item, Regex):
            return self.pattern(infos, "regexp", item.value[1:-1])
        if isinstance(item, Range | From | To):
            return self.range(item, infos)
        raise UnsupportedQueryError(f"[query_string] syntax [{item}] is not supported")

    def syntax_error(self, detail: str) -> QueryError:
        """The error Lucene's classic parser gives for syntax luqum accepts."""
        return QueryError(f"Failed to parse query [{self.query}]: {detail}")

    def slash_error(self, word: str) -> QueryError:
        """Lucene reads an unescaped ``/`` as the start of a regexp; luqum keeps it in the term.

        With an odd number of slashes outside phrases the regexp is never closed and
        Lucene's parser fails (the error returned); otherwise Lucene would split the term
        into terms and a regexp, which this store does not reproduce.
        """
        outside_phrases = re.sub(r'"(?:\\.|[^"\\])*"', "", str(self.query))
        if len(re.findall(r"(?<!\\)/", outside_phrases)) % 2:
            return self.syntax_error(f"Lexical error: unterminated regular expression in [{word}]")
        return UnsupportedQueryError(
            f"[query_string] '/' inside the term [{word}] (a regexp in Lucene syntax) is not "
            "supported by the embedded store; escape it as \\/"
        )

    def phrase(self, item: Phrase, field: str | None, slop: int) -> dict[str, Any]:
        """A quoted phrase: ``match_phrase`` per field, ``"..."~N`` giving its slop."""
        spec: dict[str, Any] = {"query": unescape(item.value[1:-1]), "lenient": self.lenient}
        if slop:
            spec["slop"] = slop
        return self.per_field(self.fields(field), lambda f: {"match_phrase": {f.path: spec}})

    def word(self, raw: str, field: str | None, infos: list[FieldInfo]) -> dict[str, Any]:
        if raw == "*":
            if field in (None, "*") and (field == "*" or self.default_fields == ["*"]):
                return {"match_all": {}}
            return _any([{"exists": {"field": info.path}} for info in infos])
        if re.search(r"(?<!\\)(?:\\\\)*[*?]", raw):
            if not self.leading_wildcard and raw[0] in "*?":
                raise QueryError(
                    f"Failed to parse query [{raw}]: '*' or '?' not allowed as first "
                    "character in WildcardQuery"
                )
            return self.pattern(infos, "wildcard", raw)
        text = unescape(raw)
        operator = self.operator.lower()
        return self.per_field(
            infos,
            lambda f: {
                "match": {f.path: {"query": text, "operator": operator, "lenient": self.lenient}}
            },
        )

    def pattern(self, infos: list[FieldInfo], kind: str, value: str) -> dict[str, Any]:
        clauses = []
        for info in infos:
            if info.path in METADATA_FIELDS:
                clauses.append({kind: {info.path: {"value": value}}})  # the engine's rules
                continue
            if info.type not in STRING_TYPES:
                if self.lenient:
                    continue
                raise QueryError(
                    f"Can only use {kind} queries on keyword, text and wildcard fields - not "
                    f"on [{info.path}] which is of type [{info.type}]"
                )
            normalized = value.lower() if kind == "wildcard" and info.type == "text" else value
            clauses.append({kind: {info.path: {"value": normalized}}})
        return _any(clauses)

    def range(self, item: Range | From | To, infos: list[FieldInfo]) -> dict[str, Any]:
        if isinstance(item, Range):
            bounds = {
                ("gte" if item.include_low else "gt"): _bound(item.low),
                ("lte" if item.include_high else "lt"): _bound(item.high),
            }
        elif isinstance(item, From):
            bounds = {("gte" if item.include else "gt"): _bound(item.a)}
        else:
            bounds = {("lte" if item.include else "lt"): _bound(item.a)}
        bounds = {k: v for k, v in bounds.items() if v is not None}

        def clause(info: FieldInfo) -> dict[str, Any]:
            spec: dict[str, Any] = dict(bounds)
            if info.type == "text":
                spec = {k: str(v).lower() for k, v in spec.items()}
            if self.time_zone is not None and info.type == "date":
                spec["time_zone"] = self.time_zone
            spec["lenient"] = self.lenient
            return {"range": {info.path: spec}}

        return self.per_field(infos, clause)

    # fields ------------------------------------------------------------------------

    def fields(self, field: str | None) -> list[FieldInfo]:
        patterns = self.default_fields if field is None else [field]
        found: dict[str, FieldInfo] = {}
        for pattern in patterns:
            name = str(pattern).split("^", 1)[0]
            if "*" not in name:
                info = self.mapping.field(name) or metadata_field(name)
                if info is not None:
                    found.setdefault(info.path, info)
                continue
            for info in self.mapping.matching_fields(name):
                if info.type in SEARCHABLE_TYPES:
                    found.setdefault(info.path, info)
        return list(found.values())

    def per_field(self, infos: list[FieldInfo], build: Any) -> dict[str, Any]:
        return _any([build(info) for info in infos])


def _flatten(item: Item, conj: str | None) -> list[tuple[str | None, str | None, Item]]:
    """Source-order (conjunction, modifier, clause) triples of nested luqum operations."""
    if isinstance(item, Not | Prohibit):
        return [(conj, "NOT", item.a)]
    if isinstance(item, Plus):
        return [(conj, "REQ", item.a)]
    if not isinstance(item, AndOperation | OrOperation | UnknownOperation):
        return [(conj, None, item)]
    op = (
        "AND" if isinstance(item, AndOperation) else "OR" if isinstance(item, OrOperation) else None
    )
    out: list[tuple[str | None, str | None, Item]] = []
    for index, child in enumerate(item.children):
        out.extend(_flatten(child, conj if index == 0 else op))
    return out


def _bool(clauses: list[list[Any]]) -> dict[str, Any]:
    if len(clauses) == 1 and clauses[0][0] in (_MUST, _SHOULD):
        return clauses[0][1]
    body: dict[str, list[dict[str, Any]]] = {}
    for occur, query in clauses:
        body.setdefault(occur, []).append(query)
    return {"bool": body}


def _any(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    if not clauses:
        return MATCH_NONE
    if len(clauses) == 1:
        return clauses[0]
    return {"bool": {"should": clauses}}


def _bound(word: Item) -> str | None:
    if isinstance(word, Phrase):
        return unescape(word.value[1:-1])
    text = unescape(str(word.value if isinstance(word, Word) else word))
    return None if text == "*" else text


def _unescaped(text: str, char: str) -> bool:
    """Whether `char` occurs in `text` without a backslash escaping it."""
    escaped = False
    for current in text:
        if escaped:
            escaped = False
        elif current == "\\":
            escaped = True
        elif current == char:
            return True
    return False
