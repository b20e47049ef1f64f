"""Messaging: the kombu connection, exchange and routing key that alerts travel on.

One place decides what "the broker" is. With an ``amqp://`` URL (``VIGIL_BROKER_URL`` or
MozDef's ``RABBITMQ`` dict) it is RabbitMQ, with publisher confirms switched on. Without
one it is the embedded broker: kombu's filesystem transport under ``data_folder`` (or
``config.EMBEDDED_BROKER_DIR``). That transport works across processes as long as every
publisher declares the exchange (its type lives in the publishing process) and every
consumer binds its queue (bindings live in ``<data_folder>/control``).

Used by the publisher, the test harness, the actions worker and the celery settings.
"""

from __future__ import annotations

from pathlib import Path

import kombu

from lib import config

DEFAULT_EXCHANGE = "alerts"
DEFAULT_ROUTING_KEY = "mozdef.alert"
CONNECT_TIMEOUT_SECONDS = 5


def _settings(rabbitmq: dict | None) -> dict:
    return config.RABBITMQ if rabbitmq is None else rabbitmq


def is_embedded(rabbitmq: dict | None = None) -> bool:
    """True when `rabbitmq` names no broker, so the embedded transport is used."""
    return config.broker_url(_settings(rabbitmq)).startswith("filesystem:")


def embedded_folder(rabbitmq: dict | None = None) -> Path:
    """The directory the embedded transport keeps its messages and bindings in."""
    folder = _settings(rabbitmq).get("data_folder") or config.EMBEDDED_BROKER_DIR
    return Path(folder)


def connection(rabbitmq: dict | None = None) -> kombu.Connection:
    """A (not yet connected) kombu connection to the broker `rabbitmq` describes."""
    settings = _settings(rabbitmq)
    if is_embedded(settings):
        return _embedded_connection(embedded_folder(settings))
    return kombu.Connection(
        config.broker_url(settings),
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        transport_options={"confirm_publish": True},
    )


def _embedded_connection(folder: Path) -> kombu.Connection:
    control = folder / "control"
    control.mkdir(parents=True, exist_ok=True)
    return kombu.Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(control),
        },
    )


def alert_exchange(rabbitmq: dict | None = None) -> kombu.Exchange:
    """The durable topic exchange alerts are published to."""
    name = _settings(rabbitmq).get("alertexchange") or DEFAULT_EXCHANGE
    return kombu.Exchange(name=name, type="topic", durable=True)


def alert_routing_key(rabbitmq: dict | None = None) -> str:
    """The routing key alerts are published with (MozDef's ``alertqueue``)."""
    return str(_settings(rabbitmq).get("alertqueue") or DEFAULT_ROUTING_KEY)
