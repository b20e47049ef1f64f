"""The one emit path: save a batch of alerts, tag their events, refresh, publish.

`AlertTask` hands every alert it produces (from `onEvent`, `onAggregation` or
`onNoEvent`, after plugins) to `emit_batch`, one batch per walk, which costs a constant
number of store calls however many alerts and events there are:

1. one bulk write saving every alert to `alerts` (the store picks `alerts-YYYYMM`);
2. one bulk update tagging every event of every saved alert (all events of an
   aggregation, not just the samples): `alert_names` gains the alert's name once and
   `alerts` gains ``{'index', 'id'}`` of each alert the event is part of, through the
   stored script `scripts.TAG_ALERT`, so alerts tagging the same event at once all keep
   their tags;
3. one refresh of the indices written, so consumers and the next run see both;
4. publishing each saved alert; the ones the broker did not take are marked
   unpublished and get a pointer in the outbox index (one more bulk write, only
   then), where the next run's `publisher.drain_outbox` finds them.

A write the store refuses for some items does not stop the others: the rest of the
batch is still tagged and published, and the refusals are returned for the caller to
raise once the batch is through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib import publisher
from lib.store import scripts
from lib.store.base import EventStore

Alert = dict[str, Any]
Event = dict[str, Any]


@dataclass
class Saved:
    """An alert as saved: its document, the events it tags and where it was stored."""

    alert: Alert
    events: list[Event]
    index: str
    id: str


@dataclass
class Emitted:
    """What happened to a batch: what was saved, what could not be published, what failed."""

    saved: list[Saved] = field(default_factory=list)
    unpublished_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def emit_batch(
    store: EventStore,
    sender: publisher.Publisher,
    alert_name: str,
    batch: list[tuple[Alert, list[Event]]],
) -> Emitted:
    """Save, tag, refresh and publish `batch` (``[(alert, events to tag), ...]``)."""
    outcome = Emitted()
    if not batch:
        return outcome
    outcome.saved = _save(store, batch, outcome.errors)
    _tag(store, tag_actions(alert_name, outcome.saved), outcome.errors)
    store.refresh(sorted(_touched_indices(outcome.saved)))
    outcome.unpublished_ids = _publish(store, sender, outcome.saved, outcome.errors)
    return outcome


def _save(
    store: EventStore, batch: list[tuple[Alert, list[Event]]], errors: list[str]
) -> list[Saved]:
    actions = [{"_op_type": "index", "_index": "alerts", "_source": alert} for alert, _ in batch]
    result = store.bulk(actions)
    saved = []
    for (alert, events), entry in zip(batch, result["items"], strict=True):
        item = next(iter(entry.values()))
        if "error" in item:
            errors.append(f"saving alert {alert.get('summary')!r} failed: {item['error']}")
        else:
            saved.append(Saved(alert, events, item["_index"], item["_id"]))
    return saved


def _tag(store: EventStore, actions: list[dict[str, Any]], errors: list[str]) -> None:
    if not actions:
        return
    result = store.bulk(actions)
    errors.extend(_item_errors(result, "tagging event"))


def _publish(
    store: EventStore, sender: publisher.Publisher, saved: list[Saved], errors: list[str]
) -> list[str]:
    messages = [publisher.message_body(s.id, s.index, s.alert) for s in saved]
    failed = sender.publish(messages)
    if failed:
        result = store.bulk(publisher.mark_actions(failed), refresh=True)
        errors.extend(_item_errors(result, "marking alert unpublished"))
    return [body["_id"] for body in failed]


def tag_actions(alert_name: str, saved: list[Saved]) -> list[dict[str, Any]]:
    """Bulk updates giving each event of `saved` alerts the alert's name and references.

    Each is the stored script `scripts.TAG_ALERT`, which adds to the event as it is when
    the update runs: another alert tagging the same event at the same time keeps its tag.
    """
    refs: dict[tuple[str, str], list[dict[str, str]]] = {}
    for alert in saved:
        for event in alert.events:
            key = (event["_index"], event["_id"])
            refs.setdefault(key, []).append({"index": alert.index, "id": alert.id})
    return [
        {
            "_op_type": "update",
            "_index": index,
            "_id": doc_id,
            "retry_on_conflict": scripts.RETRY_ON_CONFLICT,
            **scripts.tag_alert(alert_name, alerts),
        }
        for (index, doc_id), alerts in refs.items()
    ]


def _item_errors(result: dict[str, Any], doing: str) -> list[str]:
    if not result.get("errors"):
        return []
    items = (next(iter(entry.values())) for entry in result.get("items", []))
    return [
        f"{doing} {item.get('_index')}/{item.get('_id')} failed: {item['error']}"
        for item in items
        if "error" in item
    ]


def _touched_indices(saved: list[Saved]) -> set[str]:
    indices = {alert.index for alert in saved}
    indices.update(event["_index"] for alert in saved for event in alert.events)
    return indices
