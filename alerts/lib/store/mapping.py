"""Index mappings: one index's field types, kept up to date by dynamic mapping.

A `Mapping` holds one index's Elasticsearch-shaped `mappings` dict and an index of its
fields (multi-fields such as ``summary.keyword`` included). `prepare(document)` checks a
document against it exactly where Elasticsearch would refuse the document and maps new
fields by the dynamic rules (`document_parser.py`, `validation.py`,
`dynamic_mapping.py`).

The names the rest of the store reads through this module live in their own modules and
are re-exported here: `DEFAULT_TEMPLATE` (`default_template.py`), the field types
(`fieldtypes.py`) and `field_values` (`source_values.py`).
"""

from __future__ import annotations

import copy
import fnmatch
from typing import Any

from lib.errors import DocumentError
from lib.store import shapes
from lib.store.default_template import DEFAULT_TEMPLATE
from lib.store.document_parser import METADATA_FIELDS, DocumentParser
from lib.store.dynamic_mapping import dynamic_mapping
from lib.store.fieldtypes import (
    FLOAT_TYPES,
    INTEGER_RANGES,
    NUMERIC_TYPES,
    FieldInfo,
    field_info,
    format_ip,
    parse_ip,
    to_number,
)
from lib.store.source_values import Getter, field_values, getter
from lib.store.validation import Validator, type_only, validator

__all__ = [
    "DEFAULT_TEMPLATE",
    "FLOAT_TYPES",
    "INTEGER_RANGES",
    "METADATA_FIELDS",
    "NUMERIC_TYPES",
    "FieldInfo",
    "Getter",
    "Mapping",
    "field_values",
    "format_ip",
    "getter",
    "parse_ip",
    "to_number",
]

_PLAN_CACHE_SIZE = 512
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


class Mapping:
    """One index's mapping: its Elasticsearch dict plus a field index for queries."""

    def __init__(self, root: dict[str, Any]) -> None:
        self._root = root
        self._fields: dict[str, FieldInfo] = {}
        self._objects: dict[str, dict[str, Any]] = {"": root}
        self._validators: dict[str, Validator] = {}
        self._type_only: set[str] = set()
        self._plans: dict[shapes.Shape, list[shapes.Step]] = {}
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
        return cls.from_stored(copy.deepcopy(mappings or {}))

    @classmethod
    def from_stored(cls, mappings: dict[str, Any]) -> Mapping:
        """Build a mapping that takes ownership of `mappings` (freshly decoded: not copied)."""
        if len(mappings) == 1:
            ((name, inner),) = mappings.items()
            if name not in _MAPPING_KEYS and isinstance(inner, dict):
                mappings = inner  # a type level such as MozDef's `_doc`
        return cls(mappings)

    def to_dict(self) -> dict[str, Any]:
        """The Elasticsearch-shaped `mappings` dict, dynamically added fields included."""
        return copy.deepcopy(self._root)

    def top_level_spec(self, name: str) -> dict[str, Any]:
        """The mapping of top-level field `name` ({} if unmapped); read it, never change it."""
        spec = (self._root.get("properties") or {}).get(name)
        return spec if isinstance(spec, dict) else {}

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

    def prepare(self, document: dict[str, Any], shape: shapes.Shape | None = None) -> bool:
        """Validate `document` and map its new fields; True if the mapping changed.

        `shape` (`shapes.shape_of(document)`, when the caller has it) lets a document of
        a shape this mapping admitted before skip the parser: only its value checks run.
        """
        if shape is not None:
            steps = self._plans.get(shape)
            if steps is not None:
                shapes.run(steps, document)
                return False
        if not isinstance(document, dict):
            raise DocumentError(
                "document must be a JSON object", None, "document_parsing_exception"
            )
        added: dict[str, dict[str, Any]] = {}
        DocumentParser(self, added).walk(document, "")
        if not added:
            if shape is not None:
                self._remember(shape)
            return False
        for path, spec in added.items():
            self._insert(path, spec)
        self._fields.clear()
        self._validators.clear()
        self._type_only.clear()
        self._plans.clear()
        self._objects = {"": self._root}
        self._index(self._root, "")
        return True

    # -- what document parsing reads ----------------------------------------------------

    def validator(self, path: str) -> Validator | None:
        """The compiled value check of the mapped leaf field `path`, or None."""
        return self._validators.get(path)

    def is_object(self, path: str) -> bool:
        """Whether `path` is a mapped object ("" is the document root)."""
        return path in self._objects

    def object_enabled(self, path: str) -> bool:
        """False for an object mapped with ``enabled: false`` (its contents are not parsed)."""
        return self._objects.get(path, {}).get("enabled", True) is not False

    def dynamic_setting(self, path: str) -> Any:
        """The ``dynamic`` setting in force for the object `path` (inherited from parents)."""
        while True:
            node = self._objects.get(path)
            if node is not None and "dynamic" in node:
                return node["dynamic"]
            if not path:
                return self._root.get("dynamic", True)
            path = path.rpartition(".")[0]

    def dynamic_mapping(self, path: str, value: Any) -> dict[str, Any]:
        """The mapping the new field `path` gets from its first value `value`."""
        return dynamic_mapping(self._root, path, value)

    # -- internals ----------------------------------------------------------------------

    def _remember(self, shape: shapes.Shape) -> None:
        if len(self._plans) >= _PLAN_CACHE_SIZE:
            self._plans.clear()
        self._plans[shape] = shapes.plan(shape, self._validators.get, self._type_only.__contains__)

    def _index(self, node: dict[str, Any], prefix: str) -> None:
        for name, spec in node.get("properties", {}).items():
            path = prefix + name
            kind = spec.get("type", "object")
            if kind in ("object", "nested") or "properties" in spec:
                self._objects[path] = spec
                self._index(spec, path + ".")
                continue
            self._fields[path] = field_info(path, path, spec)
            self._validators[path] = validator(path, spec)
            if type_only(spec):
                self._type_only.add(path)
            for sub, sub_spec in spec.get("fields", {}).items():
                self._fields[f"{path}.{sub}"] = field_info(f"{path}.{sub}", path, sub_spec)

    def _insert(self, path: str, spec: dict[str, Any]) -> None:
        parent, _, name = path.rpartition(".")
        node = self._objects[parent] if parent else self._root
        if node.get("type") == "object":
            del node["type"]
        node.setdefault("properties", {})[name] = spec
        if spec.get("type", "object") in ("object", "nested") or "properties" in spec:
            self._objects[path] = spec
