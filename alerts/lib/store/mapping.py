"""Index mappings: field types, Elasticsearch's dynamic mapping rules, and value lookup.

A `Mapping` holds one index's Elasticsearch-shaped `mappings` dict and an index of its
fields (multi-fields such as ``summary.keyword`` included). `prepare(document)` checks a
document against it exactly where Elasticsearch would refuse the document (this store
keeps Elasticsearch's default ``ignore_malformed: false``: a malformed value rejects the
whole document) and maps new fields by the dynamic rules: dynamic templates first, then
Elasticsearch's defaults (strings -> ``text`` + ``.keyword``, date detection, ``long``,
``float``, ``boolean``, ``object``).

`field_values(source, path)` returns every leaf value at a dotted path, treating dotted
keys (``{"details.program": ...}``) as the nested path and flattening arrays.
"""

from __future__ import annotations

import copy
import fnmatch
import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lib.errors import DocumentError
from lib.store.dates import DEFAULT_FORMAT, date_parser

Getter = Callable[[dict[str, Any]], "list[Any] | tuple[Any, ...]"]

_STRING_FIELDS = {"type": "keyword"}
DEFAULT_TEMPLATE: dict[str, Any] = {
    "settings": {},
    "mappings": {
        "date_detection": False,
        "dynamic_templates": [
            {
                f"{kind}_fields": {
                    "mapping": dict(_STRING_FIELDS),
                    "match": "*",
                    "match_mapping_type": kind,
                }
            }
            for kind in ("string", "binary", "double", "long")
        ],
        "properties": {
            **{name: {"type": "keyword"} for name in ("type", "category", "hostname")},
            **{name: {"type": "keyword"} for name in ("processid", "processname", "severity")},
            "source": {"type": "keyword"},
            "summary": {"type": "text"},
            "details": {
                "properties": {
                    "sourceipaddress": {"type": "ip"},
                    "sourceipv4address": {"type": "keyword"},
                    "destinationipaddress": {"type": "ip"},
                    "destinationport": {"type": "keyword"},
                    "destinationipgeopoint": {"type": "geo_point"},
                    "sourceipgeopoint": {"type": "geo_point"},
                    "success": {"type": "boolean"},
                    "sourceport": {"type": "keyword"},
                    "apiversion": {"properties": {"raw_value": {"type": "keyword"}}},
                    "requestparameters": {
                        "properties": {
                            "logstreamname": {"properties": {"raw_value": {"type": "keyword"}}}
                        }
                    },
                }
            },
            **{
                name: {"format": "dateOptionalTime", "type": "date"}
                for name in ("receivedtimestamp", "timestamp", "utctimestamp")
            },
            "version": {"type": "keyword"},
        },
    },
    "aliases": {},
}
"""MozDef's default index template body (config/defaultMappingTemplate.json), without
the `_doc` type level that Elasticsearch 8 no longer accepts."""

