"""Fixtures for the alert-lifecycle tests: a fresh embedded store and broker per test."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kombu
import pytest
from freezegun import freeze_time

import lib.alerttask
from lib import messaging
from lib.store import open_store
from lib.store.base import EventStore

from ..broker import RABBITMQ_URL, rabbitmq_or_skip

FROZEN_NOW = "2017-01-01 01:00:00"
STORE_METHODS = ("index", "bulk", "get", "search", "scan", "refresh")


def make_event(**overrides: Any) -> dict[str, Any]:
    """A failed-ssh-login event one minute before the frozen now, with `overrides` merged."""
    event: dict[str, Any] = {
        "utctimestamp": "2017-01-01T00:59:00+00:00",
        "receivedtimestamp": "2017-01-01T00:59:00+00:00",
        "timestamp": "2017-01-01T00:59:00+00:00",
        "hostname": "ip-10-77-20-248",
        "processname": "sshd",
        "severity": "INFO",
        "category": "syslog",
        "tags": ["syslog"],
        "summary": "Failed password for invalid user admin from 1.2.3.4 port 4444 ssh2",
        "details": {"program": "sshd", "sourceipaddress": "1.2.3.4", "username": "admin"},
    }
    for key, value in overrides.items():
        if key == "details":
            event["details"] = {**event["details"], **value}
        else:
            event[key] = value
    return event


def load_events(store: EventStore, events: list[dict[str, Any]]) -> None:
    """Save `events` to the `events` index in one bulk call and make them searchable."""
    result = store.bulk([{"_index": "events", "_source": event} for event in events])
    assert not result["errors"], result
    store.refresh()


@pytest.fixture
def frozen() -> Iterator[None]:
    """Freeze the clock at 2017-01-01 01:00:00 UTC (MozDef's harness time)."""
    with freeze_time(FROZEN_NOW, tz_offset=0):
        yield


@pytest.fixture
def embedded_broker(tmp_path: Path) -> dict[str, Any]:
    """MozDef's RABBITMQ dict for a private embedded broker and exchange."""
    return {
        "url": "",
        "data_folder": str(tmp_path / "broker"),
        "alertexchange": f"alerts-test-{uuid.uuid4().hex}",
        "alertqueue": "mozdef.alert",
    }


@pytest.fixture
def rabbitmq_broker() -> dict[str, Any]:
    """MozDef's RABBITMQ dict for the real RabbitMQ with a private exchange.

    Skips when RabbitMQ is down, unless VIGIL_REQUIRE_RABBITMQ is set (CI): then it fails.
    """
    rabbitmq_or_skip()
    return {
        "url": RABBITMQ_URL,
        "alertexchange": f"alerts-test-{uuid.uuid4().hex}",
        "alertqueue": "mozdef.alert",
        "publish_retries": 1,
    }


@pytest.fixture
def store_url() -> str:
    """A private in-memory store URL."""
    return f"memory://alerts-{uuid.uuid4().hex}"


@pytest.fixture
def store(store_url: str) -> EventStore:
    """The private in-memory store behind `store_url`."""
    return open_store(store_url)


@pytest.fixture
def settings(
    monkeypatch: pytest.MonkeyPatch, store_url: str, embedded_broker: dict[str, Any]
) -> dict[str, Any]:
    """Point lib.alerttask at the private store and embedded broker, with no plugins."""
    monkeypatch.setattr(lib.alerttask, "ES", {"servers": [store_url]})
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", embedded_broker)
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [])
    return embedded_broker


class AlertQueue:
    """A queue bound to the alert exchange, read message by message (basic_get)."""

    def __init__(self, rabbitmq: dict[str, Any]) -> None:
        self.rabbitmq = rabbitmq
        self.queue = kombu.Queue(
            f"test-{uuid.uuid4().hex}",
            exchange=messaging.alert_exchange(rabbitmq),
            routing_key=messaging.alert_routing_key(rabbitmq),
            durable=False,
            expires=120,
        )
        with messaging.connection(rabbitmq) as conn:
            self.queue(conn.channel()).declare()

    def drain(self) -> list[dict[str, Any]]:
        """Every message waiting on the queue, acknowledged, as parsed JSON bodies."""
        bodies = []
        with messaging.connection(self.rabbitmq) as conn:
            bound = self.queue(conn.channel())
            while (message := bound.get(no_ack=True)) is not None:
                bodies.append(json.loads(message.body))
        return bodies


@pytest.fixture
def alert_queue(settings: dict[str, Any]) -> AlertQueue:
    """A queue on the embedded broker's alert exchange, bound before the alert runs."""
    return AlertQueue(settings)


def count_store_calls(store: EventStore) -> Counter[str]:
    """Count the contract calls made on `store` from now on (outermost calls only).

    The store's class is swapped for a thin subclass that counts, then calls the real
    method; nested calls the store makes on itself are not counted.
    """
    calls: Counter[str] = Counter()
    depth = [0]
    base = type(store)

    def counting(name: str) -> Callable[..., Any]:
        def method(self: EventStore, *args: Any, **kwargs: Any) -> Any:
            if depth[0] == 0:
                calls[name] += 1
            depth[0] += 1
            try:
                return getattr(base, name)(self, *args, **kwargs)
            finally:
                depth[0] -= 1

        return method

    store.__class__ = type(
        f"Counting{base.__name__}", (base,), {n: counting(n) for n in STORE_METHODS}
    )
    return calls


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], str]:
    """Write a plugin module into a private package; returns its dotted module name."""
    package = f"testplugins_{uuid.uuid4().hex}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name: str, source: str) -> str:
        (tmp_path / package / f"{name}.py").write_text(source)
        return f"{package}.{name}"

    return write
