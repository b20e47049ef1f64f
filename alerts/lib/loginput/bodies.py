"""Request bodies of loginput: reading them within a size limit and parsing their formats.

Formats:

- ``/events`` (`parse_events`): one JSON object, a JSON array of objects, or
  newline-delimited JSON (one object per line; blank lines are skipped).
- ``/_bulk`` (`parse_bulk`): Elasticsearch's bulk format, an action line
  (``{"index": {...}}`` or ``{"create": {...}}``) followed by the event's source line.

Problems with the request as a whole (empty, too large, not UTF-8, not JSON, a broken
bulk action line) raise `DocumentError`; problems with single events (not an object,
nested too deep, a malformed NDJSON or source line) are returned as `Problem`s beside
the good events, so the caller can name every refused item before anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from lib.errors import DocumentError

# Elasticsearch's index.mapping.depth.limit; arrays count as a level too, so an event
# loginput accepts never trips the store's own depth limit.
DEPTH_LIMIT = 20
# Elasticsearch refuses ids longer than 512 bytes.
MAX_ID_BYTES = 512
BULK_ACTIONS = ("index", "create")


class Readable(Protocol):
    """What a request body is read from (a WSGI input stream)."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes."""
        ...


@dataclass
class Problem:
    """Why one item of a request was refused (`item` counts events from 0)."""

    item: int
    type: str
    reason: str
    line: int | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The problem as it appears in a 400 answer."""
        body = {"item": self.item, "type": self.type, "reason": self.reason}
        body.update({k: v for k, v in (("line", self.line), ("field", self.field)) if v})
        return body


@dataclass
class Parsed:
    """The events of one request (in order) and the problems found in its items."""

    events: list[Any] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    ops: list[tuple[str, str | None]] = field(default_factory=list)


def read_body(stream: Readable, content_length: int | None, limit: int) -> bytes:
    """Read at most `limit` bytes of body; DocumentError if it is larger or empty."""
    if content_length is not None and content_length > limit:
        raise _too_large(content_length, limit)
    body = stream.read(limit + 1) if content_length is None else stream.read(content_length)
    if len(body) > limit:
        raise _too_large(None, limit)
    if not body.strip():
        raise DocumentError("request body is empty", error_type="empty_body")
    return body


def parse_events(body: bytes) -> Parsed:
    """Parse an `/events` body: an object, an array of objects, or NDJSON lines."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        _check_utf8(body)
        lines = list(_lines(body))
        if len(lines) > 1 and _parses(lines[0][1]):
            return _parse_ndjson(lines)
        raise _invalid_json("request body", exc) from exc
    if isinstance(value, dict):
        return _checked(Parsed(), [(value, None)])
    if isinstance(value, list) and value:
        return _checked(Parsed(), [(item, None) for item in value])
    found = "an empty array" if value == [] else _kind(value)
    raise DocumentError(
        f"request body must be a JSON object, an array of objects or NDJSON objects, not {found}",
        error_type="not_an_event",
    )


def parse_bulk(body: bytes) -> Parsed:
    """Parse an Elasticsearch bulk body into events, their (op, _id) and item problems."""
    _check_utf8(body)
    parsed = Parsed()
    lines = _lines(body)
    for line_no, action_line in lines:
        op, doc_id = _bulk_action(action_line, line_no)
        source = next(lines, None)
        if source is None:
            raise DocumentError(
                f"bulk action on line {line_no} has no source line after it",
                error_type="illegal_argument_exception",
            )
        parsed.ops.append((op, doc_id))
        _add_line(parsed, len(parsed.ops) - 1, *source)
    if not parsed.ops:
        raise DocumentError("request body is empty", error_type="empty_body")
    return parsed


