"""Field-level queries of the embedded engine, evaluated with each field type's semantics.

- ``keyword``: exact, case-sensitive, whole value; numbers and booleans as their JSON
  text; values longer than ``ignore_above`` are not indexed.
- ``text``: tokens of the standard analyzer (`analysis.py`); ``term`` looks for one
  token as given, ``match`` analyses the query, ``match_phrase`` needs consecutive
  positions within one value of an array.
- ``ip``: 128-bit addresses (IPv4 as IPv4-mapped IPv6); a CIDR in ``term``/``match``
  matches its range, host bits masked.
- ``date``: instants in epoch milliseconds; a ``term`` on a date matches the range
  [value rounded down, value rounded up], ranges use date math and rounding.
- ``boolean``, numeric types: values as the field type parses them.

Unmapped fields match nothing. A query value the field cannot hold raises `QueryError`
unless the clause is ``lenient``, when that field matches nothing instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.analysis import standard_tokens
from lib.store.dates import DEFAULT_FORMAT, ISO_NAMES, date_parser, resolve_date_math
from lib.store.mapping import (
    INTEGER_RANGES,
    NUMERIC_TYPES,
    FieldInfo,
    Mapping,
    getter,
    parse_ip,
    to_number,
)
from lib.store.patterns import lucene_regex, wildcard_literal_prefix, wildcard_regex

Predicate = Callable[..., bool]
Values = Callable[[dict[str, Any]], "list[Any] | tuple[Any, ...]"]


class Node(NamedTuple):
    """A compiled clause: its predicate and a relative evaluation cost."""

    fn: Predicate
    cost: int


def _true(source: dict[str, Any], doc_id: str | None = None) -> bool:
    return True


def _false(source: dict[str, Any], doc_id: str | None = None) -> bool:
    return False


match_all = Node(_true, 0)
match_none = Node(_false, 0)
STRING_TYPES = frozenset(("keyword", "text"))
_UNSUPPORTED_OPTIONS = {
    "fuzziness": "fuzzy matching",
    "slop": "sloppy phrases",
    "normalizer": "normalizers",
}


# -- value access -------------------------------------------------------------------------


def keyword_text(value: Any) -> str:
    """A JSON value as a keyword field indexes it."""
    if type(value) is str:
        return value
    if type(value) is bool:
        return "true" if value else "false"
    return str(value)


def doc_values(info: FieldInfo) -> Values:
    """The field's indexed values for one document, converted to its type."""
    get = getter(info.source)
    kind = info.type
    if kind == "keyword":
        limit = info.ignore_above
        if limit is None:
            return lambda s: [keyword_text(v) for v in get(s)]
        return lambda s: [t for t in map(keyword_text, get(s)) if len(t) <= limit]
    if kind == "text":
        return lambda s: [t for v in get(s) for t in standard_tokens(keyword_text(v))]
    convert = _converter(info)
    return lambda s: [c for c in map(convert, get(s)) if c is not None]


def _converter(info: FieldInfo) -> Callable[[Any], Any]:
    kind = info.type
    if kind == "ip":
        return parse_ip
    if kind == "date":
        parse = date_parser(info.format or DEFAULT_FORMAT)
        return lambda v: _or_none(parse, v)
    if kind == "boolean":
        return _boolean_or_none
    if kind in NUMERIC_TYPES:
        return lambda v: to_number(v, kind)
    raise UnsupportedQueryError(f"fields of type [{kind}] ({info.path}) are not supported")


def _or_none(parse: Callable[[Any], int], value: Any) -> int | None:
    try:
        return parse(value)
    except ValueError:
        return None


def _boolean_or_none(value: Any) -> bool | None:
    if type(value) is bool:
        return value
    return {"true": True, "false": False, "": False}.get(value) if type(value) is str else None


def text_values(source_values: Iterable[Any]) -> list[str]:
    """Source values of a text field as strings."""
    return [keyword_text(v) for v in source_values]


# -- combining ------------------------------------------------------------------------------


