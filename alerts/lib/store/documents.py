"""Documents entering the embedded store: encoding, limits, ids, merging, time columns.

Limits (each refusal is a DocumentError naming the problem; see "Mapping limit
settings" in the Elasticsearch reference):

- A document must be a JSON object with string keys (Elasticsearch: "Malformed
  content, must start with an object").
- A serialized document may be at most ``MAX_DOCUMENT_BYTES`` (10 MiB). Elasticsearch
  caps whole requests (``http.max_content_length``, 100 MB); one document per request
  is our unit, and 10 MiB matches loginput's default body limit.
- ``index.mapping.depth.limit`` (default 20): an object field at depth 21 or deeper
  (root fields are depth 1) is refused.
- ``index.mapping.total_fields.limit`` (default 1000): field, object and multi-field
  mappers all count.
"""

from __future__ import annotations

import base64
import itertools
import math
import os
import time
from functools import lru_cache
from typing import Any

import orjson

from lib.errors import DocumentError
from lib.store.dates import iso_millis, parse_date
from lib.store.planner import MULTI_VALUED, TIME_COLUMNS
from lib.store.shapes import Shape, shape_of

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DEPTH_LIMIT = 20
TOTAL_FIELDS_LIMIT = 1000
_PARSING = "document_parsing_exception"
_UTC, _RECEIVED = TIME_COLUMNS  # the field names, in column order (utc, recv)
_ILLEGAL = "illegal_argument_exception"


def encode(document: object) -> tuple[bytes, dict[str, Any], Shape | None]:
    """The JSON bytes of `document`, the plain JSON object they decode to, and its shape.

    A plain-JSON document is its own decoding (see `shapes`), so it is not decoded again.
    """
    if not isinstance(document, dict):
        kind = "null" if document is None else type(document).__name__
        raise DocumentError(
            f"failed to parse: Malformed content, must start with an object, but found [{kind}]",
            None,
            _PARSING,
        )
    data = serialize(document)
    shape = shape_of(document)
    if shape is not None:
        return data, document, shape
    if b"null" in data:  # orjson writes NaN and Infinity as null
        refuse_non_finite(document, "")
    source = orjson.loads(data)
    return data, source, shape_of(source)


def serialize(document: dict[str, Any]) -> bytes:
    """The JSON bytes of `document` (DocumentError if not JSON or over the size limit)."""
    try:
        data = orjson.dumps(document)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise DocumentError(
            f"failed to parse: document is not valid JSON: {exc}", None, _PARSING
        ) from exc
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"document of {len(data)} bytes is larger than the limit of {MAX_DOCUMENT_BYTES} bytes",
            None,
            _ILLEGAL,
        )
    return data


def check_json(document: Any) -> None:
    """DocumentError unless `document` is plain JSON (finite numbers) within the size limit."""
    data = serialize(document)
    if b"null" in data:  # orjson writes NaN and Infinity as null
        refuse_non_finite(document, "")


def refuse_non_finite(value: Any, path: str) -> None:
    """DocumentError if a float in `value` is NaN or infinite (JSON cannot carry them)."""
    if type(value) is float and not math.isfinite(value):
        raise DocumentError(
            f"failed to parse field [{path}]: non-finite number [{value}] is not valid JSON",
            path or None,
            _PARSING,
        )
    if type(value) is dict:
        for key, item in value.items():
            refuse_non_finite(item, f"{path}.{key}" if path else str(key))
    elif type(value) is list:
        for item in value:
            refuse_non_finite(item, path)


def check_limits(mappings: dict[str, Any], settings: dict[str, Any]) -> None:
    """Raise DocumentError if `mappings` break the index's depth or total-fields limit."""
    depth_limit = int(index_setting(settings, "mapping.depth.limit", DEPTH_LIMIT))
    fields_limit = int(index_setting(settings, "mapping.total_fields.limit", TOTAL_FIELDS_LIMIT))
    total = _count_fields(mappings.get("properties") or {}, "", depth_limit)
    total += len(mappings.get("runtime") or {})
    if total > fields_limit:
        raise DocumentError(
            f"Limit of total fields [{fields_limit}] has been exceeded", None, _ILLEGAL
        )


