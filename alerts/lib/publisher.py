"""Publishing saved alerts to the broker, and the outbox of alerts that could not be.

An alert is saved first and published after. When publishing fails (broker down after
retries, a confirm refused), one bulk write marks the saved alert document with
``UNPUBLISHED_FIELD: true`` (so operators see it on the alert) and indexes a small
pointer document ``{alert_index, alert_id, saved_at}`` into ``OUTBOX_INDEX``
(``vigil-outbox``, id ``<alert_index>:<alert_id>``); the emit path makes that write
only when a publish failed, so a run whose alerts are published writes no pointer.

At the start of every alert run, `drain_outbox` reads the outbox index (one search,
skipped cheaply when the index does not exist yet), so its cost follows the number of
pending alerts, never the number of alerts ever saved. For each pointer (oldest
first, at most `DRAIN_BATCH` per run; the rest wait for the next run) it fetches the
alert by id, publishes it, then one bulk write rewrites each published alert without
the mark and deletes its pointer. The mark on the alert is the authority: a pointer
whose alert is gone, or no longer marked (published, but its pointer not yet
deleted), is deleted without publishing, so an alert is never lost and, once its
publish is confirmed, never sent again. One process drains at a time (a lock file per
store), so two workers on one host never publish the same outstanding alert twice.

Alerts marked by hand, or by a version that wrote no pointers, are found by
`adopt_marked_alerts`, which reads every saved alert once (an operator's repair, never
part of a run).

The message body is MozDef's: JSON ``{'_id', '_index', '_source'}`` of the saved alert.
Delivery is at least once: a broker that takes a message but loses the confirm makes
the alert count as unpublished and it is sent again by the next run.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lib import messaging
from lib.errors import IndexNotFoundError, StoreError
from lib.store.base import EventStore
from lib.utctime import utc_now

log = logging.getLogger(__name__)

#: Field set to true on a saved alert document whose publish failed.
UNPUBLISHED_FIELD = "vigil_unpublished"

#: The index holding one pointer document per alert waiting to be published.
OUTBOX_INDEX = "vigil-outbox"

#: Most outbox alerts one run publishes; any more wait for the next run.
DRAIN_BATCH = 100

DEFAULT_RETRIES = 3

_thread_lock = threading.Lock()


def message_body(alert_id: str, index: str, source: dict[str, Any]) -> dict[str, Any]:
    """The published form of a saved alert: ``{'_id', '_index', '_source'}``."""
    clean = {key: value for key, value in source.items() if key != UNPUBLISHED_FIELD}
    return {"_id": alert_id, "_index": index, "_source": clean}


class Publisher:
    """Publishes alert messages to the alert exchange; connects only when publishing."""

    def __init__(self, rabbitmq: dict) -> None:
        self.rabbitmq = rabbitmq
        self.retries = int(rabbitmq.get("publish_retries", DEFAULT_RETRIES))

    def publish(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Publish `messages` in order; return the ones that could not be published."""
        if not messages:
            return []
        exchange = messaging.alert_exchange(self.rabbitmq)
        routing_key = messaging.alert_routing_key(self.rabbitmq)
        try:
            with messaging.connection(self.rabbitmq) as conn:
                conn.ensure_connection(**self._retry_policy())
                producer = conn.Producer(serializer="json")
                for position, body in enumerate(messages):
                    if not self._publish_one(producer, exchange, routing_key, body):
                        return messages[position:]
        except Exception:  # the broker boundary: any failure leaves the rest unpublished
            log.warning("could not reach the alert broker", exc_info=True)
            return messages
        return []

    def _publish_one(self, producer: Any, exchange: Any, routing_key: str, body: dict) -> bool:
        try:
            producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                declare=[exchange],
                delivery_mode=2,
                retry=True,
                retry_policy=self._retry_policy(),
            )
        except Exception:  # the broker boundary: report, the caller keeps it in the outbox
            log.warning("could not publish alert %s", body.get("_id"), exc_info=True)
            return False
        return True

    def _retry_policy(self) -> dict[str, float]:
        return {
            "max_retries": self.retries,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        }


def pointer_id(alert_index: str, alert_id: str) -> str:
    """The id of the outbox pointer to the alert `alert_id` saved in `alert_index`."""
    return f"{alert_index}:{alert_id}"


