"""Field types: what a mapped field is, and how numeric and ip fields read values.

`FieldInfo` describes one searchable field (multi-fields such as ``summary.keyword``
included). `to_number` and `parse_ip` read a document or query value the way the
numeric and ``ip`` field types parse it; `format_ip` shows an address as Elasticsearch
does.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from typing import Any

from lib.store.dates import DEFAULT_FORMAT

INTEGER_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}
FLOAT_TYPES = frozenset(("double", "float", "half_float", "scaled_float"))
NUMERIC_TYPES = frozenset(INTEGER_RANGES) | FLOAT_TYPES
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
"""A number written as a string, as numeric fields and numeric detection accept it."""

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
_IPV4_MAPPED = 0xFFFF00000000


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One searchable field: its query name, where its values live, and its type."""

    path: str
    source: str
    type: str
    ignore_above: int | None = None
    format: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def field_info(path: str, source: str, spec: dict[str, Any]) -> FieldInfo:
    """The `FieldInfo` of a field mapped as `spec` (dates get the default format)."""
    kind = spec.get("type", "object")
    fmt = spec.get("format", DEFAULT_FORMAT if kind == "date" else None)
    return FieldInfo(path, source, kind, spec.get("ignore_above"), fmt, spec)


def to_number(value: Any, kind: str) -> int | float | None:
    """A document or query value as the numeric field type reads it (None if not numeric)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not NUMBER.fullmatch(value.strip()):
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
        return _IPV4_MAPPED | (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 4:
        return _IPV4_MAPPED | int(address)
    return int(address)


def format_ip(number: int) -> str:
    """The string Elasticsearch shows for an address (IPv4-mapped shown as IPv4)."""
    if number >> 32 == 0xFFFF:
        return str(ipaddress.IPv4Address(number & 0xFFFFFFFF))
    return str(ipaddress.IPv6Address(number))