def index_setting(settings: dict[str, Any], name: str, default: Any) -> Any:
    """Setting `name` (without the ``index.`` prefix) from nested or dotted settings."""
    flat = _flatten(settings)
    return flat.get(f"index.{name}", flat.get(name, default))


def merge(stored: dict[str, Any], partial: dict[str, Any]) -> dict[str, Any]:
    """`partial` merged into `stored`: objects merge recursively, anything else is replaced."""
    merged = dict(stored)
    for key, value in partial.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged[key] = merge(current, value)
        else:
            merged[key] = value
    return merged


def time_columns(
    source: dict[str, Any], date_formats: dict[str, str | None]
) -> tuple[int | None, int | None]:
    """The (utc, recv) column values of `source` for an index typing them per `date_formats`."""
    utc = recv = None
    if _UTC in date_formats:
        utc = _time_value(source.get(_UTC), date_formats[_UTC])
    if _RECEIVED in date_formats:
        recv = _time_value(source.get(_RECEIVED), date_formats[_RECEIVED])
    return utc, recv


def keeps_time_columns(partial: dict[str, Any]) -> bool:
    """Whether merging `partial` leaves a document's (utc, recv) column values as they were."""
    return _UTC not in partial and _RECEIVED not in partial


def new_id() -> str:
    """A new 20-character document id, time-ordered for index locality (as ES's ids)."""
    millis = time.time_ns() // 1_000_000
    counter = (next(_COUNTER) & 0xFFFFFF).to_bytes(3, "big")
    # 12 bytes encode to 16 characters on their own, so the prefix is encoded once per ms.
    return _id_prefix(millis, _NODE[0]) + base64.urlsafe_b64encode(counter).decode()


@lru_cache(maxsize=4)
def _id_prefix(millis: int, node: bytes) -> str:
    return base64.urlsafe_b64encode(millis.to_bytes(6, "big") + node).decode()


def _time_value(value: Any, fmt: str | None) -> int | None:
    if isinstance(value, list):
        values = [item for item in value if item is not None]
        if not values:
            return None
        if len(values) > 1:
            return MULTI_VALUED
        value = values[0]
    if value is None:
        return None
    if type(value) is str:
        millis = _iso_millis(value)
        if millis is not None:
            return millis
    try:
        return parse_date(value, fmt)
    except (ValueError, TypeError):
        return MULTI_VALUED  # not understood here: keep the row a candidate for every plan


def _iso_millis(text: str) -> int | None:
    """Epoch ms of an ISO 8601 date-time ``YYYY-MM-DDTHH:MM...`` (None for other shapes).

    Only shapes every ISO date format reads alike; the value already passed the
    mapping's own parser when the document was admitted.
    """
    if len(text) < 16 or text[4] != "-" or text[7] != "-" or text[10] != "T" or text[13] != ":":
        return None
    return iso_millis(text)


def _count_fields(properties: dict[str, Any], prefix: str, depth_limit: int) -> int:
    total = 0
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        total += 1 + len(spec.get("fields") or {})
        children = spec.get("properties")
        if children is not None or spec.get("type") in ("object", "nested"):
            if path.count(".") + 2 > depth_limit:
                raise DocumentError(
                    f"Limit of mapping depth [{depth_limit}] has been exceeded due to object field [{path}]",
                    path,
                    _ILLEGAL,
                )
            total += _count_fields(children or {}, f"{path}.", depth_limit)
    return total


def _flatten(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


_COUNTER = itertools.count()
_NODE = [os.urandom(6)]


def _new_node() -> None:
    _NODE[0] = os.urandom(6)


os.register_at_fork(after_in_child=_new_node)