def mark_actions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bulk actions marking the alerts behind `messages` unpublished and queueing them."""
    saved_at = utc_now().isoformat()
    actions = []
    for body in messages:
        actions.append(
            {
                "_op_type": "update",
                "_index": body["_index"],
                "_id": body["_id"],
                "doc": {UNPUBLISHED_FIELD: True},
            }
        )
        actions.append(
            {
                "_op_type": "index",
                "_index": OUTBOX_INDEX,
                "_id": pointer_id(body["_index"], body["_id"]),
                "_source": {
                    "alert_index": body["_index"],
                    "alert_id": body["_id"],
                    "saved_at": saved_at,
                },
            }
        )
    return actions


def drain_outbox(store: EventStore, publisher: Publisher) -> tuple[int, int]:
    """Publish the alerts waiting in the outbox; return (published, still unpublished)."""
    with _outbox_lock(store.url) as acquired:
        if not acquired:
            log.info("another process is draining the alert outbox; skipping")
            return 0, 0
        pointers, waiting = _read_outbox(store)
        if not pointers:
            return 0, 0
        pending, stale = _pending_alerts(store, pointers)
        failed = publisher.publish(pending)
        failed_keys = {(body["_index"], body["_id"]) for body in failed}
        done = [body for body in pending if (body["_index"], body["_id"]) not in failed_keys]
        _settle(store, done, stale)
        if done:
            log.info("published %d alert(s) from the outbox", len(done))
        return len(done), waiting - len(done) - len(stale)


def _read_outbox(store: EventStore) -> tuple[list[dict[str, Any]], int]:
    """The oldest pointers (at most DRAIN_BATCH) and how many there are in all."""
    request = {
        "query": {"match_all": {}},
        "size": DRAIN_BATCH,
        "sort": [{"saved_at": {"order": "asc"}}],
        "track_total_hits": True,
    }
    result = store.search(OUTBOX_INDEX, request, ignore_unavailable=True)
    hits = result["hits"]["hits"]
    return [hit["_source"] for hit in hits], result["hits"]["total"]["value"]


def _pending_alerts(
    store: EventStore, pointers: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Messages for the marked alerts `pointers` name, and the ids of stale pointers."""
    pending, stale = [], []
    for pointer in pointers:
        index, alert_id = pointer["alert_index"], pointer["alert_id"]
        source = _saved_alert(store, index, alert_id)
        if source is None or not source.get(UNPUBLISHED_FIELD):
            stale.append(pointer_id(index, alert_id))
        else:
            pending.append(message_body(alert_id, index, source))
    return pending, stale


def _saved_alert(store: EventStore, index: str, alert_id: str) -> dict[str, Any] | None:
    """The saved alert's source, or None (and a warning) if it no longer exists."""
    try:
        found = store.get(index, alert_id)
    except IndexNotFoundError:
        found = {"found": False}
    if not found.get("found"):
        log.warning("alert %s/%s in the outbox no longer exists; dropping it", index, alert_id)
        return None
    return found["_source"]


def _settle(store: EventStore, published: list[dict[str, Any]], stale: list[str]) -> None:
    """Rewrite `published` alerts without the mark, and delete their and `stale` pointers."""
    actions: list[dict[str, Any]] = []
    for body in published:
        actions.append(
            {
                "_op_type": "index",
                "_index": body["_index"],
                "_id": body["_id"],
                "_source": body["_source"],
            }
        )
        actions.append(_delete_pointer(pointer_id(body["_index"], body["_id"])))
    actions.extend(_delete_pointer(stale_id) for stale_id in stale)
    if not actions:
        return
    result = store.bulk(actions, refresh=True)
    if result.get("errors"):
        _raise_bulk_errors(result, "clearing the outbox of published alerts")


def _delete_pointer(pointer: str) -> dict[str, Any]:
    return {"_op_type": "delete", "_index": OUTBOX_INDEX, "_id": pointer}


def adopt_marked_alerts(store: EventStore) -> int:
    """Queue every alert marked unpublished that has no outbox pointer; return how many.

    Reads every saved alert: an operator's repair (e.g. after an upgrade from a version
    without the outbox index), never part of a run.
    """
    marked = [
        {"_index": hit["_index"], "_id": hit["_id"]}
        for hit in store.scan(
            "alerts", {"query": {"term": {UNPUBLISHED_FIELD: True}}}, ignore_unavailable=True
        )
    ]
    if not marked:
        return 0
    result = store.bulk(mark_actions(marked), refresh=True)
    if result.get("errors"):
        _raise_bulk_errors(result, "queueing marked alerts in the outbox")
    return len(marked)


def _raise_bulk_errors(result: dict[str, Any], doing: str) -> None:
    """Raise StoreError describing the failed items of a bulk `result`."""
    failures = [
        f"{item['_index']}/{item['_id']}: {item['error'].get('reason')}"
        for entry in result.get("items", [])
        for item in entry.values()
        if "error" in item
    ]
    raise StoreError(f"bulk write failed while {doing}: {'; '.join(failures[:5])}")


def _lock_path(store_url: str) -> Path:
    # An in-memory store lives in one process, so its outbox lock is per process too.
    scope = f"{store_url}#{os.getpid()}" if store_url.startswith("memory:") else store_url
    digest = hashlib.sha1(scope.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"vigil-outbox-{digest}.lock"


@contextmanager
def _outbox_lock(store_url: str) -> Iterator[bool]:
    """Hold the outbox of `store_url` exclusively, or yield False if someone else does."""
    if not _thread_lock.acquire(blocking=False):
        yield False
        return
    try:
        with open(_lock_path(store_url), "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        _thread_lock.release()
