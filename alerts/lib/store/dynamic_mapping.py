"""Elasticsearch's dynamic mapping rules: the mapping a new field gets from its first value.

Dynamic templates are tried first, in order (``match_mapping_type``, ``match``,
``unmatch``, ``path_match``, ``path_unmatch``, simple or ``regex`` patterns, with
``{name}`` and ``{dynamic_type}`` substituted); otherwise Elasticsearch's defaults apply:
strings -> ``text`` with a ``.keyword`` multi-field (``ignore_above: 256``), date
detection, optional numeric detection, ``long``, ``float``, ``boolean``, ``object``.
"""

from __future__ import annotations

import copy
import fnmatch
import re
from typing import Any

from lib.store.dates import date_parser
from lib.store.fieldtypes import NUMBER

DEFAULT_DATE_FORMATS = ["strict_date_optional_time", "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd"]
_TEMPLATE_CHECKS = (
    ("match", False, True),
    ("unmatch", False, False),
    ("path_match", True, True),
    ("path_unmatch", True, False),
)


def dynamic_mapping(root: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """The mapping Elasticsearch gives the new field `path` whose first value is `value`."""
    kind = detect_type(root, value)
    name = path.rpartition(".")[2]
    for entry in root.get("dynamic_templates", []):
        ((_, template),) = entry.items()
        if template_matches(template, path, name, kind):
            return _template_mapping(template["mapping"], name, kind)
    return _default_mapping(kind)


def detect_type(root: dict[str, Any], value: Any) -> str:
    """The JSON kind of `value` as dynamic mapping sees it (``date:<format>`` for dates)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, dict):
        return "object"
    return _detect_string(root, value)


def _detect_string(root: dict[str, Any], value: str) -> str:
    if root.get("date_detection", True) and any(c in value for c in ":-/"):
        for fmt in root.get("dynamic_date_formats", DEFAULT_DATE_FORMATS):
            try:
                date_parser(fmt)(value)
            except ValueError:
                continue
            return "date" if fmt == "strict_date_optional_time" else f"date:{fmt}"
    if root.get("numeric_detection", False) and NUMBER.fullmatch(value):
        return "long" if value.lstrip("+-").isdigit() else "double"
    return "string"


def template_matches(template: dict[str, Any], path: str, name: str, kind: str) -> bool:
    """Whether a dynamic template applies to the new field `path` of JSON kind `kind`."""
    wanted = template.get("match_mapping_type", "*")
    wanted = wanted if isinstance(wanted, list) else [wanted]
    if "*" not in wanted and kind.partition(":")[0] not in wanted:
        return False
    regex = template.get("match_pattern") == "regex"
    for key, on_path, expected in _TEMPLATE_CHECKS:
        patterns = template.get(key)
        if patterns is None:
            continue
        patterns = patterns if isinstance(patterns, list) else [patterns]
        if _any_match(patterns, path if on_path else name, regex) is not expected:
            return False
    return True


def _any_match(patterns: list[str], subject: str, regex: bool) -> bool:
    return any(
        (re.fullmatch(p, subject) if regex else fnmatch.fnmatchcase(subject, p)) for p in patterns
    )


def _template_mapping(mapping: dict[str, Any], name: str, kind: str) -> dict[str, Any]:
    base = kind.partition(":")[0]
    dynamic_type = {"string": "text", "double": "float"}.get(base, base)
    spec = copy.deepcopy(mapping)
    for key, value in list(spec.items()):
        if isinstance(value, str):
            spec[key] = value.replace("{dynamic_type}", dynamic_type).replace("{name}", name)
    if "type" not in spec:
        spec.update(_default_mapping(kind))
    return spec


def _default_mapping(kind: str) -> dict[str, Any]:
    if kind == "string":
        return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
    if kind == "object":
        return {"type": "object"}
    if kind.startswith("date:"):
        return {"type": "date", "format": kind[5:]}
    return {"type": {"double": "float"}.get(kind, kind)}
