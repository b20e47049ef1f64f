"""Aggregations over the hits that matched a query, shaped as Elasticsearch returns them.

Supported: ``terms`` (exact counts, so ``doc_count_error_upper_bound`` is always 0;
``size``, ``order`` by ``_count``/``_key``, ``min_doc_count`` >= 1, ``missing``,
``include``/``exclude`` as a list or a regexp; nested sub-aggregations), ``cardinality``
(exact), ``value_count``, ``min``, ``max``, ``sum``, ``avg``, ``missing``, ``filter``
and ``top_hits`` (``size``, ``from``, ``sort``, ``_source``). Anything else raises
`UnsupportedQueryError` naming the aggregation type. Options are checked per type
(`_OPTIONS`): an unknown one raises `QueryError`, a real Elasticsearch option not
implemented here (``format``, ``highlight``, ``script_fields``, ...) `UnsupportedQueryError`.

A document counts once per distinct value of a field (arrays give one bucket per
element). Bucket keys follow the field type: keyword -> string, boolean -> 1/0 with
``key_as_string`` ``"true"``/``"false"``, numeric -> number, date -> epoch
milliseconds with ``key_as_string``, ip -> address string. ``text`` fields without
``fielddata`` raise Elasticsearch's fielddata error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.dates import format_date
from lib.store.fieldquery import NUMERIC_TYPES, Values, doc_values
from lib.store.mapping import FLOAT_TYPES, FieldInfo, Mapping, format_ip
from lib.store.metadata_query import IndexNames
from lib.store.patterns import lucene_regex

Hit = dict[str, Any]
MappingFor = Callable[[str], Mapping]


def aggregate(
    aggs: dict[str, Any],
    hits: list[Hit],
    mapping_for: MappingFor,
    now_ms: int,
    names_for: Callable[[str], IndexNames] | None = None,
) -> dict[str, Any]:
    """The Elasticsearch `aggregations` response for `aggs` over `hits`."""
    if not isinstance(aggs, dict):
        raise QueryError("[aggs] must be an object of named aggregations")
    fields = _Fields(mapping_for, names_for)
    return {name: _run(name, spec, hits, fields, now_ms) for name, spec in aggs.items()}


class _Fields:
    """Per-index field lookups, cached for one request."""

    def __init__(
        self, mapping_for: MappingFor, names_for: Callable[[str], IndexNames] | None = None
    ) -> None:
        self.mapping_for = mapping_for
        self.names_for = names_for
        self.cache: dict[tuple[str, str], tuple[FieldInfo, Values] | None] = {}

    def lookup(self, index: str, field: str, agg: str) -> tuple[FieldInfo, Values] | None:
        key = (index, field)
        if key not in self.cache:
            info = self.mapping_for(index).field(field)
            if info is not None and info.type == "text" and not info.params.get("fielddata"):
                raise QueryError(fielddata_error(field, index))
            self.cache[key] = None if info is None else (info, doc_values(info))
        return self.cache[key]

    def values(self, hit: Hit, field: str, agg: str) -> tuple[FieldInfo | None, list[Any]]:
        found = self.lookup(hit["_index"], field, agg)
        if found is None:
            return None, []
        info, values = found
        return info, list(values(hit["_source"]))


def fielddata_error(field: str, index: str) -> str:
    """Elasticsearch's refusal to aggregate or sort on a text field."""
    return (
        f"Fielddata is disabled on [{field}] in [{index}]. Text fields are not optimised for "
        "operations that require per-document field data like aggregations and sorting, so "
        "these operations are disabled by default. Please use a keyword field instead. "
        f"Alternatively, set fielddata=true on [{field}] in order to load field data by "
        "uninverting the inverted index. Note that this can use significant memory."
    )