INTEGER_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}
FLOAT_TYPES = frozenset(("double", "float", "half_float", "scaled_float"))
NUMERIC_TYPES = frozenset(INTEGER_RANGES) | FLOAT_TYPES
_MAPPING_KEYS = frozenset(
    (
        "properties",
        "dynamic",
        "dynamic_templates",
        "date_detection",
        "dynamic_date_formats",
        "numeric_detection",
        "_source",
        "_meta",
        "_routing",
        "runtime",
        "enabled",
    )
)
METADATA_FIELDS = frozenset(
    ("_id", "_index", "_source", "_routing", "_ignored", "_seq_no", "_version", "_primary_term")
    + ("_field_names", "_tier", "_doc_count", "_nested_path", "_data_stream_timestamp")
)
_DEFAULT_DATE_FORMATS = ["strict_date_optional_time", "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd"]
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One searchable field: its query name, where its values live, and its type."""

    path: str
    source: str
    type: str
    ignore_above: int | None = None
    format: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


class Mapping:
    """One index's mapping: its Elasticsearch dict plus a field index for queries."""

    def __init__(self, root: dict[str, Any]) -> None:
        self._root = root
        self._fields: dict[str, FieldInfo] = {}
        self._objects: dict[str, dict[str, Any]] = {"": root}
        self._validators: dict[str, Callable[[Any], None]] = {}
        self._index(root, "")

    @classmethod
    def from_body(cls, body: dict[str, Any] | None) -> Mapping:
        """Build a mapping from a create-index body (or None for dynamic defaults)."""
        body = body or {}
        if "mappings" in body:
            mappings = body["mappings"]
        elif set(body) <= {"settings", "aliases"}:
            mappings = {}
        else:
            mappings = body
        mappings = copy.deepcopy(mappings or {})
        if len(mappings) == 1:
            ((name, inner),) = mappings.items()
            if name not in _MAPPING_KEYS and isinstance(inner, dict):
                mappings = inner  # a type level such as MozDef's `_doc`
        return cls(mappings)

    def to_dict(self) -> dict[str, Any]:
        """The Elasticsearch-shaped `mappings` dict, dynamically added fields included."""
        return copy.deepcopy(self._root)

    def field(self, path: str) -> FieldInfo | None:
        """The searchable field `path` (multi-fields included), or None."""
        return self._fields.get(path)

    def field_type(self, path: str) -> str | None:
        """The mapped type of `path` ('object' for objects), or None if unmapped."""
        info = self._fields.get(path)
        if info is not None:
            return info.type
        return "object" if path and path in self._objects else None

    def fields(self) -> dict[str, FieldInfo]:
        """Every searchable leaf field, by path."""
        return dict(self._fields)

    def fields_of(self, path: str) -> list[FieldInfo]:
        """The leaf fields at `path` or anywhere under the object `path`."""
        prefix = path + "."
        return [f for p, f in self._fields.items() if p == path or p.startswith(prefix)]

    def matching_fields(self, pattern: str) -> list[FieldInfo]:
        """Leaf fields whose path matches a simple ``*`` pattern."""
        if "*" not in pattern:
            info = self._fields.get(pattern)
            return [info] if info else []
        return [f for p, f in self._fields.items() if fnmatch.fnmatchcase(p, pattern)]

    def prepare(self, document: dict[str, Any]) -> bool:
        """Validate `document` and map its new fields; True if the mapping changed."""
        if not isinstance(document, dict):
            raise DocumentError(
                "document must be a JSON object", None, "document_parsing_exception"
            )
        added: dict[str, dict[str, Any]] = {}
        _Walker(self, added).walk(document, "")
        if not added:
            return False
        for path, spec in added.items():
            self._insert(path, spec)
        self._fields.clear()
        self._validators.clear()
        self._objects = {"": self._root}
        self._index(self._root, "")
        return True

    # -- internals ----------------------------------------------------------------------

    def _index(self, node: dict[str, Any], prefix: str) -> None:
        for name, spec in node.get("properties", {}).items():
            path = prefix + name
            kind = spec.get("type", "object")
            if kind in ("object", "nested") or "properties" in spec:
                self._objects[path] = spec
                self._index(spec, path + ".")
                continue
            self._fields[path] = _field_info(path, path, spec)
            self._validators[path] = _validator(path, spec)
            for sub, sub_spec in spec.get("fields", {}).items():
                self._fields[f"{path}.{sub}"] = _field_info(f"{path}.{sub}", path, sub_spec)

    def _insert(self, path: str, spec: dict[str, Any]) -> None:
        parent, _, name = path.rpartition(".")
        node = self._objects[parent] if parent else self._root
        if node.get("type") == "object":
            del node["type"]
        node.setdefault("properties", {})[name] = spec
        if spec.get("type", "object") in ("object", "nested") or "properties" in spec:
            self._objects[path] = spec

    def _setting(self, path: str, key: str, default: Any) -> Any:
        """An object-level setting (`dynamic`), inherited from the nearest parent."""
        while True:
            node = self._objects.get(path)
            if node is not None and key in node:
                return node[key]
            if not path:
                return self._root.get(key, default)
            path = path.rpartition(".")[0]

    def _dynamic_mapping(self, path: str, value: Any) -> dict[str, Any]:
        kind = self._detect(value)
        name = path.rpartition(".")[2]
        for entry in self._root.get("dynamic_templates", []):
            ((_, template),) = entry.items()
            if _template_matches(template, path, name, kind):
                return _template_mapping(template["mapping"], name, kind)
        return _default_mapping(kind, value)

    def _detect(self, value: Any) -> str:
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, int):
            return "long"
        if isinstance(value, float):
            return "double"
        if isinstance(value, dict):
            return "object"
        if self._root.get("date_detection", True) and any(c in value for c in ":-/"):
            formats = self._root.get("dynamic_date_formats", _DEFAULT_DATE_FORMATS)
            for fmt in formats:
                try:
                    date_parser(fmt)(value)
                except ValueError:
                    continue
                return "date" if fmt == "strict_date_optional_time" else f"date:{fmt}"
        if self._root.get("numeric_detection", False) and _NUMBER.fullmatch(value):
            return "long" if value.lstrip("+-").isdigit() else "double"
        return "string"


