"""Exact-value (``term``/``terms``) queries, with each field type's idea of "equal".

- ``keyword``: exact, case-sensitive (unless ``case_insensitive``), whole value; numbers
  and booleans compare as their JSON text; values over ``ignore_above`` never match.
- ``text``: one token, as given (not analysed).
- ``ip``: an address, or a CIDR block matching its range with host bits masked.
- ``date``: the range [value rounded down, value rounded up] (date math allowed).
- ``boolean`` and numeric types: the value as the field type parses it; a fractional
  value never matches an integer field.
"""

from __future__ import annotations

from typing import Any

from lib.errors import QueryError
from lib.store.dates import resolve_date_math
from lib.store.docvalues import doc_values, keyword_text, query_value
from lib.store.fieldtypes import FieldInfo, parse_ip
from lib.store.nodes import Node, any_value, match_none
from lib.store.source_values import Getter, field_getter
from lib.store.text_query import tokens_any


def equals(info: FieldInfo, values: list[Any], ci: bool, name: str, now_ms: int) -> Node:
    """Documents with any value equal to one of `values` (per the field's type)."""
    for value in values:
        if value is None or isinstance(value, dict | list):
            raise QueryError(f"[{name}] values must be scalars, got {value!r}")
    kind = info.type
    if kind == "keyword":
        return keyword_equals(info, [keyword_text(v) for v in values], ci)
    if kind == "text":
        wanted = frozenset(keyword_text(v).lower() if ci else keyword_text(v) for v in values)
        return tokens_any(info, wanted, 1, ci)
    if kind in ("ip", "date"):
        return in_intervals(info, [interval(info, v, now_ms) for v in values])
    wanted_set = frozenset(v for v in (query_value(info, v) for v in values) if v is not None)
    if not wanted_set:
        return match_none
    return any_value(doc_values(info), wanted_set.__contains__, 2)


def keyword_equals(info: FieldInfo, wanted: list[str], ci: bool) -> Node:
    """Documents whose keyword field holds one of `wanted` (whole values)."""
    limit = info.ignore_above
    if limit is not None:
        wanted = [w for w in wanted if len(w) <= limit]
    if not wanted:
        return match_none
    if ci:
        folded = frozenset(w.lower() for w in wanted)
        return any_value(doc_values(info), lambda v: v.lower() in folded, 2)
    get = field_getter(info)
    if len(wanted) == 1:
        return _keyword_is(get, wanted[0])
    return _keyword_in(get, frozenset(wanted))


def _keyword_is(get: Getter, want: str) -> Node:
    def keyword_is(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for value in get(source):
            if value == want or (type(value) is not str and keyword_text(value) == want):
                return True
        return False

    return Node(keyword_is, 1)


def _keyword_in(get: Getter, wanted: frozenset[str]) -> Node:
    def keyword_in(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for value in get(source):
            if (value if type(value) is str else keyword_text(value)) in wanted:
                return True
        return False

    return Node(keyword_in, 1)


def interval(info: FieldInfo, value: Any, now_ms: int) -> tuple[int, int]:
    """The values of an ip or date field a ``term`` on `value` covers."""
    if info.type == "ip":
        return ip_interval(value)
    lo = resolve_date_math(value, now_ms, False, info.format, None)
    return lo, resolve_date_math(value, now_ms, True, info.format, None)


def in_intervals(info: FieldInfo, intervals: list[tuple[int, int]]) -> Node:
    """Documents with a value inside any of `intervals` (inclusive)."""
    if not intervals:
        return match_none
    values = doc_values(info)
    if len(intervals) == 1:
        ((lo, hi),) = intervals
        return any_value(values, lambda v: lo <= v <= hi, 2)
    return any_value(values, lambda v: any(a <= v <= b for a, b in intervals), 3)


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