def _run(name: str, spec: Any, hits: list[Hit], fields: _Fields, now_ms: int) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise QueryError(f"aggregation [{name}] must be an object")
    sub = spec.get("aggs", spec.get("aggregations"))
    kinds = [key for key in spec if key not in ("aggs", "aggregations", "meta")]
    if len(kinds) != 1:
        raise QueryError(f"aggregation [{name}] must have exactly one type, found {kinds}")
    kind = kinds[0]
    runner = _RUNNERS.get(kind)
    if runner is None:
        raise UnsupportedQueryError(f"aggregation type [{kind}] ({name}) is not supported")
    body = spec[kind]
    if not isinstance(body, dict):
        raise QueryError(f"aggregation [{name}] of type [{kind}] must be an object")
    if sub and kind not in ("terms", "filter", "missing"):
        raise QueryError(f"aggregation [{name}] of type [{kind}] cannot accept sub-aggregations")
    if kind != "filter":
        _check_options(name, kind, body)
    result = runner(body, hits, fields, now_ms)
    members = result.pop("_members", None)
    if sub and members is not None:
        for bucket, bucket_hits in zip(result["buckets"], members, strict=True):
            bucket.update(_subs(sub, bucket_hits, fields, now_ms))
    elif sub:
        result.update(_subs(sub, _subset(body, kind, hits, fields, now_ms), fields, now_ms))
    return result


def _check_options(name: str, kind: str, body: dict[str, Any]) -> None:
    """Unknown options are malformed; real ones this store does not implement unsupported."""
    implemented, unimplemented = _OPTIONS[kind]
    unknown = sorted(set(body) - implemented - unimplemented)
    if unknown:
        raise QueryError(f"[{kind}] unknown field {unknown} in aggregation [{name}]")
    refused = sorted(key for key in body if key in unimplemented)
    if refused:
        raise UnsupportedQueryError(
            f"[{kind}] aggregation [{name}]: options {refused} are not supported by the "
            "embedded store"
        )
    if kind == "terms" and "size" in body and not _positive(body["size"]):
        raise QueryError(f"[size] must be greater than 0. Found [{body['size']}] in [{name}]")


def _positive(value: Any) -> bool:
    try:
        return int(value) > 0
    except (TypeError, ValueError):
        return False


def _subs(sub: Any, hits: list[Hit], fields: _Fields, now_ms: int) -> dict[str, Any]:
    if not isinstance(sub, dict):
        raise QueryError("[aggs] must be an object of named aggregations")
    return {name: _run(name, spec, hits, fields, now_ms) for name, spec in sub.items()}


def _subset(
    body: dict[str, Any], kind: str, hits: list[Hit], fields: _Fields, now_ms: int
) -> list[Hit]:
    if kind == "missing":
        return [h for h in hits if not fields.values(h, _field(body, kind), kind)[1]]
    return _filter_hits(body, hits, fields, now_ms)


def _field(body: dict[str, Any], kind: str) -> str:
    if "script" in body:
        raise UnsupportedQueryError(f"[{kind}] aggregation scripts are not supported")
    field = body.get("field")
    if not isinstance(field, str):
        raise QueryError(f"[{kind}] aggregation requires a 'field'")
    return field


# -- terms ----------------------------------------------------------------------------------


def _terms(body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int) -> dict[str, Any]:
    field = _field(body, "terms")
    size = int(body.get("size", 10))
    min_count = int(body.get("min_doc_count", 1))
    if min_count < 1:
        raise UnsupportedQueryError("[terms] min_doc_count 0 is not supported")
    keep = _include_exclude(body)
    counts: Counter[Any] = Counter()
    members: dict[Any, list[Hit]] = {}
    info_for: dict[Any, FieldInfo | None] = {}
    for hit in hits:
        info, values = fields.values(hit, field, "terms")
        if not values and "missing" in body:
            values, info = [body["missing"]], None
        for value in set(values):
            if keep(value):
                counts[value] += 1
                members.setdefault(value, []).append(hit)
                info_for.setdefault(value, info)
    ordered = sorted((v for v, c in counts.items() if c >= min_count), key=_sort_key(body, counts))
    buckets = []
    for value in ordered[:size]:
        bucket = _bucket_key(value, info_for[value])
        bucket["doc_count"] = counts[value]
        buckets.append(bucket)
    other = sum(counts[v] for v in ordered[size:])
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": other,
        "buckets": buckets,
        "_members": [members[v] for v in ordered[:size]],
    }