def _field_info(path: str, source: str, spec: dict[str, Any]) -> FieldInfo:
    kind = spec.get("type", "object")
    fmt = spec.get("format", DEFAULT_FORMAT if kind == "date" else None)
    return FieldInfo(path, source, kind, spec.get("ignore_above"), fmt, spec)


def _template_matches(template: dict[str, Any], path: str, name: str, kind: str) -> bool:
    wanted = template.get("match_mapping_type", "*")
    wanted = wanted if isinstance(wanted, list) else [wanted]
    base = kind.partition(":")[0]
    if "*" not in wanted and base not in wanted:
        return False
    checks = (
        ("match", name, True),
        ("unmatch", name, False),
        ("path_match", path, True),
        ("path_unmatch", path, False),
    )
    regex = template.get("match_pattern") == "regex"
    for key, subject, expected in checks:
        patterns = template.get(key)
        if patterns is None:
            continue
        patterns = patterns if isinstance(patterns, list) else [patterns]
        hit = any(
            (re.fullmatch(p, subject) if regex else fnmatch.fnmatchcase(subject, p))
            for p in patterns
        )
        if hit is not expected:
            return False
    return True


def _template_mapping(mapping: dict[str, Any], name: str, kind: str) -> dict[str, Any]:
    base = kind.partition(":")[0]
    dynamic_type = {"string": "text", "double": "float"}.get(base, base)
    spec = copy.deepcopy(mapping)
    for key, value in list(spec.items()):
        if isinstance(value, str):
            spec[key] = value.replace("{dynamic_type}", dynamic_type).replace("{name}", name)
    if "type" not in spec:
        spec.update(_default_mapping(kind, None))
    return spec


def _default_mapping(kind: str, value: Any) -> dict[str, Any]:
    if kind == "string":
        return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
    if kind == "object":
        return {"type": "object"}
    if kind.startswith("date:"):
        return {"type": "date", "format": kind[5:]}
    return {"type": {"double": "float"}.get(kind, kind)}


