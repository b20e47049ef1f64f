"""The benchmarks' alert broker: a private exchange, and a queue collecting what is published.

`bench_rabbitmq(folder)` gives MozDef's RABBITMQ settings for a fresh exchange on the
embedded transport (kombu's filesystem transport in `folder`), so a benchmark never
touches a real deployment's exchange. `Capture` binds a queue to that exchange before
an alert runs and `ids()` returns the ``_id`` of every alert message that arrived.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import kombu

from lib import messaging


def bench_rabbitmq(folder: Path) -> dict[str, Any]:
    """Settings for a fresh alert exchange on the embedded transport in `folder`."""
    return {
        "url": "",
        "alertexchange": f"alerts-bench-{uuid.uuid4().hex}",
        "alertqueue": "mozdef.alert",
        "data_folder": str(folder),
    }


class Capture:
    """A queue bound to the alert exchange, collecting published alert messages."""

    def __init__(self, rabbitmq: dict[str, Any]) -> None:
        self.rabbitmq = rabbitmq
        self._connection: kombu.Connection | None = None
        self._queue: Any = None

    def __enter__(self) -> Capture:
        exchange = messaging.alert_exchange(self.rabbitmq)
        queue = kombu.Queue(
            f"{exchange.name}-capture",
            exchange=exchange,
            routing_key=messaging.alert_routing_key(self.rabbitmq),
            durable=False,
        )
        self._connection = messaging.connection(self.rabbitmq)
        self._queue = queue(self._connection.default_channel)
        self._queue.declare()
        return self

    def ids(self) -> list[str]:
        """The ``_id`` of every alert message waiting on the queue (consumed)."""
        found = []
        while (message := self._queue.get(no_ack=True)) is not None:
            body = message.body
            found.append(json.loads(body)["_id"] if isinstance(body, str | bytes) else body["_id"])
        return found

    def __exit__(self, *exc: object) -> None:
        if self._connection is not None:
            self._queue.delete()
            self._connection.release()
            self._connection = None