def _include_exclude(body: dict[str, Any]) -> Callable[[Any], bool]:
    tests = []
    for key, wanted in (("include", True), ("exclude", False)):
        spec = body.get(key)
        if spec is None:
            continue
        if isinstance(spec, list):
            allowed = {str(v) for v in spec}
            tests.append(lambda v, a=allowed, w=wanted: (_text(v) in a) is w)
        elif isinstance(spec, str):
            regex = lucene_regex(spec)
            tests.append(lambda v, r=regex, w=wanted: (r.fullmatch(_text(v)) is not None) is w)
        else:
            raise UnsupportedQueryError(f"[terms] {key} partitions are not supported")
    return lambda value: all(test(value) for test in tests)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sort_key(body: dict[str, Any], counts: Counter[Any]) -> Callable[[Any], Any]:
    order = body.get("order", [{"_count": "desc"}])
    order = order if isinstance(order, list) else [order]
    criteria = []
    for item in order:
        ((key, direction),) = item.items()
        if key not in ("_count", "_key", "_term"):
            raise UnsupportedQueryError(f"[terms] order by [{key}] is not supported")
        if str(direction).lower() not in ("asc", "desc"):
            raise QueryError(f"[terms] unknown order direction [{direction}]")
        criteria.append((key, str(direction).lower() == "desc"))
    if not any(key != "_count" for key, _ in criteria):
        criteria.append(("_key", False))

    def sort_key(value: Any) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name, desc in criteria:
            if name == "_count":
                parts.append(-counts[value] if desc else counts[value])
            else:
                parts.append(_Reverse(_ordinal(value)) if desc else _ordinal(value))
        return tuple(parts)

    return sort_key