def depth(value: Any) -> int:
    """How deeply objects and arrays nest in `value` (a flat object is 1, a scalar 0)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, level = stack.pop()
        children = current.values() if isinstance(current, dict) else current
        deepest = max(deepest, level)
        stack.extend((c, level + 1) for c in children if isinstance(c, dict | list))
    return deepest if isinstance(value, dict | list) else 0


def _checked(parsed: Parsed, items: list[tuple[Any, int | None]]) -> Parsed:
    for value, line_no in items:
        _add(parsed, len(parsed.events), value, line_no)
    return parsed


def _add(
    parsed: Parsed, item: int, value: Any, line_no: int | None, raw: bytes | None = None
) -> None:
    problem = _event_problem(value, raw)
    if problem is not None:
        parsed.problems.append(Problem(item, problem[0], problem[1], line_no))
    parsed.events.append(value)
    parsed.lines.append(line_no)


def _add_line(parsed: Parsed, item: int, line_no: int, line: bytes) -> None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        error_type = "too_deep" if "depth limit" in exc.msg else "invalid_json"
        reason = f"line {line_no} is not valid JSON: {exc.msg} at column {exc.colno}"
        parsed.problems.append(Problem(item, error_type, reason, line_no))
        parsed.events.append(None)
        parsed.lines.append(line_no)
        return
    _add(parsed, item, value, line_no, line)


def _parse_ndjson(lines: list[tuple[int, bytes]]) -> Parsed:
    parsed = Parsed()
    for item, (line_no, line) in enumerate(lines):
        _add_line(parsed, item, line_no, line)
    return parsed


def _event_problem(value: Any, raw: bytes | None = None) -> tuple[str, str] | None:
    if not isinstance(value, dict):
        return "not_an_event", f"an event must be a JSON object, not {_kind(value)}"
    if raw is not None and raw.count(b"{") + raw.count(b"[") <= DEPTH_LIMIT:
        return None  # nesting needs an opening bracket per level: too few to be too deep
    levels = depth(value)
    if levels > DEPTH_LIMIT:
        return "too_deep", f"objects and arrays nest {levels} deep; the limit is {DEPTH_LIMIT}"
    return None


def _bulk_action(line: bytes, line_no: int) -> tuple[str, str | None]:
    try:
        action = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise _bad_action(line_no, f"not JSON ({_json_reason(exc)})") from exc
    if not isinstance(action, dict) or len(action) != 1:
        raise _bad_action(line_no, "expected one object with a single action key")
    op, meta = next(iter(action.items()))
    if op not in BULK_ACTIONS:
        raise _bad_action(line_no, f"action [{op}] is not accepted (use index or create)")
    if not isinstance(meta, dict):
        raise _bad_action(line_no, f"the [{op}] metadata must be an object")
    return op, _bulk_id(meta.get("_id"), line_no)


def _bulk_id(doc_id: Any, line_no: int) -> str | None:
    if doc_id is None:
        return None
    if not isinstance(doc_id, str) or not doc_id or len(doc_id.encode()) > MAX_ID_BYTES:
        raise _bad_action(
            line_no, f"_id must be a non-empty string of at most {MAX_ID_BYTES} bytes"
        )
    return doc_id


def _lines(body: bytes) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.strip():
            yield number, line


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _check_utf8(body: bytes) -> None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"request body is not valid UTF-8: byte {exc.start} ({exc.reason})",
            error_type="invalid_utf8",
        ) from exc


def _invalid_json(what: str, exc: orjson.JSONDecodeError) -> DocumentError:
    error_type = "too_deep" if "depth limit" in exc.msg else "invalid_json"
    return DocumentError(f"{what} is not valid JSON: {_json_reason(exc)}", error_type=error_type)


def _json_reason(exc: orjson.JSONDecodeError) -> str:
    return f"{exc.msg} at line {exc.lineno} column {exc.colno}"


def _bad_action(line_no: int, reason: str) -> DocumentError:
    return DocumentError(
        f"malformed bulk action on line {line_no}: {reason}",
        error_type="illegal_argument_exception",
    )


def _too_large(length: int | None, limit: int) -> DocumentError:
    size = f"of {length} bytes " if length is not None else ""
    return DocumentError(
        f"request body {size}is larger than the limit of {limit} bytes",
        error_type="body_too_large",
    )


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
