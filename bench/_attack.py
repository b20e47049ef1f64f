"""A brute-force attack window: deterministic events and the truth an alert must report.

`AttackWindow` lays out the events of one alert window (default: 50,000 events in the
20 minutes before `now`, from 500 source addresses). The first `attackers` addresses
make at least `threshold` failed sshd authentications each (500, 525, ... attempts);
every other address makes fewer (its number modulo `threshold`); the rest of the window
is sshd traffic from the same addresses that the brute-force query does not match
("Accepted ...", "Invalid user ...", "Connection closed ..."). Events come from the
auth.log templates of `bench.eventgen`, with the source address, host name and times
replaced. Which template matches is decided here from the template alone (sshd,
``success: false``, the word "failed" in the summary), never by asking the store.

The same arguments always give the same events and the same `Truth`.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import orjson

from bench.eventgen import templates

SEED = 6_2017
HOSTS = 20
_FAILED = re.compile(r"\bfailed\b", re.IGNORECASE)
_FAIL = re.compile(r"fail", re.IGNORECASE)


@dataclass
class Truth:
    """What the brute-force alert must find: attempts per address, hosts per attacker."""

    threshold: int
    attempts: Counter[str] = field(default_factory=Counter)
    hosts: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def alerting(self) -> dict[str, int]:
        """Addresses at or over the threshold, with their attempt counts."""
        return {ip: n for ip, n in self.attempts.items() if n >= self.threshold}

    @property
    def tagged(self) -> int:
        """How many events the alerts must tag (every attempt of every alerting address)."""
        return sum(self.alerting.values())

    def record(self, ip: str, hostname: str) -> None:
        """Count one matching attempt by `ip` on `hostname`."""
        self.attempts[ip] += 1
        self.hosts.setdefault(ip, Counter())[hostname] += 1


@dataclass(frozen=True)
class AttackWindow:
    """The events of one alert window ending at `now` (see module doc)."""

    now: datetime
    minutes: int = 20
    total: int = 50_000
    sources: int = 500
    attackers: int = 20
    threshold: int = 10
    seed: int = SEED

    @cached_property
    def addresses(self) -> list[str]:
        """The window's distinct source addresses (public-looking IPv4, never loopback)."""
        rng = random.Random(self.seed)
        found: dict[str, None] = {}
        while len(found) < self.sources:
            first = rng.choice([n for n in range(1, 224) if n not in (10, 127)])
            found[f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"] = (
                None
            )
        return list(found)

    def attempts_of(self, position: int) -> int:
        """Failed authentications planned for the address at `position`."""
        if position < self.attackers:
            return 500 + 25 * position
        return position % self.threshold

    def events(self, truth: Truth | None = None) -> Iterator[dict[str, Any]]:
        """The window's events in time order; `truth` (if given) counts the matching ones."""
        rng = random.Random(self.seed + 1)
        slots = self._slots(rng)
        matching, other = split_templates()
        start = _ms(self.now - timedelta(minutes=self.minutes)) + 30_000
        span = _ms(self.now) - 30_000 - start
        for number, (ip, attempt) in enumerate(slots):
            template = rng.choice(matching if attempt else other)
            hostname = f"ip-10-77-20-{rng.randrange(HOSTS) + 1}"
            millis = start + span * number // max(len(slots) - 1, 1)
            if attempt and truth is not None:
                truth.record(ip, hostname)
            yield _event(template, ip, hostname, millis, rng.randrange(3000))

    def truth(self) -> Truth:
        """The truth of `events()`, computed by generating them once."""
        truth = Truth(self.threshold)
        for _ in self.events(truth):
            pass
        return truth

    def _slots(self, rng: random.Random) -> list[tuple[str, bool]]:
        slots = [
            (ip, True)
            for position, ip in enumerate(self.addresses)
            for _ in range(self.attempts_of(position))
        ]
        if len(slots) > self.total:
            raise ValueError(f"{len(slots)} attempts do not fit a window of {self.total} events")
        slots += [(rng.choice(self.addresses), False) for _ in range(self.total - len(slots))]
        rng.shuffle(slots)
        return slots


def split_templates() -> tuple[list[bytes], list[bytes]]:
    """auth.log templates with a source address: (brute-force matches, plainly not)."""
    matching, other = [], []
    for raw in templates():
        event = orjson.loads(raw)
        details = event["details"]
        if details.get("program") != "sshd" or not details.get("sourceipaddress"):
            continue
        if details.get("success") is False and _FAILED.search(event["summary"]):
            matching.append(raw)
        elif not _FAIL.search(event["summary"]):
            other.append(raw)
    return matching, other


def failed_attempts(ip: str, count: int, now: datetime, minutes: int) -> Iterator[dict]:
    """`count` matching attempts by `ip`, spread over the `minutes` before `now`."""
    rng = random.Random(f"{SEED}-{ip}")
    matching, _ = split_templates()
    start = _ms(now - timedelta(minutes=minutes)) + 30_000
    span = _ms(now) - 30_000 - start
    for number in range(count):
        millis = start + span * number // max(count - 1, 1)
        hostname = f"ip-10-77-20-{rng.randrange(HOSTS) + 1}"
        yield _event(rng.choice(matching), ip, hostname, millis, rng.randrange(3000))


def daily_index(event: dict[str, Any]) -> str:
    """The daily events index an event belongs to (by its own UTC date)."""
    return "events-" + event["utctimestamp"][:10].replace("-", "")


def _event(template: bytes, ip: str, hostname: str, millis: int, delay: int) -> dict[str, Any]:
    event = orjson.loads(template)
    old = event["details"]["sourceipaddress"]
    event["details"]["sourceipaddress"] = ip
    event["summary"] = event["summary"].replace(old, ip)
    event["hostname"] = hostname
    event["utctimestamp"] = event["timestamp"] = _iso(millis)
    event["receivedtimestamp"] = _iso(millis + delay)
    return event


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _iso(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="milliseconds")
