"""``range`` queries, with each field type's ordering.

Dates use date math, the query's ``format`` and ``time_zone``, and round exclusive
bounds the way Elasticsearch does (``gt`` rounds up, ``lt`` rounds down); ip bounds are
addresses; integer fields round fractional bounds inwards. Keyword and text fields
compare strings (text: each token), other numeric fields compare floats, and booleans
compare false < true.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.dates import DEFAULT_FORMAT, ISO_NAMES, date_parser, resolve_date_math
from lib.store.docvalues import (
    STRING_TYPES,
    doc_values,
    keyword_text,
    or_none,
    query_number,
    query_value,
)
from lib.store.fieldtypes import INTEGER_RANGES, NUMERIC_TYPES, FieldInfo
from lib.store.nodes import Node, any_value, match_none
from lib.store.source_values import field_getter
from lib.store.term_query import ip_interval

Bounds = tuple[Any, bool, Any, bool]
"""(lower, lower inclusive, upper, upper inclusive); None for an open end."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_MS = (datetime(1, 1, 2, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_MAX_MS = (datetime(9999, 12, 30, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)


def range_bounds(params: dict[str, Any]) -> Bounds:
    """A range query's bounds (``gt``/``gte``/``lt``/``lte`` over ``from``/``to``)."""
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


def in_range(info: FieldInfo, params: dict[str, Any], bounds: Bounds, now_ms: int) -> Node:
    """Documents with a value of `info`'s field within `bounds` (not both open)."""
    kind = info.type
    if kind in ("date", "ip") or kind in INTEGER_RANGES:
        lo, hi = _int_bounds(info, params, bounds, now_ms)
        if lo > hi:
            return match_none
        if kind == "date":
            return date_range(info, lo, hi)
        return any_value(doc_values(info), lambda v: lo <= v <= hi, 3)
    lower, lower_incl, upper, upper_incl = bounds
    convert = _range_value_converter(info)
    lo_v = None if lower is None else convert(lower)
    hi_v = None if upper is None else convert(upper)
    test = _compare(lo_v, lower_incl, hi_v, upper_incl)
    return any_value(doc_values(info), test, 3 + (5 if kind == "text" else 0))


def _int_bounds(
    info: FieldInfo, params: dict[str, Any], bounds: Bounds, now_ms: int
) -> tuple[int, int]:
    """Inclusive integer bounds of a date (ms), ip or integer range."""
    if info.type == "date":
        return _date_bounds(info, params, bounds, now_ms)
    if info.type == "ip":
        lower, _, upper, _ = bounds
        lo = -1 if lower is None else ip_interval(lower)[0]
        hi = 2**128 if upper is None else ip_interval(upper)[0]
        return _inclusive(lo, hi, bounds)
    return _integer_bounds(bounds)


def _date_bounds(
    info: FieldInfo, params: dict[str, Any], bounds: Bounds, now_ms: int
) -> tuple[int, int]:
    lower, lower_incl, upper, upper_incl = bounds
    fmt = params.get("format", info.format)
    tz = time_zone(params.get("time_zone"))
    lo = -(2**63) if lower is None else resolve_date_math(lower, now_ms, not lower_incl, fmt, tz)
    hi = 2**63 if upper is None else resolve_date_math(upper, now_ms, upper_incl, fmt, tz)
    return _inclusive(lo, hi, bounds)


def _inclusive(lo: int, hi: int, bounds: Bounds) -> tuple[int, int]:
    """Exclusive ends moved one step inwards."""
    lower, lower_incl, upper, upper_incl = bounds
    lo += 0 if lower is None or lower_incl else 1
    hi -= 0 if upper is None or upper_incl else 1
    return lo, hi


def _integer_bounds(bounds: Bounds) -> tuple[int, int]:
    lower, lower_incl, upper, upper_incl = bounds
    lo_f = -math.inf if lower is None else query_number(lower)
    hi_f = math.inf if upper is None else query_number(upper)
    if lo_f == -math.inf:
        lo = -(2**64)
    else:
        lo = math.floor(lo_f) + 1 if not lower_incl else math.ceil(lo_f)
    if hi_f == math.inf:
        hi = 2**64
    else:
        hi = math.ceil(hi_f) - 1 if not upper_incl else math.floor(hi_f)
    return lo, hi


def _range_value_converter(info: FieldInfo) -> Callable[[Any], Any]:
    if info.type in STRING_TYPES:
        return keyword_text
    if info.type in NUMERIC_TYPES:
        return query_number
    if info.type == "boolean":
        return lambda v: query_value(info, v)
    raise UnsupportedQueryError(f"[range] on fields of type [{info.type}] is not supported")


def _compare(lo: Any, lo_incl: bool, hi: Any, hi_incl: bool) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if lo is not None and (value < lo or (value == lo and not lo_incl)):
            return False
        return hi is None or value < hi or (value == hi and hi_incl)

    return test


def date_range(info: FieldInfo, lo: int, hi: int) -> Node:
    """Dates within [lo, hi] ms; ISO strings compared as datetimes (no per-value arithmetic)."""
    get = field_getter(info)
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
            millis = or_none(parse, value)
            if millis is not None and lo <= millis <= hi:
                return True
        return False

    return Node(date_in_range, 3)


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