class _Walker:
    """One pass over a document: validates values and collects new field mappings."""

    def __init__(self, mapping: Mapping, added: dict[str, dict[str, Any]]) -> None:
        self.mapping = mapping
        self.added = added
        self.fields: dict[str, FieldInfo] = {}
        self.validators: dict[str, Callable[[Any], None]] = {}

    def walk(self, obj: dict[str, Any], prefix: str) -> None:
        for key, value in obj.items():
            if not prefix and key in METADATA_FIELDS:
                raise DocumentError(
                    f"Field [{key}] is a metadata field and cannot be added inside a document. "
                    "Use the index API request parameters.",
                    key,
                )
            if not key or "." in key:
                if not key or "" in key.split("."):
                    raise DocumentError(
                        f"field name cannot be empty or start or end with a dot: [{key}]",
                        prefix + str(key),
                    )
                *parents, leaf = key.split(".")
                base = prefix
                for part in parents:
                    self.object(base + part, {})
                    base = base + part + "."
                self.value(base + leaf, value)
            else:
                self.value(prefix + key, value)

    def value(self, path: str, value: Any) -> None:
        if value is None:
            return
        if type(value) is list:
            for item in value:
                self.value(path, item)
            return
        validate = self.mapping._validators.get(path) or self.validators.get(path)
        if validate is not None:
            validate(value)
            return
        self.object(path, value) if type(value) is dict else self.new_leaf(path, value)

    def object(self, path: str, value: dict[str, Any]) -> None:
        if self.mapping.field(path) or path in self.fields:
            info = self.mapping.field(path) or self.fields[path]
            raise DocumentError(
                f"Could not dynamically add mapping for field [{path}]. Existing mapping "
                f"for [{path}] must be of type object but found [{info.type}].",
                path,
            )
        known = path in self.mapping._objects or path in self.added
        if not known:
            if not self.allow_new(path):
                return
            self.added[path] = self.mapping._dynamic_mapping(path, value)
            spec = self.added[path]
            if spec.get("type", "object") not in ("object", "nested"):
                self.fields[path] = _field_info(path, path, spec)
                self.validators[path] = _validator(path, spec)
                return self.value(path, value)
        if self.mapping._objects.get(path, {}).get("enabled", True) is False:
            return
        self.walk(value, path + ".")

    def new_leaf(self, path: str, value: Any) -> None:
        if path in self.mapping._objects or path in self.added:
            raise DocumentError(
                f"object mapping for [{path}] tried to parse field [{path}] as object, "
                "but found a concrete value",
                path,
            )
        if not self.allow_new(path):
            return
        spec = self.mapping._dynamic_mapping(path, value)
        self.added[path] = spec
        self.fields[path] = _field_info(path, path, spec)
        self.validators[path] = _validator(path, spec)
        self.value(path, value)

    def allow_new(self, path: str) -> bool:
        parent = path.rpartition(".")[0]
        dynamic = str(self.mapping._setting(parent, "dynamic", True)).lower()
        if dynamic == "strict":
            raise DocumentError(
                f"mapping set to strict, dynamic introduction of [{path.rpartition('.')[2]}] "
                f"within [{parent or '_doc'}] is not allowed",
                path,
                "strict_dynamic_mapping_exception",
            )
        return dynamic != "false"


_SCALARS = frozenset((str, int, float, bool))


def _validator(path: str, spec: dict[str, Any]) -> Callable[[Any], None]:
    """A compiled check of one leaf field's values (its multi-fields included)."""
    infos = [_field_info(path, path, spec)]
    infos += [_field_info(f"{path}.{n}", path, sub) for n, sub in spec.get("fields", {}).items()]
    kind = infos[0].type
    if kind == "geo_point":
        return lambda value: None
    if all(info.type in ("keyword", "text") for info in infos):

        def check_string(value: Any) -> None:
            if type(value) not in _SCALARS:
                _refuse_object(path, kind, value)

        return check_string

    def check(value: Any) -> None:
        if type(value) is dict:
            _refuse_object(path, kind, value)
        for info in infos:
            _check(info, value)

    return check


def _refuse_object(path: str, kind: str, value: Any) -> None:
    reason = (
        "Can't get text on a START_OBJECT" if type(value) is dict else f"unexpected value [{value}]"
    )
    raise DocumentError(f"failed to parse field [{path}] of type [{kind}]: {reason}", path)


def _check(info: FieldInfo, value: Any) -> None:
    checker = _CHECKS.get(info.type)
    if checker is None:
        return
    reason = checker(value, info)
    if reason is not None:
        raise DocumentError(
            f"failed to parse field [{info.path}] of type [{info.type}]: {reason}", info.path
        )


def _check_string(value: Any, info: FieldInfo) -> str | None:
    return None if isinstance(value, str | int | float) else f"unexpected value [{value}]"


def _check_ip(value: Any, info: FieldInfo) -> str | None:
    return None if parse_ip(value) is not None else f"'{value}' is not an IP string literal."


