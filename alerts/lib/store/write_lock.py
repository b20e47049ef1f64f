"""The embedded store's cross-process write lock: writers queue on a lock file.

SQLite admits one writer at a time. A writer that finds the database locked waits in
SQLite's busy handler, which polls with sleeps growing to 100 ms, so two busy
processes (loginput's workers, an alert worker, `vigil ingest`) spend much of their
time asleep while the lock is free. Writers of an on-disk store therefore first take
an exclusive `flock` on ``<database>-writelock``: the kernel hands the lock to the
next waiting writer the moment it is released. SQLite's own locking and busy timeout
stay underneath, unchanged, for any writer that does not take this lock.

The lock file is opened once per process (a forked child opens its own: a flock
belongs to the open file, which a fork would share) and never deleted.
"""

from __future__ import annotations

import fcntl
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

SUFFIX = "-writelock"


class WriteLock:
    """An exclusive lock shared by every process writing one database file."""

    def __init__(self, database: str):
        self.path = database + SUFFIX
        self._fd: int | None = None
        self._finalizer: weakref.finalize | None = None
        self._pid = 0
        self._depth = 0  # a nested `held` (same thread, under the store's RLock) is free

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the body of the `with` (blocks until it is free)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        fd = self._handle()
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._depth = 1
        try:
            yield
        finally:
            self._depth = 0
            fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file (the next `held` reopens it)."""
        if self._finalizer is not None:
            self._finalizer()  # closes the descriptor once
        self._fd = self._finalizer = None

    def _handle(self) -> int:
        pid = os.getpid()
        if self._fd is None or self._pid != pid:
            # A plain descriptor, kept open across calls and closed when the lock is
            # dropped (in a forked child the parent's descriptor is left alone).
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._finalizer = weakref.finalize(self, os.close, self._fd)
            self._pid = pid
            self._depth = 0
        return self._fd
