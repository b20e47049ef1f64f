"""Compiled query clauses of the embedded engine, and their boolean combination.

A `Node` is a predicate over one document's ``_source`` (and id) with a relative cost;
`combine` builds a ``bool`` clause from required, excluded and optional nodes, running
the cheapest first and short-circuiting. `minimum_should_match` reads Elasticsearch's
``minimum_should_match`` specs (integers, percentages, negative values, conditionals).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from lib.errors import QueryError

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
    return Node(_bool_match(required, excluded, optional, needed), cost)


def _bool_match(
    required: list[Node], excluded: list[Node], optional: list[Node], needed: int
) -> Predicate:
    """The predicate of a ``bool`` clause over nodes already in evaluation order."""
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

    return bool_match


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


def has_values(values: Values) -> Node:
    """True when a document has any value for the field `values` reads."""

    def has_any(source: dict[str, Any], doc_id: str | None = None) -> bool:
        return bool(values(source))

    return Node(has_any, 1)


def any_value(values: Values, test: Callable[[Any], bool], cost: int) -> Node:
    """True when any of a document's converted values passes `test`."""

    def any_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for value in values(source):
            if test(value):
                return True
        return False

    return Node(any_match, cost)


def minimum_should_match(spec: int | str, optional: int) -> int:
    """How many of `optional` should clauses must match for a `minimum_should_match` spec."""
    text = str(spec).strip()
    try:
        if "<" in text:
            return _conditional(text, optional)
        if text.endswith("%"):
            calc = optional * int(text[:-1]) / 100
            result = optional + int(calc) if calc < 0 else int(calc)
        else:
            calc_int = int(text)
            result = optional + calc_int if calc_int < 0 else calc_int
    except ValueError as exc:
        raise QueryError(f"invalid minimum_should_match [{spec}]") from exc
    return max(result, 0)


def _conditional(text: str, optional: int) -> int:
    """A conditional spec such as ``3<90%`` or ``2<-25% 9<-3``."""
    result = optional
    for part in text.replace(" <", "<").replace("< ", "<").split():
        bound, _, inner = part.partition("<")
        if optional <= int(bound):
            return result
        result = minimum_should_match(inner, optional)
    return result
