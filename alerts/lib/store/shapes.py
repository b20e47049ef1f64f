"""Document shapes: the cache key under which a mapping keeps a document's validation plan.

A document's *shape* is the nesting of its keys with the exact JSON type of each value
(an object's shape is the pair of its keys and their kinds; a scalar's kind is its type;
an array of scalars has the frozenset of its items' types). Two documents of one shape
walk the document parser down the same path: the same fields are known or new, the
same keys are refused, and only the values differ. So once a document of some shape
has been admitted without changing the mapping, the next documents of that shape need
only the value checks of the leaves whose type can refuse a value (`ValidationPlan`):
dates, IPs, numbers, booleans; a ``keyword`` or ``text`` field refuses no scalar.

`shape_of` answers None for a document outside this fast path (arrays of objects or of
arrays, non-finite floats, anything that is not a plain JSON value); such documents
always take the full parser. A plain-JSON document (a shape that is not None) also
equals its own JSON round trip, so the writer need not decode what it just encoded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

Shape = tuple[tuple[str, ...], tuple[Any, ...]]  # (keys, kind of each value)
Validator = Callable[[Any], None]
# One value check: the raw keys leading to the value, its check, and whether it is an array.
Step = tuple[tuple[str, ...], Validator, bool]

_SCALARS = frozenset((str, int, bool, type(None)))
_NONE = type(None)


def shape_of(document: dict[str, Any]) -> Shape | None:
    """The shape of a plain-JSON object, or None if it must take the full parser."""
    kinds: list[Any] = list(map(type, document.values()))
    if not _SCALARS.issuperset(kinds):
        for position, value in enumerate(document.values()):
            kind = kinds[position]
            if kind in _SCALARS:
                continue
            if kind is dict:
                kind = shape_of(value)
            elif kind is list:
                kind = _array_kind(value)
            elif kind is not float or not math.isfinite(value):
                return None
            if kind is None:
                return None
            kinds[position] = kind
    return tuple(document), tuple(kinds)


def plan(
    shape: Shape, validator: Callable[[str], Validator | None], type_only: Callable[[str], bool]
) -> list[Step]:
    """The value checks a document of `shape` needs under a mapping that admitted it."""
    steps: list[Step] = []
    for keys, kind in _leaves(shape, ()):
        kinds = kind if type(kind) is frozenset else frozenset((kind,))
        kinds = kinds - {_NONE}
        path = ".".join(keys)
        check = validator(path)
        if check is None or not kinds or type_only(path):
            continue
        steps.append((keys, check, type(kind) is frozenset))
    return steps


def run(steps: list[Step], document: dict[str, Any]) -> None:
    """Apply the value checks of a plan to `document` (DocumentError if one refuses)."""
    for keys, check, many in steps:
        value: Any = document
        for key in keys:
            value = value[key]
        if many:
            for item in value:
                if item is not None:
                    check(item)
        elif value is not None:
            check(value)


def _leaves(shape: Shape, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, kind in zip(*shape, strict=True):
        if type(kind) is tuple:
            yield from _leaves(kind, (*prefix, key))
        else:
            yield (*prefix, key), kind


def _array_kind(values: list[Any]) -> frozenset[type] | None:
    kinds = frozenset(map(type, values))
    if kinds <= _SCALARS:
        return kinds
    if kinds <= _SCALARS | {float} and all(
        math.isfinite(value) for value in values if type(value) is float
    ):
        return kinds
    return None
