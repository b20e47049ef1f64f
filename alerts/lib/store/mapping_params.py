"""Mapping parameters: which ones the embedded store honours, which it refuses.

`check_mappings(mappings)` runs once, when an index is created. Per field type it accepts

- the parameters the engine implements: ``type``, ``fields``, ``properties``,
  ``dynamic``, ``enabled``, ``format`` (date), ``ignore_above`` (keyword), ``null_value``,
  ``fielddata`` (text), and the defaults of ``index``, ``doc_values``, ``coerce``,
  ``ignore_malformed``, ``analyzer``/``search_analyzer`` (``standard``);
- parameters Elasticsearch accepts that change no answer the store gives (scoring,
  storage and speed: ``store``, ``norms``, ``similarity``, ``meta``, ...).

An Elasticsearch parameter the engine does not implement (``normalizer``, ``copy_to``,
another analyzer, ``coerce: false``, ``ignore_malformed: true``, ...) or a field type it
does not implement (``nested``, ``wildcard``, ...) raises `StoreError` naming the field and
parameter ("not supported by the embedded store"); an unknown parameter or type raises
the `DocumentError` (``mapper_parsing_exception``) Elasticsearch answers with, as the
Elasticsearch backend reports it. Dynamic templates' mappings are checked the same way.
"""

from __future__ import annotations

from typing import Any

from lib.errors import DocumentError, StoreError

_INTEGERS = ("long", "integer", "short", "byte")
_HARMLESS = frozenset(("store", "meta", "similarity", "eager_global_ordinals", "norms"))
_COMMON = frozenset(("type", "fields", "null_value", "index", "doc_values", "copy_to")) | _HARMLESS
_NUMERIC = _COMMON | {"coerce", "ignore_malformed"}
# Parameters per supported type: every one Elasticsearch accepts for that type.
_PARAMETERS: dict[str, frozenset[str]] = {
    "keyword": _COMMON
    | {"ignore_above", "index_options", "normalizer"}
    | {"split_queries_on_whitespace", "time_series_dimension", "script", "on_script_error"},
    "text": (_COMMON - {"null_value", "doc_values"})
    | {"analyzer", "search_analyzer", "search_quote_analyzer", "fielddata", "index_options"}
    | {"fielddata_frequency_filter", "index_prefixes", "index_phrases", "term_vector"}
    | {"position_increment_gap"},
    "date": _COMMON | {"format", "locale", "ignore_malformed", "script", "on_script_error"},
    "boolean": _COMMON | {"ignore_malformed", "script", "on_script_error"},
    "ip": _COMMON | {"ignore_malformed", "script", "on_script_error", "time_series_dimension"},
    "geo_point": _COMMON | {"ignore_malformed", "ignore_z_value", "script", "on_script_error"},
    **{
        kind: _NUMERIC
        | {"script", "on_script_error", "time_series_dimension"}
        | {"time_series_metric"}
        for kind in (*_INTEGERS, "double", "float")
    },
}
_ALL_PARAMETERS = frozenset().union(*_PARAMETERS.values())
# Accepted only with these values (Elasticsearch's defaults, or values with no effect here).
_ONLY: dict[str, tuple[Any, ...]] = {
    "index": (True,),
    "doc_values": (True,),
    "coerce": (True,),
    "ignore_malformed": (False,),
    "analyzer": ("standard", "default"),
    "search_analyzer": ("standard", "default"),
    "search_quote_analyzer": ("standard", "default"),
    "index_options": ("docs", "freqs", "positions", "offsets"),
    "split_queries_on_whitespace": (False,),
    "position_increment_gap": (100,),
}
_TEXT_INDEX_OPTIONS = ("positions", "offsets")  # phrase queries need positions
_NEVER = frozenset(
    ("normalizer", "copy_to", "locale", "script", "on_script_error", "fielddata_frequency_filter")
    + ("time_series_dimension", "time_series_metric")
)
_UNSUPPORTED_TYPES = frozenset(
    ("nested", "scaled_float", "half_float", "unsigned_long", "date_nanos", "wildcard")
    + ("constant_keyword", "match_only_text", "flattened", "binary", "alias", "version")
    + ("geo_shape", "shape", "point", "integer_range", "float_range", "long_range")
    + ("double_range", "date_range", "ip_range", "dense_vector", "sparse_vector")
    + ("rank_feature", "rank_features", "search_as_you_type", "completion", "token_count")
    + ("join", "percolator", "histogram", "aggregate_metric_double", "semantic_text")
    + ("annotated_text", "murmur3", "counted_keyword", "passthrough")
)
_DYNAMIC = (True, False, "true", "false", "strict")
_OBJECT_PARAMETERS = frozenset(("type", "properties", "dynamic", "enabled"))
_ROOT_PARAMETERS = frozenset(
    ("properties", "dynamic", "dynamic_templates", "date_detection", "dynamic_date_formats")
    + ("numeric_detection", "_source", "_meta", "_routing", "runtime", "enabled")
)