def combine(required: list[Node], excluded: list[Node], optional: list[Node], needed: int) -> Node:
    """A boolean combination, cheapest clauses first, short-circuiting."""
    if any(node is match_none for node in required) or any(n is match_all for n in excluded):
        return match_none
    required = sorted((n for n in required if n is not match_all), key=lambda n: n.cost)
    excluded = sorted((n for n in excluded if n is not match_none), key=lambda n: n.cost)
    optional = sorted(optional, key=lambda n: n.cost) if needed else []
    cost = sum(n.cost for n in (*required, *excluded, *optional))
    if not excluded and not optional:
        return _all_of(required, cost)
    req = tuple(n.fn for n in required)
    exc = tuple(n.fn for n in excluded)
    opt = tuple(n.fn for n in optional)
    spare = len(opt) - needed

    def bool_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for fn in req:
            if not fn(source, doc_id):
                return False
        for fn in exc:
            if fn(source, doc_id):
                return False
        if not needed:
            return True
        hits = misses = 0
        for fn in opt:
            if fn(source, doc_id):
                hits += 1
                if hits >= needed:
                    return True
            else:
                misses += 1
                if misses > spare:
                    return False
        return False

    return Node(bool_match, cost)


def _all_of(nodes: list[Node], cost: int) -> Node:
    if not nodes:
        return match_all
    if len(nodes) == 1:
        return nodes[0]
    fns = tuple(n.fn for n in nodes)
    if len(fns) == 2:
        first, second = fns
        return Node(lambda s, i=None: first(s, i) and second(s, i), cost)

    def all_of(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for fn in fns:
            if not fn(source, doc_id):
                return False
        return True

    return Node(all_of, cost)


def _has_values(values: Values) -> Node:
    def has_values(source: dict[str, Any], doc_id: str | None = None) -> bool:
        return bool(values(source))

    return Node(has_values, 1)


def any_value(values: Values, test: Callable[[Any], bool], cost: int) -> Node:
    """True when any of a document's converted values passes `test`."""

    def any_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for value in values(source):
            if test(value):
                return True
        return False

    return Node(any_match, cost)


# -- field queries --------------------------------------------------------------------------


class FieldQueries:
    """Builds `Node`s for term-level and full-text queries on one index's fields."""

    def __init__(self, mapping: Mapping, now_ms: int) -> None:
        self.mapping = mapping
        self.now_ms = now_ms

    def expand(self, patterns: list[str]) -> list[FieldInfo]:
        """Fields named by a `fields` list (``*`` patterns, ``^boost`` suffixes dropped)."""
        seen: dict[str, FieldInfo] = {}
        for pattern in patterns:
            name = str(pattern).split("^", 1)[0]
            for info in self.mapping.matching_fields(name):
                if "*" not in name or info.type in SEARCHABLE_TYPES:
                    seen.setdefault(info.path, info)
        return list(seen.values())

    def build(self, kind: str, field: str, params: dict[str, Any]) -> Node:
        for option, what in _UNSUPPORTED_OPTIONS.items():
            if params.get(option) not in (None, 0, "0"):
                raise UnsupportedQueryError(f"[{kind}] option [{option}] ({what}) is not supported")
        if kind == "exists":
            return self.exists(field)
        info = self.mapping.field(field)
        if info is None:
            if kind in ("match", "match_phrase", "term", "terms") and _missing_value(kind, params):
                raise QueryError(f"[{kind}] requires a value for field [{field}]")
            return match_none
        try:
            return _BUILDERS[kind](self, info, params)
        except QueryError:
            if params.get("lenient"):
                return match_none
            raise

    def exists(self, field: str) -> Node:
        infos = self.mapping.matching_fields(field) or self.mapping.fields_of(field)
        nodes = []
        for info in infos:
            if info.type in STRING_TYPES or info.type in NUMERIC_TYPES or info.type in _OTHER:
                values = doc_values(info) if info.type == "keyword" else getter(info.source)
                nodes.append(_has_values(values))
        return combine([], [], nodes, 1) if nodes else match_none

    # term-level --------------------------------------------------------------------------

    def term(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("term", params, {"value", "case_insensitive"})
        if "value" not in params:
            raise QueryError(f"[term] requires a value for field [{info.path}]")
        return self.equals(info, [params["value"]], bool(params.get("case_insensitive")), "term")

    def terms(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        values = params["values"]
        if isinstance(values, dict):
            raise UnsupportedQueryError("[terms] lookup is not supported by the embedded store")
        if not isinstance(values, list):
            raise QueryError(f"[terms] query requires an array of values for [{info.path}]")
        return self.equals(info, values, False, "terms")

    def equals(self, info: FieldInfo, values: list[Any], ci: bool, name: str) -> Node:
        """Documents with any value equal to one of `values` (per the field's type)."""
        for value in values:
            if value is None or isinstance(value, dict | list):
                raise QueryError(f"[{name}] values must be scalars, got {value!r}")
        kind = info.type
        if kind == "keyword":
            return self.keyword_equals(info, [keyword_text(v) for v in values], ci)
        if kind == "text":
            wanted = frozenset(keyword_text(v).lower() if ci else keyword_text(v) for v in values)
            return self.tokens_any(info, wanted, 1, ci)
        if kind in ("ip", "date"):
            return self.in_intervals(info, [self.interval(info, v) for v in values])
        wanted_values = [self.convert(info, v) for v in values]
        wanted_set = frozenset(v for v in wanted_values if v is not None)
        if not wanted_set:
            return match_none
        return any_value(doc_values(info), wanted_set.__contains__, 2)

    def keyword_equals(self, info: FieldInfo, wanted: list[str], ci: bool) -> Node:
        limit = info.ignore_above
        if limit is not None:
            wanted = [w for w in wanted if len(w) <= limit]
        if not wanted:
            return match_none
        get = getter(info.source)
        if ci:
            folded = frozenset(w.lower() for w in wanted)
            return any_value(doc_values(info), lambda v: v.lower() in folded, 2)
        if len(wanted) == 1:
            want = wanted[0]

            def keyword_is(source: dict[str, Any], doc_id: str | None = None) -> bool:
                for value in get(source):
                    if value == want or (type(value) is not str and keyword_text(value) == want):
                        return True
                return False

            return Node(keyword_is, 1)
        wanted_set = frozenset(wanted)

        def keyword_in(source: dict[str, Any], doc_id: str | None = None) -> bool:
            for value in get(source):
                if (value if type(value) is str else keyword_text(value)) in wanted_set:
                    return True
            return False

        return Node(keyword_in, 1)

    def tokens_any(self, info: FieldInfo, wanted: frozenset[str], needed: int, ci: bool) -> Node:
        get = getter(info.source)
        ascii_tokens = all(t.isascii() for t in wanted)

        def tokens_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
            values = get(source)
            if not values:
                return False
            if ascii_tokens:
                low = " ".join(keyword_text(v) for v in values).lower()
                if sum(1 for t in wanted if t in low) < needed:
                    return False
            tokens = {t for v in values for t in standard_tokens(keyword_text(v))}
            if ci:
                tokens = {t.lower() for t in tokens}
            return len(wanted & tokens) >= needed

        return Node(tokens_match, 5)

    def interval(self, info: FieldInfo, value: Any) -> tuple[int, int]:
        if info.type == "ip":
            return ip_interval(value)
        fmt = info.format
        lo = self.date_bound(value, False, fmt, None)
        return lo, self.date_bound(value, True, fmt, None)

    def in_intervals(self, info: FieldInfo, intervals: list[tuple[int, int]]) -> Node:
        if not intervals:
            return match_none
        values = doc_values(info)
        if len(intervals) == 1:
            ((lo, hi),) = intervals
            return any_value(values, lambda v: lo <= v <= hi, 2)
        return any_value(values, lambda v: any(a <= v <= b for a, b in intervals), 3)

    def convert(self, info: FieldInfo, value: Any) -> Any:
        """A query value as the (boolean or numeric) field holds it; None = can never match."""
        if info.type == "boolean":
            parsed = _boolean_or_none(value)
            if parsed is None:
                raise QueryError(f"Can't parse boolean value [{value}], expected [true] or [false]")
            return parsed
        if info.type in NUMERIC_TYPES:
            number = to_number(value, "double")
            if number is None or isinstance(value, bool):
                raise QueryError(f'failed to create query: For input string: "{value}"')
            if info.type in INTEGER_RANGES:
                if number != int(number):
                    return None
                return int(number)
            return number
        raise UnsupportedQueryError(f"fields of type [{info.type}] ({info.path}) are not supported")

    def date_bound(self, value: Any, round_up: bool, fmt: str | None, tz: tzinfo | None) -> int:
        return resolve_date_math(value, self.now_ms, round_up, fmt, tz)

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
            return self.string_test(info, lambda t: t.startswith(prefix), 3)
        regex = wildcard_regex(pattern, ci)
        return self.string_test(info, lambda t: regex.fullmatch(t) is not None, 5)

    def prefix(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("prefix", params, {"value", "case_insensitive", "rewrite"})
        value = params.get("value")
        if not isinstance(value, str):
            raise QueryError(f"[prefix] requires a string value for field [{info.path}]")
        _string_field("prefix", info)
        if params.get("case_insensitive"):
            folded = value.lower()
            return self.string_test(info, lambda t: t.lower().startswith(folded), 4)
        return self.string_test(info, lambda t: t.startswith(value), 3)

    def regexp(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        keys = {"value", "flags", "flags_value", "case_insensitive", "max_determinized_states"}
        _allowed("regexp", params, keys | {"rewrite"})
        value = params.get("value")
        if not isinstance(value, str):
            raise QueryError(f"[regexp] requires a string value for field [{info.path}]")
        _string_field("regexp", info)
        regex = lucene_regex(
            value, params.get("flags", "ALL"), bool(params.get("case_insensitive"))
        )
        return self.string_test(info, lambda t: regex.fullmatch(t) is not None, 6)

    def string_test(self, info: FieldInfo, test: Callable[[str], bool], cost: int) -> Node:
        """Whole values (keyword) or single tokens (text) passing `test`."""
        return any_value(doc_values(info), test, cost + (5 if info.type == "text" else 0))

    # full text -----------------------------------------------------------------------------

    def match(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        keys = {"query", "operator", "minimum_should_match", "zero_terms_query", "analyzer"}
        keys |= {"auto_generate_synonyms_phrase_query", "prefix_length", "max_expansions"}
        _allowed("match", params, keys | {"fuzzy_transpositions", "fuzziness"})
        query = _full_text_query("match", info, params)
        if info.type != "text":
            return self.equals(info, [query], False, "match")
        tokens = _analyze(params.get("analyzer"), keyword_text(query))
        if not tokens:
            return _zero_terms(params)
        operator = str(params.get("operator", "or")).lower()
        if operator not in ("or", "and"):
            raise QueryError(f"[match] unknown operator [{operator}]")
        wanted = frozenset(tokens)
        if operator == "and":
            return self.tokens_any(info, wanted, len(wanted), False)
        spec = params.get("minimum_should_match")
        needed = 1 if spec is None else max(minimum_should_match(spec, len(tokens)), 1)
        if needed > len(tokens):
            return match_none
        needed = min(needed, len(wanted))
        return self.tokens_any(info, wanted, needed, False)

    def match_phrase(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        _allowed("match_phrase", params, {"query", "analyzer", "zero_terms_query", "slop"})
        query = _full_text_query("match_phrase", info, params)
        if info.type != "text":
            return self.equals(info, [query], False, "match_phrase")
        tokens = _analyze(params.get("analyzer"), keyword_text(query))
        if not tokens:
            return _zero_terms(params)
        if len(tokens) == 1:
            return self.tokens_any(info, frozenset(tokens), 1, False)
        return self.phrase(info, tokens)

    def phrase(self, info: FieldInfo, phrase: list[str]) -> Node:
        get = getter(info.source)
        first, size = phrase[0], len(phrase)
        checks = [t for t in set(phrase) if t.isascii()]

        def phrase_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
            for value in get(source):
                text = keyword_text(value)
                low = text.lower()
                if not all(t in low for t in checks):
                    continue
                tokens = standard_tokens(text)
                for start in range(len(tokens) - size + 1):
                    if tokens[start] == first and tokens[start : start + size] == phrase:
                        return True
            return False

        return Node(phrase_match, 5)

    # ranges --------------------------------------------------------------------------------

    def range_(self, info: FieldInfo, params: dict[str, Any]) -> Node:
        keys = {"gt", "gte", "lt", "lte", "from", "to", "include_lower", "include_upper"}
        _allowed("range", params, keys | {"format", "time_zone", "relation"})
        lower, lower_incl, upper, upper_incl = _bounds(params)
        if lower is None and upper is None:
            return self.exists(info.path)
        kind = info.type
        if kind in ("date", "ip") or kind in INTEGER_RANGES:
            lo, hi = self.int_bounds(info, params, lower, lower_incl, upper, upper_incl)
            if lo > hi:
                return match_none
            if kind == "date":
                return date_range(info, lo, hi)
            return any_value(doc_values(info), lambda v: lo <= v <= hi, 3)
        convert = self.range_value_converter(info)
        lo_v = None if lower is None else convert(lower)
        hi_v = None if upper is None else convert(upper)
        test = _compare(lo_v, lower_incl, hi_v, upper_incl)
        return any_value(doc_values(info), test, 3 + (5 if kind == "text" else 0))

    def int_bounds(
        self,
        info: FieldInfo,
        params: dict[str, Any],
        lower: Any,
        lower_incl: bool,
        upper: Any,
        upper_incl: bool,
    ) -> tuple[int, int]:
        if info.type == "date":
            fmt = params.get("format", info.format)
            tz = time_zone(params.get("time_zone"))
            lo = -(2**63) if lower is None else self.date_bound(lower, not lower_incl, fmt, tz)
            hi = 2**63 if upper is None else self.date_bound(upper, upper_incl, fmt, tz)
            return lo + (0 if lower is None or lower_incl else 1), hi - (
                0 if upper is None or upper_incl else 1
            )
        if info.type == "ip":
            lo = -1 if lower is None else ip_interval(lower)[0]
            hi = 2**128 if upper is None else ip_interval(upper)[0]
            return lo + (0 if lower is None or lower_incl else 1), hi - (
                0 if upper is None or upper_incl else 1
            )
        lo_f = -math.inf if lower is None else self.range_number(info, lower)
        hi_f = math.inf if upper is None else self.range_number(info, upper)
        lo = (
            -(2**64)
            if lo_f == -math.inf
            else (math.floor(lo_f) + 1 if not lower_incl else math.ceil(lo_f))
        )
        hi = (
            2**64
            if hi_f == math.inf
            else (math.ceil(hi_f) - 1 if not upper_incl else math.floor(hi_f))
        )
        return lo, hi

    def range_number(self, info: FieldInfo, value: Any) -> float:
        number = to_number(value, "double")
        if number is None or isinstance(value, bool):
            raise QueryError(f'failed to create query: For input string: "{value}"')
        return number

    def range_value_converter(self, info: FieldInfo) -> Callable[[Any], Any]:
        if info.type in STRING_TYPES:
            return keyword_text
        if info.type in NUMERIC_TYPES:
            return lambda v: self.range_number(info, v)
        if info.type == "boolean":
            return lambda v: self.convert(info, v)
        raise UnsupportedQueryError(f"[range] on fields of type [{info.type}] is not supported")


def _bounds(params: dict[str, Any]) -> tuple[Any, bool, Any, bool]:
    lower, lower_incl = params.get("from"), bool(params.get("include_lower", True))
    upper, upper_incl = params.get("to"), bool(params.get("include_upper", True))
    if params.get("gt") is not None:
        lower, lower_incl = params["gt"], False
    if params.get("gte") is not None:
        lower, lower_incl = params["gte"], True
    if params.get("lt") is not None:
        upper, upper_incl = params["lt"], False
    if params.get("lte") is not None:
        upper, upper_incl = params["lte"], True
    return lower, lower_incl, upper, upper_incl


def _compare(lo: Any, lo_incl: bool, hi: Any, hi_incl: bool) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if lo is not None and (value < lo or (value == lo and not lo_incl)):
            return False
        return hi is None or value < hi or (value == hi and hi_incl)

    return test


def _full_text_query(name: str, info: FieldInfo, params: dict[str, Any]) -> Any:
    query = params.get("query")
    if query is None or isinstance(query, dict | list):
        raise QueryError(f"[{name}] requires a scalar 'query' for field [{info.path}]")
    return query


def _analyze(analyzer: Any, text: str) -> list[str]:
    if analyzer in (None, "standard", "default"):
        return standard_tokens(text)
    if analyzer == "keyword":
        return [text]
    if analyzer == "whitespace":
        return text.split()
    raise UnsupportedQueryError(f"analyzer [{analyzer}] is not supported by the embedded store")


def _zero_terms(params: dict[str, Any]) -> Node:
    mode = str(params.get("zero_terms_query", "none")).lower()
    if mode not in ("none", "all"):
        raise QueryError(f"unknown zero_terms_query [{mode}]")
    return match_all if mode == "all" else match_none


def minimum_should_match(spec: int | str, optional: int) -> int:
    """How many of `optional` should clauses must match for a `minimum_should_match` spec."""
    text = str(spec).strip()
    try:
        if "<" in text:
            result = optional
            for part in text.replace(" <", "<").replace("< ", "<").split():
                bound, _, inner = part.partition("<")
                if optional <= int(bound):
                    return result
                result = minimum_should_match(inner, optional)
            return result
        if text.endswith("%"):
            calc = optional * int(text[:-1]) / 100
            result = optional + int(calc) if calc < 0 else int(calc)
        else:
            calc_int = int(text)
            result = optional + calc_int if calc_int < 0 else calc_int
    except ValueError as exc:
        raise QueryError(f"invalid minimum_should_match [{spec}]") from exc
    return max(result, 0)


SEARCHABLE_TYPES = frozenset(("keyword", "text", "ip", "date", "boolean")) | NUMERIC_TYPES
_OTHER = frozenset(("ip", "date", "boolean"))


def date_range(info: FieldInfo, lo: int, hi: int) -> Node:
    """Dates within [lo, hi] ms; ISO strings compared as datetimes (no per-value arithmetic)."""
    get = getter(info.source)
    fmt = info.format or DEFAULT_FORMAT
    parse = date_parser(fmt)
    iso = fmt.split("||")[0].strip() in ISO_NAMES
    lo_dt = _EPOCH + timedelta(milliseconds=max(lo, _MIN_MS))
    hi_dt = _EPOCH + timedelta(milliseconds=min(hi, _MAX_MS) + 1)
    fromiso = datetime.fromisoformat

    def date_in_range(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for value in get(source):
            if iso and type(value) is str and len(value) > 9 and value[4] == "-" == value[7]:
                try:
                    stamp = fromiso(value)
                except ValueError:
                    pass
                else:
                    if stamp.tzinfo is None:
                        stamp = stamp.replace(tzinfo=UTC)
                    if lo_dt <= stamp < hi_dt:
                        return True
                    continue
            millis = _or_none(parse, value)
            if millis is not None and lo <= millis <= hi:
                return True
        return False

    return Node(date_in_range, 3)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_MS = (datetime(1, 1, 2, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_MAX_MS = (datetime(9999, 12, 30, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)


def ip_interval(value: Any) -> tuple[int, int]:
    """The addresses an ip query value covers: one address, or a CIDR block (host bits masked)."""
    text = str(value)
    address, slash, bits = text.partition("/")
    number = parse_ip(address)
    if number is None or (slash and not bits.isdigit()):
        raise QueryError(f"'{text}' is not an IP string literal.")
    if not slash:
        return number, number
    width = int(bits) + (96 if ":" not in address else 0)
    if width > 128 or (":" not in address and int(bits) > 32):
        raise QueryError(f"invalid CIDR prefix length in [{text}]")
    host = (1 << (128 - width)) - 1
    return number & ~host, (number & ~host) | host


def time_zone(value: Any) -> tzinfo | None:
    """A range query's `time_zone` (UTC offset or IANA name)."""
    if value is None:
        return None
    text = str(value)
    if text[:1] in "+-" and len(text) >= 3:
        hours, _, minutes = text[1:].partition(":")
        delta = timedelta(hours=int(hours[:2]), minutes=int(minutes or hours[2:] or 0))
        return timezone(-delta if text[0] == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise QueryError(f"unknown time_zone [{text}]") from exc


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


def _missing_value(kind: str, params: dict[str, Any]) -> bool:
    key = {"match": "query", "match_phrase": "query", "term": "value", "terms": "values"}[kind]
    return key not in params


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
