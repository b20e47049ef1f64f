"""Deterministic MozDef-shaped events built from real auth.log lines, for benchmarks.

The templates are the lines of ``../shared/data/auth.log`` (next to the repository;
``VIGIL_AUTH_LOG`` overrides the path) parsed as `vigil ingest` parses them
(`lib.syslog`). `generate` replicates them over any time span with shifted times,
varied source addresses (a skewed pool, so a few addresses dominate as in a real
attack) and varied host names. The same arguments always give the same events.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from lib.errors import DocumentError
from lib.syslog import parse_line, to_event

SEED = 20170327
ADDRESS_POOL = 5_000
HOSTS = 20
_REPO = Path(__file__).resolve().parent.parent


def auth_log_path() -> Path:
    """Where the auth.log lines come from (``VIGIL_AUTH_LOG`` or ../shared/data/auth.log)."""
    override = os.environ.get("VIGIL_AUTH_LOG")
    return Path(override) if override else _REPO.parent / "shared" / "data" / "auth.log"


@lru_cache(maxsize=4)
def templates(path: str | None = None) -> tuple[bytes, ...]:
    """The auth.log lines as MozDef events (JSON bytes), in file order."""
    source = Path(path) if path else auth_log_path()
    events = []
    for line in source.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            message = parse_line(line, year=2017)
        except DocumentError:
            continue
        event = to_event(message, "authlog")
        event.update(
            category="authentication" if event["details"].get("program") == "sshd" else "syslog"
        )
        event.update(mozdefhostname="vigil-bench", eventsource="systemslogs", tags=["authlog"])
        events.append(orjson.dumps(event))
    if not events:
        raise ValueError(f"no syslog lines in {source}")
    return tuple(events)


def generate(
    count: int, start_ms: int, end_ms: int, seed: int = SEED, path: str | None = None
) -> Iterator[dict[str, Any]]:
    """`count` events with times spread evenly (in order) over [start_ms, end_ms]."""
    rng = random.Random(seed)
    pool = _addresses(rng)
    lines = templates(path)
    span = max(end_ms - start_ms, 0)
    for number in range(count):
        millis = start_ms + (span * number) // max(count - 1, 1)
        event = orjson.loads(lines[rng.randrange(len(lines))])
        yield _vary(event, millis, rng, pool)


def _vary(
    event: dict[str, Any], millis: int, rng: random.Random, pool: list[str]
) -> dict[str, Any]:
    stamp = _iso(millis)
    event["utctimestamp"] = event["timestamp"] = stamp
    event["receivedtimestamp"] = _iso(millis + rng.randrange(3000))
    event["hostname"] = f"ip-10-77-20-{rng.randrange(HOSTS) + 1}"
    details = event["details"]
    old = details.get("sourceipaddress")
    if old:
        new = pool[min(int(rng.paretovariate(0.6)) - 1, len(pool) - 1)]
        details["sourceipaddress"] = new
        event["summary"] = event["summary"].replace(old, new)
    return event


def _addresses(rng: random.Random) -> list[str]:
    return [
        f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        for _ in range(ADDRESS_POOL)
    ]


def _iso(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="milliseconds")
