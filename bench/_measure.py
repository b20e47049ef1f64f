"""Measuring tools shared by the benchmarks: peak memory, wall time, store operations.

`PeakMemory` reports the process's peak resident set size while a measured part runs
(and how far it rose above where it started): Linux's high-water mark (``VmHWM``) is
reset to the current size through ``/proc/self/clear_refs`` first, so memory the process
used earlier (building a store) does not count. Where that reset is not allowed it falls
back to `resource.getrusage`'s ``ru_maxrss`` (the peak since the process started, an
upper bound); `method` says which was used. The absolute peak includes the interpreter
and everything already loaded, so it over-states what the measured part needs; the
growth can under-state it (freed memory the allocator kept is reused unseen).

`wall_clock` times code that runs under a frozen clock.

`CountingStore` is the real embedded store, counting the calls made to each operation
of the store contract (nothing else changes).
"""

from __future__ import annotations

import math
import resource
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lib.store.embedded import EmbeddedStore

_PROC = Path("/proc/self")


class PeakMemory:
    """Peak resident memory, in MB, between `start()` and `peak_mb()` / `growth_mb()`."""

    def __init__(self) -> None:
        self.method = "VmHWM after clear_refs"
        self._base_kb = 0

    def start(self) -> None:
        """Take the current resident size as the base; reset the high-water mark if allowed."""
        try:
            (_PROC / "clear_refs").write_text("5")
        except OSError:
            self.method = "ru_maxrss"
        self._base_kb = _status_kb("VmRSS")

    def peak_mb(self) -> float:
        """The highest resident size since `start()`, in MB."""
        peak = _status_kb("VmHWM") if self.method.startswith("VmHWM") else _maxrss_kb()
        return peak / 1024

    def growth_mb(self) -> float:
        """How many MB above the size at `start()` the peak was."""
        return self.peak_mb() - self._base_kb / 1024


def _status_kb(key: str) -> int:
    for line in (_PROC / "status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {key}")


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class CountingStore(EmbeddedStore):
    """The embedded store, counting calls to the store contract's operations."""

    def __init__(self, url: str, database: str) -> None:
        super().__init__(url, database)
        self.calls: Counter[str] = Counter()

    @property
    def total(self) -> int:
        """Store operations called since the counter was last cleared."""
        return sum(self.calls.values())

    def search(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls["search"] += 1
        return super().search(*args, **kwargs)

    def scan(self, *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls["scan"] += 1
        return super().scan(*args, **kwargs)

    def bulk(self, actions: Iterable[dict[str, Any]], refresh: bool = False) -> dict[str, Any]:
        self.calls["bulk"] += 1
        return super().bulk(actions, refresh)

    def index(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls["index"] += 1
        return super().index(*args, **kwargs)

    def get(self, index: str, id: str) -> dict[str, Any]:
        self.calls["get"] += 1
        return super().get(index, id)

    def refresh(self, index: str | list[str] | None = None) -> None:
        self.calls["refresh"] += 1
        super().refresh(index)

    def create_index(self, index: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        self.calls["create_index"] += 1
        return super().create_index(index, body)

    def delete_index(self, index: str) -> dict[str, Any]:
        self.calls["delete_index"] += 1
        return super().delete_index(index)

    def put_alias(self, index: str | list[str], alias: str) -> dict[str, Any]:
        self.calls["put_alias"] += 1
        return super().put_alias(index, alias)

    def delete_alias(self, index: str | list[str], alias: str) -> dict[str, Any]:
        self.calls["delete_alias"] += 1
        return super().delete_alias(index, alias)


def wall_clock() -> float:
    """Seconds on the monotonic clock, read past freezegun (which freezes perf_counter)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile of `values` (nearest rank); NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]
