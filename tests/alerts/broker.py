"""The alert test harness's broker: where a test run's alerts are published and captured.

Each test case gets its own exchange, ``alerts-test-<uuid>``, so concurrent runs never
see each other's messages. The exchange lives on the real RabbitMQ at 127.0.0.1:5672
when it is reachable, and on the embedded transport (kombu's filesystem transport in a
temporary folder) otherwise. With ``VIGIL_REQUIRE_RABBITMQ=1`` (set in CI) an unreachable
RabbitMQ fails the test instead of falling back; with ``VIGIL_TEST_EMBEDDED_BROKER=1`` the
embedded transport is used even when RabbitMQ runs (to test that path on a machine
that has one). Tests that need the real RabbitMQ call `rabbitmq_or_skip()`, which obeys
``VIGIL_REQUIRE_RABBITMQ`` the same way.

Before the alert runs, `AlertMessageCapture` binds a queue to the exchange with the
alert routing key; afterwards `messages()` returns every alert message that arrived.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import kombu
import pytest

from lib import messaging

RABBITMQ_HOST = "127.0.0.1"
RABBITMQ_PORT = 5672
RABBITMQ_URL = f"amqp://guest:guest@{RABBITMQ_HOST}:{RABBITMQ_PORT}//"
REQUIRE_RABBITMQ_ENV = "VIGIL_REQUIRE_RABBITMQ"
FORCE_EMBEDDED_ENV = "VIGIL_TEST_EMBEDDED_BROKER"
ROUTING_KEY = "mozdef.alert"


class RabbitMQUnavailable(RuntimeError):
    """RabbitMQ is required (VIGIL_REQUIRE_RABBITMQ=1) but does not answer."""


@functools.cache
def rabbitmq_reachable() -> bool:
    """True if something accepts connections on RabbitMQ's port (checked once per run)."""
    try:
        with socket.create_connection((RABBITMQ_HOST, RABBITMQ_PORT), timeout=1):
            return True
    except OSError:
        return False


def rabbitmq_required() -> bool:
    """True when the environment demands the real RabbitMQ (CI sets it)."""
    return _flag(REQUIRE_RABBITMQ_ENV)


def embedded_forced() -> bool:
    """True when the environment asks for the embedded transport whatever runs."""
    return _flag(FORCE_EMBEDDED_ENV)


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def use_rabbitmq() -> bool:
    """Whether this test run publishes to RabbitMQ; raises if it must and cannot."""
    if rabbitmq_required():
        if embedded_forced():
            raise RabbitMQUnavailable(
                f"{REQUIRE_RABBITMQ_ENV} and {FORCE_EMBEDDED_ENV} are both set; unset one"
            )
        if not rabbitmq_reachable():
            raise RabbitMQUnavailable(
                f"{REQUIRE_RABBITMQ_ENV} is set but RabbitMQ does not answer on "
                f"{RABBITMQ_HOST}:{RABBITMQ_PORT}; start it (rabbitmq-server -detached) "
                f"or unset {REQUIRE_RABBITMQ_ENV} to use the embedded transport"
            )
        return True
    return not embedded_forced() and rabbitmq_reachable()


def rabbitmq_or_skip() -> None:
    """For tests that need the real RabbitMQ: skip when it is down, fail if it is required."""
    if rabbitmq_reachable():
        return
    where = f"{RABBITMQ_HOST}:{RABBITMQ_PORT}"
    if rabbitmq_required():
        pytest.fail(f"{REQUIRE_RABBITMQ_ENV} is set but RabbitMQ does not answer on {where}")
    pytest.skip(f"RabbitMQ is not running on {where}")


def describe_broker() -> str:
    """One line saying where this test run's alert messages go."""
    try:
        if use_rabbitmq():
            return f"alert harness broker: RabbitMQ at {RABBITMQ_HOST}:{RABBITMQ_PORT}"
    except RabbitMQUnavailable as exc:
        return f"alert harness broker: UNAVAILABLE ({exc})"
    return "alert harness broker: embedded (kombu filesystem transport)"


def harness_rabbitmq(data_folder: Path) -> dict[str, Any]:
    """MozDef's RABBITMQ settings for one test case: a fresh exchange on the chosen broker."""
    settings: dict[str, Any] = {
        "alertexchange": f"alerts-test-{uuid.uuid4().hex}",
        "alertqueue": ROUTING_KEY,
    }
    if use_rabbitmq():
        return {**settings, "url": RABBITMQ_URL}
    return {**settings, "url": "", "data_folder": str(data_folder)}


def broker_kind(rabbitmq: dict[str, Any]) -> str:
    """'rabbitmq' or 'embedded': which broker `rabbitmq` settings point at."""
    return "embedded" if messaging.is_embedded(rabbitmq) else "rabbitmq"


class AlertMessageCapture:
    """A queue bound to the alert exchange that collects the alerts a run publishes."""

    def __init__(self, rabbitmq: dict[str, Any]) -> None:
        self.rabbitmq = rabbitmq
        self._connection: kombu.Connection | None = None
        self._queue: Any = None

    def start(self) -> None:
        """Declare the exchange and bind the capture queue, before the alert runs."""
        exchange = messaging.alert_exchange(self.rabbitmq)
        queue = kombu.Queue(
            f"{exchange.name}-capture",
            exchange=exchange,
            routing_key=messaging.alert_routing_key(self.rabbitmq),
            durable=False,
            exclusive=True,
            auto_delete=True,
        )
        self._connection = messaging.connection(self.rabbitmq)
        self._queue = queue(self._connection.default_channel)
        self._queue.declare()

    def messages(self) -> list[dict[str, Any]]:
        """Every alert message waiting on the capture queue, decoded from JSON."""
        if self._queue is None:
            raise RuntimeError("AlertMessageCapture.messages() called before start()")
        bodies = []
        while (message := self._queue.get(no_ack=True)) is not None:
            bodies.append(_decode(message))
        return bodies

    def close(self) -> None:
        """Delete the queue and the exchange and release the connection."""
        if self._connection is None:
            return
        try:
            self._queue.delete()
            messaging.alert_exchange(self.rabbitmq)(self._connection.default_channel).delete()
        finally:
            self._connection.release()
            self._connection = None
            self._queue = None


def _decode(message: Any) -> dict[str, Any]:
    body = message.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    decoded = json.loads(body) if isinstance(body, str) else body
    if not isinstance(decoded, dict):
        raise AssertionError(f"alert message body is not a JSON object: {body!r}")
    return decoded
