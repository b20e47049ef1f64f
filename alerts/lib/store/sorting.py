"""Sorting hits as Elasticsearch's `sort` does, and `_source` filtering of hits.

Sort syntax: ``"field"``, ``{"field": "desc"}``, ``{"field": {"order", "missing",
"mode", "unmapped_type"}}``, ``"_score"`` (descending by default), ``"_doc"`` (index
order), as one spec or a list. Values compare per field type (dates as instants, ips
as addresses, numbers numerically, keywords by code point). A multi-valued field sorts
by its minimum ascending and its maximum descending (``mode`` default). Documents
without a value sort last (``missing: _last``) unless told otherwise. Each sorted hit
gets Elasticsearch's ``sort`` values and, unless the sort includes ``_score``, a null
``_score``. Sorting on a ``text`` field raises the fielddata error; on a field no index
maps, "No mapping found" unless ``unmapped_type`` is given.
"""

from __future__ import annotations

import fnmatch
import statistics
from collections.abc import Callable
from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.fieldquery import doc_values
from lib.store.mapping import FLOAT_TYPES, Mapping, format_ip

Hit = dict[str, Any]
_LONG_MAX, _LONG_MIN = 2**63 - 1, -(2**63)


def sort_hits(
    hits: list[Hit],
    sort: list[Any] | dict[str, Any] | str | None,
    mapping_for: Callable[[str], Mapping],
) -> list[Hit]:
    """Return `hits` ordered by `sort`, each with its `sort` values set."""
    if sort is None:
        return list(hits)
    criteria = [_criterion(item) for item in _as_list(sort)]
    if not criteria:
        return list(hits)
    keyed = [(dict(hit), []) for hit in hits]  # type: list[tuple[Hit, list[Any]]]
    for position, (hit, values) in enumerate(keyed):
        for field, order, params in criteria:
            values.append(_sort_value(hit, position, field, order, params, mapping_for))
    order_index = list(range(len(keyed)))
    for column in reversed(range(len(criteria))):
        field, order, params = criteria[column]
        ranks = [_rank(values[column], order, params) for _, values in keyed]
        order_index.sort(key=ranks.__getitem__, reverse=order == "desc")
    with_score = any(field == "_score" for field, _, _ in criteria)
    out = []
    for i in order_index:
        hit, values = keyed[i]
        hit["sort"] = [_shown(v, criteria[c]) for c, v in enumerate(values)]
        if not with_score:
            hit["_score"] = None
        out.append(hit)
    return out


def _as_list(sort: Any) -> list[Any]:
    if isinstance(sort, str):
        return [part.strip() for part in sort.split(",") if part.strip()]
    if isinstance(sort, dict):
        return [{key: value} for key, value in sort.items()]
    if isinstance(sort, list):
        return sort
    raise QueryError(f"[sort] malformed: {sort!r}")


def _criterion(item: Any) -> tuple[str, str, dict[str, Any]]:
    if isinstance(item, str):
        field, _, order = item.partition(":")
        return field, order or ("desc" if field == "_score" else "asc"), {}
    if not isinstance(item, dict) or len(item) != 1:
        raise QueryError(f"[sort] malformed: {item!r}")
    ((field, spec),) = item.items()
    params = {"order": spec} if isinstance(spec, str) else dict(spec)
    order = str(params.get("order", "desc" if field == "_score" else "asc")).lower()
    if order not in ("asc", "desc"):
        raise QueryError(f"[sort] unknown order [{order}] for [{field}]")
    for key in ("nested", "script", "numeric_type"):
        if key in params:
            raise UnsupportedQueryError(f"[sort] option [{key}] is not supported")
    return field, order, params


def _sort_value(
    hit: Hit,
    position: int,
    field: str,
    order: str,
    params: dict[str, Any],
    mapping_for: Callable[[str], Mapping],
) -> Any:
    if field == "_score":
        return hit.get("_score")
    if field == "_doc":
        return position
    mapping = mapping_for(hit["_index"])
    info = mapping.field(field)
    if info is None:
        if "unmapped_type" in params:
            return None
        raise QueryError(f"No mapping found for [{field}] in order to sort on")
    if info.type == "text" and not info.params.get("fielddata"):
        from lib.store.aggregations import fielddata_error

        raise QueryError(fielddata_error(field, hit["_index"]))
    values = doc_values(info)(hit["_source"])
    params["_type"] = info.type
    if not values:
        return None
    mode = params.get("mode", "max" if order == "desc" else "min")
    if mode in ("min", "max"):
        return min(values) if mode == "min" else max(values)
    numbers = [float(v) for v in values]
    reducers: dict[str, Callable[[list[float]], float]] = {
        "avg": statistics.fmean,
        "sum": sum,
        "median": statistics.median,
    }
    if mode not in reducers:
        raise QueryError(f"[sort] unknown mode [{mode}]")
    return reducers[mode](numbers)


def _rank(value: Any, order: str, params: dict[str, Any]) -> tuple[int, Any]:
    missing = params.get("missing", "_last")
    if value is None:
        if missing not in ("_last", "_first"):
            return (0, missing)
        last = missing == "_last"
        return (1 if last == (order == "asc") else -1, 0)
    return (0, int(value) if isinstance(value, bool) else value)


def _shown(value: Any, criterion: tuple[str, str, dict[str, Any]]) -> Any:
    field, order, params = criterion
    kind = params.get("_type")
    if value is None:
        if kind in ("keyword", "ip", None) or field in ("_score", "_doc"):
            return None
        if kind in FLOAT_TYPES:
            return float("inf") if order == "asc" else float("-inf")
        return _LONG_MAX if order == "asc" else _LONG_MIN
    if kind == "ip":
        return format_ip(value)
    if kind == "boolean":
        return int(value)
    return value


def filter_source(source: dict[str, Any], spec: Any) -> dict[str, Any] | None:
    """Apply a `_source` option (bool, pattern list, or includes/excludes) to a source."""
    if spec is True or spec is None:
        return source
    if spec is False:
        return None
    if isinstance(spec, str):
        spec = [spec]
    if isinstance(spec, list):
        spec = {"includes": spec}
    if not isinstance(spec, dict):
        raise QueryError(f"[_source] malformed: {spec!r}")
    includes = _patterns(spec.get("includes", spec.get("include")))
    excludes = _patterns(spec.get("excludes", spec.get("exclude")))
    return _filter(source, "", includes, excludes)


def _patterns(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _filter(
    node: dict[str, Any], prefix: str, includes: list[str], excludes: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = prefix + key
        if any(fnmatch.fnmatchcase(path, p) for p in excludes):
            continue
        included = not includes or any(fnmatch.fnmatchcase(path, p) for p in includes)
        nested_excludes = any(p.startswith(path + ".") for p in excludes)
        if included and not nested_excludes:
            out[key] = value
            continue
        inner_includes = [] if included else includes
        if isinstance(value, dict):
            inner = _filter(value, path + ".", inner_includes, excludes)
            if inner:
                out[key] = inner
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            items = [
                _filter(v, path + ".", inner_includes, excludes)
                for v in value
                if isinstance(v, dict)
            ]
            if any(items):
                out[key] = [i for i in items if i]
        elif included:
            out[key] = value
    return out