def check_mappings(mappings: dict[str, Any]) -> None:
    """Refuse a create-index `mappings` dict the embedded store would answer wrongly."""
    if not isinstance(mappings, dict):
        raise _parsing("Failed to parse mapping: mappings must be an object")
    unknown = sorted(set(mappings) - _ROOT_PARAMETERS)
    if unknown:
        raise _parsing(f"Root mapping definition has unsupported parameters: {unknown}")
    for key in ("runtime", "_source", "_routing"):
        if mappings.get(key) not in (None, {}, {"enabled": True}, {"required": False}):
            raise _unsupported("the mapping root", key)
    _check_object("", mappings)
    for entry in mappings.get("dynamic_templates") or []:
        for name, template in (entry or {}).items():
            spec = template.get("mapping") if isinstance(template, dict) else None
            if isinstance(spec, dict):
                _check_field(f"dynamic template [{name}]", spec, template=True)


def _check_object(path: str, node: dict[str, Any]) -> None:
    if node.get("dynamic", True) not in _DYNAMIC:
        raise _unsupported(
            f"object [{path.rstrip('.') or '_doc'}]", f"dynamic: {node['dynamic']!r}"
        )
    for name, spec in (node.get("properties") or {}).items():
        field = f"{path}{name}"
        if not isinstance(spec, dict):
            raise _parsing(f"Expected map for property [fields] on field [{field}]")
        _check_field(field, spec)


def _check_field(field: str, spec: dict[str, Any], template: bool = False) -> None:
    kind = spec.get("type", "object" if not template or "properties" in spec else "{dynamic}")
    if kind == "object" or "properties" in spec:
        unknown = sorted(set(spec) - _OBJECT_PARAMETERS)
        if unknown:
            shown = ", ".join(f"{key} : {spec[key]}" for key in unknown)
            raise _parsing(
                f"Mapping definition for [{field}] has unsupported parameters: [{shown}]"
            )
        _check_object(f"{field}.", spec)
        return
    if kind in _UNSUPPORTED_TYPES:
        raise StoreError(f"field [{field}]: type [{kind}] is not supported by the embedded store")
    placeholder = not isinstance(kind, str) or "{" in kind
    allowed = _ALL_PARAMETERS if placeholder else _PARAMETERS.get(kind)
    if allowed is None:
        raise _parsing(f"No handler for type [{kind}] declared on field [{field}]")
    for key, value in spec.items():
        if key not in allowed:
            raise _parsing(f"unknown parameter [{key}] on mapper [{field}] of type [{kind}]")
        if not _honoured(kind, key, value):
            raise _unsupported(f"field [{field}]", f"{key}: {value!r}" if key in _ONLY else key)
    subfields = spec.get("fields") or {}
    if not isinstance(subfields, dict):
        raise _parsing(f"[fields] of field [{field}] must be an object")
    for sub, sub_spec in subfields.items():
        if not isinstance(sub_spec, dict):
            raise _parsing(f"Expected map for multi-field [{sub}] of field [{field}]")
        _check_field(f"{field}.{sub}", sub_spec, template)


def _honoured(kind: str, key: str, value: Any) -> bool:
    if value in ("true", "false"):
        value = value == "true"
    if key in _NEVER:
        return False
    if key == "index_options" and kind == "text":
        return value in _TEXT_INDEX_OPTIONS
    return key not in _ONLY or value in _ONLY[key]


def _unsupported(where: str, what: str) -> StoreError:
    return StoreError(f"{where}: mapping parameter [{what}] is not supported by the embedded store")


def _parsing(reason: str) -> DocumentError:
    return DocumentError(reason, None, "mapper_parsing_exception")
