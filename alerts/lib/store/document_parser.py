"""Parsing a document against a mapping: validation and new-field discovery in one pass.

`DocumentParser` walks a document as Elasticsearch's document parser does: metadata
fields and empty or dotted-edge field names are refused, dotted keys are read as object
paths, known leaves are checked by their field type's validator, and fields not yet
mapped get a dynamic mapping (unless the nearest ``dynamic`` setting is ``false``, or
``strict``, which refuses the document). New mappings are collected, not applied: a
refused document leaves the mapping unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lib.errors import DocumentError
from lib.store.fieldtypes import FieldInfo, field_info
from lib.store.validation import Validator, validator

if TYPE_CHECKING:
    from lib.store.mapping import Mapping

METADATA_FIELDS = frozenset(
    ("_id", "_index", "_source", "_routing", "_ignored", "_seq_no", "_version", "_primary_term")
    + ("_field_names", "_tier", "_doc_count", "_nested_path", "_data_stream_timestamp")
)


class DocumentParser:
    """One pass over a document: validates values and collects new field mappings."""

    def __init__(self, mapping: Mapping, added: dict[str, dict[str, Any]]) -> None:
        self.mapping = mapping
        self.added = added
        self.fields: dict[str, FieldInfo] = {}
        self.validators: dict[str, Validator] = {}

    def walk(self, obj: dict[str, Any], prefix: str) -> None:
        """Parse every field of the object `obj` found at `prefix`."""
        for key, value in obj.items():
            if not prefix and key in METADATA_FIELDS:
                raise DocumentError(
                    f"Field [{key}] is a metadata field and cannot be added inside a document. "
                    "Use the index API request parameters.",
                    key,
                )
            if not key or "." in key:
                self.dotted(prefix, key, value)
            else:
                self.value(prefix + key, value)

    def dotted(self, prefix: str, key: str, value: Any) -> None:
        """A dotted key such as ``details.program``: the objects on its path, then its leaf."""
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

    def value(self, path: str, value: Any) -> None:
        """One value (arrays item by item) at `path`."""
        if value is None:
            return
        if type(value) is list:
            for item in value:
                self.value(path, item)
            return
        validate = self.mapping.validator(path) or self.validators.get(path)
        if validate is not None:
            validate(value)
            return
        self.object(path, value) if type(value) is dict else self.new_leaf(path, value)

    def object(self, path: str, value: dict[str, Any]) -> None:
        """An object at `path`: mapped dynamically if new, then walked unless disabled."""
        self.refuse_object_on_leaf(path)
        if not (self.mapping.is_object(path) or path in self.added):
            if not self.allow_new(path):
                return
            spec = self.added[path] = self.mapping.dynamic_mapping(path, value)
            if spec.get("type", "object") not in ("object", "nested"):
                self.add_leaf(path, spec)
                return self.value(path, value)
        if not self.mapping.object_enabled(path):
            return
        self.walk(value, path + ".")

    def refuse_object_on_leaf(self, path: str) -> None:
        """Refuse an object where a leaf field is already mapped."""
        info = self.mapping.field(path) or self.fields.get(path)
        if info:
            raise DocumentError(
                f"Could not dynamically add mapping for field [{path}]. Existing mapping "
                f"for [{path}] must be of type object but found [{info.type}].",
                path,
            )

    def new_leaf(self, path: str, value: Any) -> None:
        """A scalar at an unmapped `path`: refused where an object is mapped, else mapped."""
        if self.mapping.is_object(path) or path in self.added:
            raise DocumentError(
                f"object mapping for [{path}] tried to parse field [{path}] as object, "
                "but found a concrete value",
                path,
            )
        if not self.allow_new(path):
            return
        spec = self.added[path] = self.mapping.dynamic_mapping(path, value)
        self.add_leaf(path, spec)
        self.value(path, value)

    def add_leaf(self, path: str, spec: dict[str, Any]) -> None:
        """Remember a newly mapped leaf so later values in this document are checked."""
        self.fields[path] = field_info(path, path, spec)
        self.validators[path] = validator(path, spec)

    def allow_new(self, path: str) -> bool:
        """Whether `path` may be mapped dynamically (``strict`` refuses the document)."""
        parent = path.rpartition(".")[0]
        dynamic = str(self.mapping.dynamic_setting(parent)).lower()
        if dynamic == "strict":
            raise DocumentError(
                f"mapping set to strict, dynamic introduction of [{path.rpartition('.')[2]}] "
                f"within [{parent or '_doc'}] is not allowed",
                path,
                "strict_dynamic_mapping_exception",
            )
        return dynamic != "false"