def _check_date(value: Any, info: FieldInfo) -> str | None:
    if isinstance(value, bool):
        return f"failed to parse date field [{value}] with format [{info.format}]"
    try:
        date_parser(info.format or DEFAULT_FORMAT)(value)
    except ValueError as exc:
        return str(exc)
    return None


def _check_boolean(value: Any, info: FieldInfo) -> str | None:
    if isinstance(value, bool) or value in ("true", "false", ""):
        return None
    return f"Failed to parse value [{value}] as only [true] or [false] are allowed."


def _check_number(value: Any, info: FieldInfo) -> str | None:
    number = to_number(value, info.type)
    if number is None:
        return f'For input string: "{value}"'
    bounds = INTEGER_RANGES.get(info.type)
    if bounds and not bounds[0] <= number <= bounds[1]:
        return f"Value [{value}] is out of range for {info.type}"
    if isinstance(number, float) and not math.isfinite(number):
        return f"[{info.type}] supports only finite values, but got [{value}]"
    return None


_CHECKS: dict[str, Callable[[Any, FieldInfo], str | None]] = {
    "keyword": _check_string,
    "text": _check_string,
    "ip": _check_ip,
    "date": _check_date,
    "boolean": _check_boolean,
    **{kind: _check_number for kind in NUMERIC_TYPES},
}


def to_number(value: Any, kind: str) -> int | float | None:
    """A document or query value as the numeric field type reads it (None if not numeric)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value.strip()):
            return None
        value = float(value) if any(c in value for c in ".eE") else int(value)
    if not isinstance(value, int | float):
        return None
    if kind in INTEGER_RANGES:
        if isinstance(value, float):
            return int(value) if math.isfinite(value) else None
        return value
    return float(value)


def parse_ip(value: Any) -> int | None:
    """An IP address as a 128-bit integer (IPv4 as IPv4-mapped IPv6), or None."""
    if type(value) is not str:
        return None
    if _IPV4.fullmatch(value):
        a, b, c, d = value.split(".")
        return 0xFFFF00000000 | (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 4:
        return 0xFFFF00000000 | int(address)
    return int(address)


def format_ip(number: int) -> str:
    """The string Elasticsearch shows for an address (IPv4-mapped shown as IPv4)."""
    if number >> 32 == 0xFFFF:
        return str(ipaddress.IPv4Address(number & 0xFFFFFFFF))
    return str(ipaddress.IPv6Address(number))


# -- value lookup -----------------------------------------------------------------------


def field_values(source: dict[str, Any], path: str) -> list[Any]:
    """Every non-null leaf value at dotted `path` in `source` (arrays flattened)."""
    return list(getter(path)(source))


@lru_cache(maxsize=4096)
def getter(path: str) -> Getter:
    """A compiled `field_values` for one path: the hot path of every query."""
    parts = path.split(".")
    if len(parts) == 1:
        return _getter1(path)
    if len(parts) == 2:
        return _getter2(parts[0], parts[1], path)
    keys = {
        (i, j): ".".join(parts[i:j])
        for i in range(len(parts))
        for j in range(i + 1, len(parts) + 1)
    }

    def get(source: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        _collect(source, 0, len(parts), keys, out)
        return out

    return get


_EMPTY: tuple[Any, ...] = ()


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

    keys = {(0, 1): first, (0, 2): dotted, (1, 2): second}
    return get


def _collect(node: Any, i: int, n: int, keys: dict[tuple[int, int], str], out: list[Any]) -> None:
    if i == n:
        if type(node) is list:
            out.extend(_flatten(node))
        elif node is not None and type(node) is not dict:
            out.append(node)
        return
    if type(node) is list:
        for item in node:
            _collect(item, i, n, keys, out)
    elif type(node) is dict:
        for j in range(i + 1, n + 1):
            child = node.get(keys[i, j])
            if child is not None:
                _collect(child, j, n, keys, out)


def _flatten(values: list[Any]) -> list[Any]:
    out = []
    for value in values:
        if type(value) is list:
            out.extend(_flatten(value))
        elif value is not None and type(value) is not dict:
            out.append(value)
    return out
