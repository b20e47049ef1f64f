"""Publishing saved alerts to the broker, and the outbox of alerts that could not be.

An alert is saved first and published after. When publishing fails (broker down after
retries, a confirm refused), the saved alert document is marked with
``UNPUBLISHED_FIELD: true``. At the start of every alert run, `drain_outbox` publishes
every marked alert and rewrites it without the mark, so an alert is never lost and, once
its publish is confirmed, never sent again. One process drains at a time (a lock file
per store), so two workers on one host never publish the same outstanding alert twice.

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
from lib.errors import StoreError
from lib.store.base import EventStore

log = logging.getLogger(__name__)

#: Field set to true on a saved alert document whose publish failed.
UNPUBLISHED_FIELD = "vigil_unpublished"

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


def mark_actions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bulk update actions marking the saved alerts behind `messages` unpublished."""
    return [
        {
            "_op_type": "update",
            "_index": body["_index"],
            "_id": body["_id"],
            "doc": {UNPUBLISHED_FIELD: True},
        }
        for body in messages
    ]


def drain_outbox(store: EventStore, publisher: Publisher) -> tuple[int, int]:
    """Publish every alert marked unpublished; return (published, still unpublished)."""
    with _outbox_lock(store.url) as acquired:
        if not acquired:
            log.info("another process is draining the alert outbox; skipping")
            return 0, 0
        pending = [
            message_body(hit["_id"], hit["_index"], hit["_source"])
            for hit in store.scan(
                "alerts", {"query": {"term": {UNPUBLISHED_FIELD: True}}}, ignore_unavailable=True
            )
        ]
        if not pending:
            return 0, 0
        failed = publisher.publish(pending)
        failed_ids = {body["_id"] for body in failed}
        done = [body for body in pending if body["_id"] not in failed_ids]
        _clear_marks(store, done)
        if done:
            log.info("published %d alert(s) from the outbox", len(done))
        return len(done), len(failed)


def _clear_marks(store: EventStore, published: list[dict[str, Any]]) -> None:
    if not published:
        return
    actions = [
        {
            "_op_type": "index",
            "_index": body["_index"],
            "_id": body["_id"],
            "_source": body["_source"],
        }
        for body in published
    ]
    result = store.bulk(actions, refresh=True)
    if result.get("errors"):
        _raise_bulk_errors(result, "clearing the unpublished mark of alerts")


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
