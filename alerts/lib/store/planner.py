"""The embedded store's time-window planner: which rows a query can possibly match.

The embedded store keeps `utctimestamp` and `receivedtimestamp` (when the index maps
them as `date`) in indexed INTEGER epoch-millisecond columns. `plan_query` reads the
bounds a query puts on them - `range` clauses reached through `bool` `must`/`filter`
(intersection) and through required `should` clauses (union; MozDef's time window is
``utctimestamp OR receivedtimestamp``) - and `plan_sql` turns the plan into a SQL
condition that SQLite answers from those indexes.

The plan only prunes: every document the query can match satisfies the condition.
Bounds are resolved with the caller's clock and widened to cover both rounding
directions of date math; a clause the planner does not understand adds no bound, and
a query with no usable bound is answered by a full scan of the index. The compiled
query still runs on every candidate, so answers never depend on the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib.errors import QueryError
from lib.store.dates import resolve_date_math

# Field -> column of the documents table.
TIME_COLUMNS = {"utctimestamp": "utc", "receivedtimestamp": "recv"}
# Stored in a time column when the field holds several dates: always a candidate.
MULTI_VALUED = -(2**63)
_LOWEST = MULTI_VALUED + 1
_HIGHEST = 2**63 - 1
_RANGE_KEYS = frozenset(("gt", "gte", "lt", "lte", "boost", "format"))


@dataclass(frozen=True)
class Bound:
    """`column` lies within [low, high] (inclusive; None = open)."""

    column: str
    low: int | None
    high: int | None


@dataclass(frozen=True)
class Combined:
    """All (`op` 'and') or any (`op` 'or') of `parts` hold."""

    op: str
    parts: tuple[Plan, ...]


Plan = Bound | Combined


def plan_query(query: Any, date_formats: dict[str, str | None], now_ms: int) -> Plan | None:
    """The bounds `query` puts on the time columns, or None (no usable bound).

    `date_formats` maps each time field the index types as `date` to its mapping
    `format` (None for the default).
    """
    if not isinstance(query, dict) or len(query) != 1:
        return None
    ((kind, params),) = query.items()
    if kind == "range":
        return _plan_range(params, date_formats, now_ms)
    if kind == "bool" and isinstance(params, dict):
        return _plan_bool(params, date_formats, now_ms)
    if kind == "constant_score" and isinstance(params, dict):
        return plan_query(params.get("filter"), date_formats, now_ms)
    return None


def plan_sql(plan: Plan) -> tuple[str, list[int]]:
    """A SQL condition (and its parameters) true for every row the plan allows."""
    if isinstance(plan, Bound):
        low = _LOWEST if plan.low is None else max(plan.low, _LOWEST)
        high = _HIGHEST if plan.high is None else plan.high
        column = plan.column
        return f"({column} BETWEEN ? AND ? OR {column} = ?)", [low, high, MULTI_VALUED]
    pieces = [plan_sql(part) for part in plan.parts]
    joiner = " AND " if plan.op == "and" else " OR "
    sql = joiner.join(piece for piece, _ in pieces)
    return f"({sql})", [value for _, values in pieces for value in values]


def _plan_bool(params: dict[str, Any], formats: dict[str, str | None], now_ms: int) -> Plan | None:
    required = _as_list(params.get("must")) + _as_list(params.get("filter"))
    parts = [plan for clause in required if (plan := plan_query(clause, formats, now_ms))]
    should = _as_list(params.get("should"))
    if should and _should_required(params, len(should), bool(required)):
        options = [plan_query(clause, formats, now_ms) for clause in should]
        if all(options):
            parts.append(_combine("or", [option for option in options if option]))
    return _combine("and", parts) if parts else None


def _should_required(params: dict[str, Any], count: int, has_required: bool) -> bool:
    """True when at least one `should` clause must match (minimum_should_match >= 1)."""
    minimum = params.get("minimum_should_match")
    if minimum is None:
        return not has_required
    if isinstance(minimum, bool):
        return False
    if isinstance(minimum, int):
        return minimum >= 1
    if isinstance(minimum, str):
        text = minimum.strip()
        if text.isdigit():
            return int(text) >= 1
        if text.endswith("%") and text[:-1].isdigit():
            return count * int(text[:-1]) // 100 >= 1
    return False


def _plan_range(params: Any, formats: dict[str, str | None], now_ms: int) -> Bound | None:
    if not isinstance(params, dict) or len(params) != 1:
        return None
    ((field, spec),) = params.items()
    if field not in TIME_COLUMNS or field not in formats or not isinstance(spec, dict):
        return None
    if not set(spec) <= _RANGE_KEYS:
        return None
    fmt = spec.get("format") or formats[field]
    try:
        low = _widest(spec, ("gt", "gte"), fmt, now_ms, min)
        high = _widest(spec, ("lt", "lte"), fmt, now_ms, max)
    except (ValueError, TypeError, QueryError):
        return None  # the compiled query reports a bad bound itself
    if low is None and high is None:
        return None
    return Bound(TIME_COLUMNS[field], low, high)


def _widest(
    spec: dict[str, Any], keys: tuple[str, ...], fmt: str | None, now_ms: int, pick: Any
) -> int | None:
    """The loosest value of the bounds under `keys`, over both rounding directions."""
    values = [
        resolve_date_math(spec[key], now_ms, round_up=up, fmt=fmt)
        for key in keys
        if spec.get(key) is not None
        for up in (False, True)
    ]
    return pick(values) if values else None


def _combine(op: str, parts: list[Plan]) -> Plan:
    return parts[0] if len(parts) == 1 else Combined(op, tuple(parts))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
