"""Group commit: the bulk writes of concurrent requests share one store call.

Each store write has a fixed cost (for the embedded store, one SQLite transaction) that
dwarfs the cost of one small event. When several requests of one worker process
arrive together, the first becomes the leader: it takes every waiting request's
actions (up to `max_actions`), writes them with one `bulk()`, hands each request its
own slice of the per-item results, and passes leadership to the next waiting request.
Nobody waits for a timer: a lone request is written at once.

Per-item results are what separate calls would give (the store reports every action on
its own); a store error fails every request of that call (an unexpected exception is
passed on as a StoreError, so no waiting request hangs).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from lib.errors import StoreError
from lib.store.base import Body, EventStore

DEFAULT_MAX_ACTIONS = 5000


class _Job:
    """One request's actions, and its outcome once written."""

    def __init__(self, actions: list[Body]):
        self.actions = actions
        self.wake = threading.Event()
        self.lead = False
        self.done = False
        self.result: Body | None = None
        self.error: StoreError | None = None

    def finish(self, result: Body | None, error: StoreError | None) -> None:
        self.result, self.error, self.done = result, error, True
        self.wake.set()

    def outcome(self) -> Body:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class GroupCommit:
    """A `bulk()` with the store's semantics whose concurrent callers share store calls."""

    def __init__(self, store: Callable[[], EventStore], max_actions: int = DEFAULT_MAX_ACTIONS):
        self._store = store
        self.max_actions = max_actions
        self._lock = threading.Lock()
        self._queue: list[_Job] = []
        self._busy = False

    def bulk(self, actions: list[Body]) -> Body:
        """Run `actions` (possibly with other callers'); this caller's bulk answer."""
        job = _Job(actions)
        with self._lock:
            self._queue.append(job)
            if not self._busy:
                self._busy = job.lead = True
        while not job.done:
            if job.lead:
                self._lead(job)
            else:
                job.wake.wait()
                job.wake.clear()
        return job.outcome()

    def _lead(self, job: _Job) -> None:
        batch = self._take()
        self._write(batch)
        with self._lock:
            job.lead = False
            if self._queue:
                successor = self._queue[0]
                successor.lead = True
                successor.wake.set()
            else:
                self._busy = False

    def _take(self) -> list[_Job]:
        with self._lock:
            count, taken = 0, 0
            for queued in self._queue:
                if taken and count + len(queued.actions) > self.max_actions:
                    break
                count += len(queued.actions)
                taken += 1
            batch, self._queue = self._queue[:taken], self._queue[taken:]
        return batch

    def _write(self, batch: list[_Job]) -> None:
        try:
            result = self._store().bulk([a for job in batch for a in job.actions])
        except Exception as exc:  # every waiting request must hear of it, not hang
            error = (
                exc if isinstance(exc, StoreError) else StoreError(f"bulk write failed: {exc!r}")
            )
            error.__cause__ = exc if error is not exc else exc.__cause__
            for job in batch:
                job.finish(None, error)
            return
        start = 0
        for job in batch:
            items = result["items"][start : start + len(job.actions)]
            start += len(job.actions)
            job.finish(_answer(result, items), None)


def _answer(result: Body, items: list[Any]) -> Body:
    errors = any("error" in body for item in items for body in item.values())
    return {"took": result.get("took", 0), "errors": errors, "items": items}
