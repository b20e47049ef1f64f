"""Document validation per field type: where Elasticsearch refuses a value.

This store keeps Elasticsearch's default ``ignore_malformed: false``: a value a mapped
field cannot parse (a non-IP in an ``ip`` field, an out-of-range ``integer``, an object
where a leaf is mapped, ...) rejects the whole document with a `DocumentError` whose
reason reads like Elasticsearch's. `validator(path, spec)` compiles the check of one
leaf field, its multi-fields included.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lib.errors import DocumentError
from lib.store.dates import DEFAULT_FORMAT, ISO_NAMES, date_parser, iso_millis
from lib.store.fieldtypes import (
    INTEGER_RANGES,
    NUMERIC_TYPES,
    FieldInfo,
    field_info,
    parse_ip,
    to_number,
)

Validator = Callable[[Any], None]
_SCALARS = frozenset((str, int, float, bool))


def validator(path: str, spec: dict[str, Any]) -> Validator:
    """A compiled check of one leaf field's values (its multi-fields included)."""
    infos = _infos(path, spec)
    kind = infos[0].type
    if kind == "geo_point":
        return lambda value: None
    if type_only(spec):

        def check_string(value: Any) -> None:
            if type(value) not in _SCALARS:
                _refuse_object(path, kind, value)

        return check_string
    if kind == "date" and len(infos) == 1:
        return _date_validator(infos[0])
    checks = [(info, _CHECKS[info.type]) for info in infos if info.type in _CHECKS]

    def check(value: Any) -> None:
        if type(value) is dict:
            _refuse_object(path, kind, value)
        for info, checker in checks:
            reason = checker(value, info)
            if reason is not None:
                raise DocumentError(
                    f"failed to parse field [{info.path}] of type [{info.type}]: {reason}",
                    info.path,
                )

    return check


def _date_validator(info: FieldInfo) -> Validator:
    """The check of a date field without multi-fields, its format's parser bound once."""
    parse = date_parser(info.format or DEFAULT_FORMAT)
    iso = (info.format or DEFAULT_FORMAT).split("||")[0].strip() in ISO_NAMES

    def check_date(value: Any) -> None:
        if (
            iso
            and type(value) is str
            and len(value) > 9
            and value[4] == value[7] == "-"
            and iso_millis(value) is not None
        ):
            return  # the common case: an ISO 8601 date-time, read as `parse` reads it first
        if type(value) is dict:
            _refuse_object(info.path, info.type, value)
        try:
            if type(value) is not bool:
                parse(value)
                return
            reason = f"failed to parse date field [{value}] with format [{info.format}]"
        except ValueError as exc:
            reason = str(exc)
        raise DocumentError(
            f"failed to parse field [{info.path}] of type [date]: {reason}", info.path
        )

    return check_date


def type_only(spec: dict[str, Any]) -> bool:
    """Whether a leaf field (multi-fields included) refuses only non-scalar values."""
    return all(info.type in ("keyword", "text") for info in _infos("", spec))


def _infos(path: str, spec: dict[str, Any]) -> list[FieldInfo]:
    infos = [field_info(path, path, spec)]
    return infos + [
        field_info(f"{path}.{n}", path, sub) for n, sub in spec.get("fields", {}).items()
    ]


def _refuse_object(path: str, kind: str, value: Any) -> None:
    reason = (
        "Can't get text on a START_OBJECT" if type(value) is dict else f"unexpected value [{value}]"
    )
    raise DocumentError(f"failed to parse field [{path}] of type [{kind}]: {reason}", path)


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
