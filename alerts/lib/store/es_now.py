"""Pinning ``now`` in Elasticsearch requests to the caller's clock.

Elasticsearch resolves ``now`` in range bounds with the server's clock; Vigil resolves
it with the caller's (frozen in tests and backfills), as the embedded store does, so
`anchor_now` rewrites ``now...`` bounds as ``<iso instant>||...`` date math.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_BOUNDS = frozenset(("gt", "gte", "lt", "lte", "from", "to"))


def anchor_now(body: Any, now: datetime) -> Any:
    """`body` with ``now`` in `range` bounds pinned to the caller's clock (``<iso>||...``).

    Elasticsearch resolves ``now`` with the server's clock; Vigil resolves it with the
    caller's (frozen in tests and backfills), as the embedded store does. A range with
    its own ``format`` is left alone (the pinned instant is ISO 8601).
    """
    if isinstance(body, list):
        return [anchor_now(item, now) for item in body]
    if not isinstance(body, dict):
        return body
    anchored = {key: anchor_now(value, now) for key, value in body.items()}
    if isinstance(body.get("range"), dict):
        anchored["range"] = {
            field: _anchored_range(spec, now) for field, spec in body["range"].items()
        }
    return anchored


def _anchored_range(spec: Any, now: datetime) -> Any:
    if not isinstance(spec, dict) or "format" in spec:
        return spec
    stamp = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        key: _pin(value, stamp) if key in _BOUNDS and isinstance(value, str) else value
        for key, value in spec.items()
    }


def _pin(bound: str, stamp: str) -> str:
    if not bound.startswith("now"):
        return bound
    math = bound[3:]
    return f"{stamp}||{math}" if math else stamp