def _ordinal(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


class _Reverse:
    """Inverts the ordering of a wrapped value (descending keys of any type)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reverse) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and other.value == self.value


def _bucket_key(value: Any, info: FieldInfo | None) -> dict[str, Any]:
    kind = info.type if info else None
    if kind == "boolean" or isinstance(value, bool):
        return {"key": int(value), "key_as_string": "true" if value else "false"}
    if kind == "date":
        return {"key": value, "key_as_string": format_date(value, info.format if info else None)}
    if kind == "ip":
        return {"key": format_ip(value)}
    if kind in FLOAT_TYPES:
        return {"key": float(value)}
    return {"key": value}


# -- metrics --------------------------------------------------------------------------------


def _metric_values(body: dict[str, Any], hits: list[Hit], fields: _Fields, kind: str) -> list[Any]:
    field = _field(body, kind)
    out: list[Any] = []
    for hit in hits:
        info, values = fields.values(hit, field, kind)
        if not values and "missing" in body:
            values = [body["missing"]]
        out.extend(values)
    return out


def _cardinality(
    body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int
) -> dict[str, Any]:
    return {"value": len(set(_metric_values(body, hits, fields, "cardinality")))}


def _value_count(
    body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int
) -> dict[str, Any]:
    return {"value": len(_metric_values(body, hits, fields, "value_count"))}


def _numeric(kind: str) -> Callable[[dict[str, Any], list[Hit], _Fields, int], dict[str, Any]]:
    def run(body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int) -> dict[str, Any]:
        field = _field(body, kind)
        infos = {fields.lookup(h["_index"], field, kind) for h in hits}
        types = {found[0].type for found in infos if found is not None}
        bad = types - NUMERIC_TYPES - {"date", "boolean"}
        if bad:
            raise QueryError(
                f"Field [{field}] of type [{bad.pop()}] is not supported for aggregation [{kind}]"
            )
        numbers = [float(v) for v in _metric_values(body, hits, fields, kind)]
        value = _reduce(kind, numbers)
        result: dict[str, Any] = {"value": value}
        if types == {"date"} and value is not None and kind in ("min", "max"):
            info = next(found[0] for found in infos if found is not None)
            result["value_as_string"] = format_date(int(value), info.format)
        return result

    return run


def _reduce(kind: str, numbers: list[float]) -> float | None:
    if kind == "sum":
        return float(sum(numbers))
    if not numbers:
        return None
    if kind == "avg":
        return sum(numbers) / len(numbers)
    return min(numbers) if kind == "min" else max(numbers)


def _missing(body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int) -> dict[str, Any]:
    return {"doc_count": len(_subset(body, "missing", hits, fields, now_ms))}


def _filter(body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int) -> dict[str, Any]:
    return {"doc_count": len(_filter_hits(body, hits, fields, now_ms))}


def _filter_hits(body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int) -> list[Hit]:
    from lib.store.engine import compile_query

    compiled: dict[str, Callable[..., bool]] = {}
    out = []
    for hit in hits:
        index = hit["_index"]
        if index not in compiled:
            names = fields.names_for(index) if fields.names_for else None
            compiled[index] = compile_query(body, fields.mapping_for(index), now_ms, names)
        if compiled[index](hit["_source"], hit["_id"]):
            out.append(hit)
    return out


def _top_hits(
    body: dict[str, Any], hits: list[Hit], fields: _Fields, now_ms: int
) -> dict[str, Any]:
    from lib.store.sorting import filter_source, sort_hits

    size, start = int(body.get("size", 3)), int(body.get("from", 0))
    ordered = sort_hits(hits, body["sort"], fields.mapping_for) if "sort" in body else hits
    page = []
    for hit in ordered[start : start + size]:
        shaped = dict(hit)
        if "_source" in body:
            shaped["_source"] = filter_source(hit["_source"], body["_source"])
            if shaped["_source"] is None:
                del shaped["_source"]
        page.append(shaped)
    scores = [float(h["_score"]) for h in hits if h.get("_score") is not None]
    return {
        "hits": {
            "total": {"value": len(hits), "relation": "eq"},
            "max_score": None if "sort" in body or not scores else max(scores),
            "hits": page,
        }
    }


_VALUES_SOURCE = frozenset(("field", "missing"))
_SCRIPTED = frozenset(("script", "format", "value_type"))
# Per aggregation type: (options implemented or without effect on the answer, real
# Elasticsearch options this store does not implement). `script` raises its own error.
_OPTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "terms": (
        _VALUES_SOURCE
        | {"size", "min_doc_count", "order", "include", "exclude", "script"}
        | {"shard_size", "execution_hint", "collect_mode"},
        (_SCRIPTED - {"script"}) | {"shard_min_doc_count", "show_term_doc_count_error"},
    ),
    "cardinality": (
        _VALUES_SOURCE | {"script", "precision_threshold", "execution_hint"},
        _SCRIPTED - {"script"},
    ),
    "value_count": (_VALUES_SOURCE | {"script"}, _SCRIPTED - {"script"}),
    **{
        kind: (_VALUES_SOURCE | {"script"}, _SCRIPTED - {"script"})
        for kind in ("min", "max", "sum", "avg")
    },
    "missing": (frozenset(("field", "script")), frozenset(("value_type",))),
    "top_hits": (
        frozenset(("size", "from", "sort", "_source")),
        frozenset(("highlight", "explain", "stored_fields", "docvalue_fields", "fields"))
        | {"script_fields", "track_scores", "version", "seq_no_primary_term"},
    ),
}

_RUNNERS: dict[str, Callable[[dict[str, Any], list[Hit], _Fields, int], dict[str, Any]]] = {
    "terms": _terms,
    "cardinality": _cardinality,
    "value_count": _value_count,
    "min": _numeric("min"),
    "max": _numeric("max"),
    "sum": _numeric("sum"),
    "avg": _numeric("avg"),
    "missing": _missing,
    "filter": _filter,
    "top_hits": _top_hits,
}
