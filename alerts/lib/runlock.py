"""Run locks: one run at a time per alert, and one run per scheduled tick across workers.

Both guarantees are claims written to the store's ``vigil-locks`` index with a bulk
``create``, which Elasticsearch (and the embedded store) refuse with a version conflict
when the id already exists, so exactly one writer wins however many race:

- the **tick claim** ``<alert>:<tick>`` (tick = the schedule's due time the run belongs
  to: `lib.ticks.tick_for`): two beats on two machines both send the
  task for the same due time; only the worker that creates the claim runs it.
- the **running lease** ``<alert>:running``: held while a run is going and renewed by a
  heartbeat thread; a run that finds a live lease is skipped (never stacked). A lease
  whose holder crashed expires after `lease_seconds` and is taken over by exactly one
  worker (that worker wins the one-shot claim ``<alert>:running:takeover:<token>``).

Claims older than `RETENTION` are pruned after each run. Lease release and renewal
check the holder's token first; a holder that lost its lease by expiry leaves it alone.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from lib.errors import StoreError
from lib.runs import ensure_index, worker_name
from lib.store.base import EventStore
from lib.utctime import utc_now

log = logging.getLogger(__name__)

LOCKS_INDEX = "vigil-locks"
DEFAULT_LEASE_SECONDS = 60.0
RETENTION = timedelta(days=1)

LOCKS_MAPPING: dict[str, Any] = {
    "properties": {
        "alert": {"type": "keyword"},
        "kind": {"type": "keyword"},
        "owner": {"type": "keyword"},
        "token": {"type": "keyword"},
        "tick": {"type": "date"},
        "acquired": {"type": "date"},
        "expires": {"type": "date"},
    }
}


class RunLock:
    """The tick claims and running lease of one alert, kept in `store`."""

    def __init__(
        self, store: EventStore, alert: str, lease_seconds: float = DEFAULT_LEASE_SECONDS
    ) -> None:
        self.store = store
        self.alert = alert
        self.lease_seconds = lease_seconds
        self.owner = worker_name()
        self.token = ""

    @property
    def lease_id(self) -> str:
        """Id of this alert's running lease."""
        return f"{self.alert}:running"

    def claim_tick(self, tick: datetime) -> bool:
        """Claim the run for `tick`; False if another worker already claimed it."""
        expires = max(tick, utc_now()) + RETENTION
        document = self._document("tick", tick=tick.isoformat(), expires=expires)
        return self._create(f"{self.alert}:{tick.isoformat()}", document)

    def acquire(self) -> bool:
        """Take the running lease; False while another run of this alert holds it."""
        self.token = uuid.uuid4().hex
        if self._create(self.lease_id, self._lease_document()):
            return True
        current = self.store.get(LOCKS_INDEX, self.lease_id)
        if not current.get("found"):  # released in between: one more try
            return self._create(self.lease_id, self._lease_document())
        return self._take_over_if_stale(current["_source"])

    def _take_over_if_stale(self, held: dict[str, Any]) -> bool:
        if datetime.fromisoformat(held["expires"]) > utc_now():
            return False
        takeover = self._document("takeover", expires=utc_now() + RETENTION)
        if not self._create(f"{self.lease_id}:takeover:{held['token']}", takeover):
            return False
        log.warning("%s: taking over the expired lease of %s", self.alert, held["owner"])
        self.store.index(LOCKS_INDEX, self._lease_document(), id=self.lease_id)
        return True

    def renew(self) -> bool:
        """Push the lease's expiry forward; False if this run no longer holds it."""
        if not self._holds_lease():
            return False
        self.store.index(LOCKS_INDEX, self._lease_document(), id=self.lease_id)
        return True

    def release(self) -> None:
        """Give the lease back (only if this run still holds it)."""
        if self._holds_lease():
            self.store.bulk([{"_op_type": "delete", "_index": LOCKS_INDEX, "_id": self.lease_id}])

    @contextmanager
    def held(self) -> Iterator[bool]:
        """Hold the lease (renewed in the background) for the block; yields False if busy."""
        if not self.acquire():
            yield False
            return
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(stop,), daemon=True)
        beat.start()
        try:
            yield True
        finally:
            stop.set()
            beat.join()
            self.release()

    def prune(self) -> int:
        """Delete this alert's claims that expired more than a retention period ago."""
        cutoff = (utc_now() - RETENTION).isoformat()
        filters = [{"term": {"alert": self.alert}}, {"range": {"expires": {"lt": cutoff}}}]
        query = {"bool": {"filter": filters}}
        hits = list(self.store.scan(LOCKS_INDEX, {"query": query}, ignore_unavailable=True))
        if hits:
            deletes = [{"_op_type": "delete", "_index": LOCKS_INDEX, "_id": h["_id"]} for h in hits]
            self.store.bulk(deletes)
        return len(hits)

    def _heartbeat(self, stop: threading.Event) -> None:
        while not stop.wait(self.lease_seconds / 3):
            try:
                if not self.renew():
                    log.error("%s: lost its running lease while still running", self.alert)
                    return
            except StoreError:
                log.exception("%s: could not renew its running lease", self.alert)

    def _holds_lease(self) -> bool:
        current = self.store.get(LOCKS_INDEX, self.lease_id)
        return bool(current.get("found")) and current["_source"].get("token") == self.token

    def _lease_document(self) -> dict[str, Any]:
        expires = utc_now() + timedelta(seconds=self.lease_seconds)
        return self._document("running", token=self.token, expires=expires)

    def _document(self, kind: str, expires: datetime, **fields: Any) -> dict[str, Any]:
        document = {"alert": self.alert, "kind": kind, "owner": self.owner, **fields}
        document.update(acquired=utc_now().isoformat(), expires=expires.isoformat())
        return document

    def _create(self, claim_id: str, document: dict[str, Any]) -> bool:
        ensure_index(self.store, LOCKS_INDEX, LOCKS_MAPPING)
        action = {"_op_type": "create", "_index": LOCKS_INDEX, "_id": claim_id}
        result = self.store.bulk([{**action, "_source": document}])
        item = result["items"][0]["create"]
        if "error" not in item:
            return True
        if item.get("status") == 409:
            return False
        raise StoreError(f"could not write lock {claim_id}: {item['error'].get('reason')}")
