"""Indexed values per field type: what a query compares a document's field against.

- ``keyword``: the whole value, numbers and booleans as their JSON text; values longer
  than ``ignore_above`` are not indexed.
- ``text``: the standard analyzer's tokens (`analysis.py`).
- ``ip``: 128-bit addresses (IPv4 as IPv4-mapped IPv6); ``date``: epoch milliseconds in
  the field's format; ``boolean`` and numeric types: values as the field type parses them.

Values a field cannot parse are not indexed. `query_value` reads a query's value for a
boolean or numeric field the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.analysis import standard_tokens
from lib.store.dates import DEFAULT_FORMAT, date_parser
from lib.store.fieldtypes import INTEGER_RANGES, NUMERIC_TYPES, FieldInfo, parse_ip, to_number
from lib.store.nodes import Values
from lib.store.source_values import field_getter

STRING_TYPES = frozenset(("keyword", "text"))
OTHER_TYPES = frozenset(("ip", "date", "boolean"))
SEARCHABLE_TYPES = STRING_TYPES | OTHER_TYPES | NUMERIC_TYPES


def keyword_text(value: Any) -> str:
    """A JSON value as a keyword field indexes it."""
    if type(value) is str:
        return value
    if type(value) is bool:
        return "true" if value else "false"
    return str(value)


def text_values(source_values: Iterable[Any]) -> list[str]:
    """Source values of a text field as strings."""
    return [keyword_text(v) for v in source_values]


def doc_values(info: FieldInfo) -> Values:
    """The field's indexed values for one document, converted to its type."""
    get = field_getter(info)
    kind = info.type
    if kind == "keyword":
        limit = info.ignore_above
        if limit is None:
            return lambda s: [keyword_text(v) for v in get(s)]
        return lambda s: [t for t in map(keyword_text, get(s)) if len(t) <= limit]
    if kind == "text":
        return lambda s: [t for v in get(s) for t in standard_tokens(keyword_text(v))]
    convert = _converter(info)
    return lambda s: [c for c in map(convert, get(s)) if c is not None]


def _converter(info: FieldInfo) -> Callable[[Any], Any]:
    kind = info.type
    if kind == "ip":
        return parse_ip
    if kind == "date":
        parse = date_parser(info.format or DEFAULT_FORMAT)
        return lambda v: or_none(parse, v)
    if kind == "boolean":
        return boolean_or_none
    if kind in NUMERIC_TYPES:
        return lambda v: to_number(v, kind)
    raise UnsupportedQueryError(f"fields of type [{kind}] ({info.path}) are not supported")


def or_none(parse: Callable[[Any], int], value: Any) -> int | None:
    """`parse(value)`, or None where it raises ValueError."""
    try:
        return parse(value)
    except ValueError:
        return None


def boolean_or_none(value: Any) -> bool | None:
    """A value as a boolean field reads it, or None if it is no boolean."""
    if type(value) is bool:
        return value
    return {"true": True, "false": False, "": False}.get(value) if type(value) is str else None


def query_value(info: FieldInfo, value: Any) -> Any:
    """A query value as the (boolean or numeric) field holds it; None = can never match."""
    if info.type == "boolean":
        parsed = boolean_or_none(value)
        if parsed is None:
            raise QueryError(f"Can't parse boolean value [{value}], expected [true] or [false]")
        return parsed
    if info.type in NUMERIC_TYPES:
        number = query_number(value)
        if info.type in INTEGER_RANGES:
            return int(number) if number == int(number) else None
        return number
    raise UnsupportedQueryError(f"fields of type [{info.type}] ({info.path}) are not supported")


def query_number(value: Any) -> float:
    """A query value for a numeric field, as a number."""
    number = to_number(value, "double")
    if number is None or isinstance(value, bool):
        raise QueryError(f'failed to create query: For input string: "{value}"')
    return number
