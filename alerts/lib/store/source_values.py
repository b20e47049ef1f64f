"""Value lookup in a document's ``_source`` by dotted field path.

Elasticsearch treats dotted keys (``{"details.program": ...}``) as the nested path and
indexes every leaf of an array, so `field_values(source, path)` returns every non-null
leaf value at `path` however the document spells it, arrays flattened. `getter(path)`
compiles that lookup once per path: it is the hot path of every query.

`field_getter(info)` is the lookup of one mapped field: a field mapped with
``null_value`` indexes an explicit ``null`` (also inside an array) as that value, while
a missing field or ``[]`` stays without values ("null_value",
https://www.elastic.co/guide/en/elasticsearch/reference/current/null-value.html).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lib.store.fieldtypes import FieldInfo

Getter = Callable[[dict[str, Any]], "list[Any] | tuple[Any, ...]"]
_Keys = dict[tuple[int, int], str]
_EMPTY: tuple[Any, ...] = ()


def field_values(source: dict[str, Any], path: str) -> list[Any]:
    """Every non-null leaf value at dotted `path` in `source` (arrays flattened)."""
    return list(getter(path)(source))


def field_getter(info: FieldInfo) -> Getter:
    """The values of the mapped field `info` in a source (``null_value`` applied)."""
    if info.params.get("null_value") is None:
        return getter(info.source)
    return _null_value_getter(info.source, info.params["null_value"])


def _null_value_getter(path: str, null_value: Any) -> Getter:
    return _walking_getter(path.split("."), null_value)


@lru_cache(maxsize=4096)
def getter(path: str) -> Getter:
    """A compiled `field_values` for one path: the hot path of every query."""
    parts = path.split(".")
    if len(parts) == 1:
        return _getter1(path)
    if len(parts) == 2:
        return _getter2(parts[0], parts[1], path)
    return _walking_getter(parts)


def _walking_getter(parts: list[str], null_value: Any = None) -> Getter:
    """The general lookup: every way of splitting `parts` into dotted keys and objects."""
    keys = {
        (i, j): ".".join(parts[i:j])
        for i in range(len(parts))
        for j in range(i + 1, len(parts) + 1)
    }

    def get(source: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        _collect(source, 0, len(parts), keys, out, null_value)
        return out

    return get


def _getter1(key: str) -> Getter:
    def get(source: dict[str, Any]) -> list[Any] | tuple[Any, ...]:
        value = source.get(key)
        if value is None or type(value) is dict:
            return _EMPTY
        if type(value) is list:
            return _flatten(value)
        return (value,)

    return get


def _getter2(first: str, second: str, dotted: str) -> Getter:
    keys = {(0, 1): first, (0, 2): dotted, (1, 2): second}

    def get(source: dict[str, Any]) -> list[Any] | tuple[Any, ...]:
        inner = source.get(first)
        if type(inner) is dict and dotted not in source:
            value = inner.get(second)
            if value is None or type(value) is dict:
                return _EMPTY
            if type(value) is list:
                return _flatten(value)
            return (value,)
        out: list[Any] = []
        _collect(source, 0, 2, keys, out)
        return out

    return get


def _collect(node: Any, i: int, n: int, keys: _Keys, out: list[Any], null: Any = None) -> None:
    if i == n:
        if type(node) is list:
            out.extend(_flatten(node, null))
        elif node is None:
            if null is not None:
                out.append(null)
        elif type(node) is not dict:
            out.append(node)
        return
    if type(node) is list:
        for item in node:
            _collect(item, i, n, keys, out, null)
    elif type(node) is dict:
        for j in range(i + 1, n + 1):
            child = node.get(keys[i, j])
            if child is not None:
                _collect(child, j, n, keys, out, null)
            elif null is not None and j == n and keys[i, j] in node:
                out.append(null)


def _flatten(values: list[Any], null: Any = None) -> list[Any]:
    out = []
    for value in values:
        if type(value) is list:
            out.extend(_flatten(value, null))
        elif value is None:
            if null is not None:
                out.append(null)
        elif type(value) is not dict:
            out.append(value)
    return out
