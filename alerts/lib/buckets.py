"""Aggregation buckets: grouping an alert's matching events by the value of a field.

`bucket_events` answers what an Elasticsearch terms aggregation would, but exactly and
with the events themselves: one bucket per distinct value, a document counted once in
each bucket of the values it holds (a list-valued field gives one bucket per element),
ordered by count descending then value ascending (the terms aggregation's order), each
``{'value', 'count', 'events' (the first `samples_limit`), 'allevents'}``. There is no
cap on the number of events or buckets (MozDef silently stopped at 1,000 hits).

Field paths follow Elasticsearch: ``a.b.c`` reaches into objects, into arrays of
objects, and matches keys that themselves contain dots.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from lib.errors import AlertError


def values_at(document: Any, path: str) -> list[Any]:
    """Every non-null leaf value `document` holds at the dotted `path`."""
    return list(_walk(document, path.split(".")))


def _walk(node: Any, parts: list[str]) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, parts)
        return
    if not parts:
        if node is not None:
            yield node
        return
    if not isinstance(node, dict):
        return
    for split in range(1, len(parts) + 1):
        key = ".".join(parts[:split])
        if key in node:
            yield from _walk(node[key], parts[split:])


def distinct_values(document: Any, path: str) -> list[Any]:
    """The distinct values at `path`, in first-seen order (how a doc joins buckets)."""
    values = []
    for value in values_at(document, path):
        if isinstance(value, dict):
            raise AlertError(f"cannot aggregate on {path!r}: it holds an object, not a value")
        if value not in values:
            values.append(value)
    return values


def bucket_events(
    hits: Iterable[dict[str, Any]], path: str, samples_limit: int
) -> list[dict[str, Any]]:
    """Group search `hits` by the value of `path` in their ``_source`` (see module doc)."""
    buckets: dict[Any, dict[str, Any]] = {}
    for hit in hits:
        for value in distinct_values(hit.get("_source", {}), path):
            bucket = buckets.setdefault(
                _key(value), {"value": value, "count": 0, "events": [], "allevents": []}
            )
            bucket["count"] += 1
            bucket["allevents"].append(hit)
            if len(bucket["events"]) < samples_limit:
                bucket["events"].append(hit)
    return sorted(buckets.values(), key=lambda bucket: (-bucket["count"], str(bucket["value"])))


def _key(value: Any) -> Any:
    """A hashable bucket key that keeps True apart from 1 (as distinct terms)."""
    return (type(value).__name__, value) if isinstance(value, bool) else value


def most_common(documents: Iterable[Any], path: str) -> list[tuple[Any, int]]:
    """``[(value, count), ...]`` of the values at `path` across `documents`, most common first."""
    counter: Counter[Any] = Counter()
    for document in documents:
        counter.update(value for value in values_at(document, path) if not isinstance(value, dict))
    return counter.most_common()
