"""The actions worker: consumes published alerts and runs the enabled alert actions.

It consumes the durable queue ``alert-actions`` (``VIGIL_ACTIONS_QUEUE``) bound to the
alert exchange with ``mozdef.*``, runs every action of ``ALERT_ACTIONS`` (modules of
alerts/actions/, MozDef's plugin contract; ``VIGIL_ALERT_ACTIONS=logfile,webhook``
overrides the list) on each message, and acknowledges the message
only after its actions ran. A message it cannot process (not JSON, not an alert
document, an action raising) is re-published to the dead-letter queue
``<queue>.dead`` with the reason in its headers, then acknowledged: never dropped,
never left unacknowledged. An action that raised may have been preceded by actions that
succeeded; replaying a dead letter runs them again.

Run it with ``python -m lib.actions_worker`` from alerts/ (``vigil serve`` does).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from datetime import UTC, datetime
from typing import Any

import kombu
import orjson
from kombu.mixins import ConsumerMixin

from lib import config, messaging
from lib.errors import VigilError
from lib.plugins import PluginSet

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "alert-actions"
BINDING_KEY = "mozdef.*"
REASON_HEADER = "x-vigil-dead-reason"


def queue_name() -> str:
    """The actions queue's name (``VIGIL_ACTIONS_QUEUE``, default alert-actions)."""
    return os.environ.get("VIGIL_ACTIONS_QUEUE") or DEFAULT_QUEUE


def actions_queue(rabbitmq: dict | None = None, name: str | None = None) -> kombu.Queue:
    """The durable queue of published alerts, bound with ``mozdef.*``."""
    exchange = messaging.alert_exchange(rabbitmq)
    return kombu.Queue(name or queue_name(), exchange, routing_key=BINDING_KEY, durable=True)


def dead_letter_queue(name: str | None = None) -> kombu.Queue:
    """The durable queue where unprocessable messages go, with its own direct exchange."""
    dead = f"{name or queue_name()}.dead"
    return kombu.Queue(dead, kombu.Exchange(dead, type="direct", durable=True), routing_key=dead)


def declare(rabbitmq: dict | None = None, name: str | None = None) -> None:
    """Declare and bind both queues, so alerts published from now on are kept."""
    with messaging.connection(rabbitmq) as conn:
        channel = conn.default_channel
        messaging.alert_exchange(rabbitmq)(channel).declare()
        actions_queue(rabbitmq, name)(channel).declare()
        dead_letter_queue(name)(channel).declare()


def enabled_actions() -> list[str]:
    """``VIGIL_ALERT_ACTIONS`` (comma-separated) when set, else ``ALERT_ACTIONS``."""
    configured = os.environ.get("VIGIL_ALERT_ACTIONS")
    if configured is None:
        return list(config.ALERT_ACTIONS)
    return [name.strip() for name in configured.split(",") if name.strip()]


def load_actions(names: list[str] | tuple[str, ...] | None = None) -> PluginSet:
    """Load and check the enabled actions (ConfigError names one that is broken)."""
    actions = PluginSet("actions", enabled_actions() if names is None else names, "alert action")
    for action in actions.load():
        check = getattr(action.instance, "check", None)
        if callable(check):
            check()
    return actions


class ActionsWorker(ConsumerMixin):
    """Runs `actions` on every message of the actions queue."""

    def __init__(
        self, actions: PluginSet, rabbitmq: dict | None = None, name: str | None = None
    ) -> None:
        self.actions = actions
        self.connection = messaging.connection(rabbitmq)
        self.queue = actions_queue(rabbitmq, name)
        self.dead = dead_letter_queue(name)
        self.handled = 0

    def get_consumers(self, consumer_class: Any, channel: Any) -> list[Any]:
        """One consumer of the actions queue, handing raw messages to `on_message`."""
        self.dead(channel).declare()
        consumer = consumer_class(queues=[self.queue], on_message=self.on_message)
        consumer.qos(prefetch_count=10)
        return [consumer]

    def on_message(self, message: Any) -> None:
        """Run the actions on one message; dead-letter it if that is impossible."""
        try:
            alert = parse_alert(message.body)
            self.actions.run(alert)
        except Exception as exc:  # the consumer boundary: dead-letter, never drop
            log.warning("dead-lettering a message: %s", exc)
            self.dead_letter(message, f"{type(exc).__name__}: {exc}")
        else:
            log.info("ran actions on alert %s", alert["_id"])
        message.ack()
        self.handled += 1

    def dead_letter(self, message: Any, reason: str) -> None:
        """Publish `message`'s body to the dead-letter queue with `reason` in its headers."""
        headers = dict(message.headers or {})
        headers.update(
            {
                REASON_HEADER: reason,
                "x-vigil-dead-at": datetime.now(UTC).isoformat(),
                "x-vigil-original-routing-key": message.delivery_info.get("routing_key", ""),
            }
        )
        producer = kombu.Producer(message.channel)
        producer.publish(
            message.body,
            exchange=self.dead.exchange,
            routing_key=self.dead.routing_key,
            headers=headers,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            delivery_mode=2,
            declare=[self.dead],
        )


def parse_alert(body: bytes | str) -> dict[str, Any]:
    """The alert document in a message body; ValueError if it is not one."""
    document = orjson.loads(body)
    if not isinstance(document, dict) or not isinstance(document.get("_source"), dict):
        raise ValueError("message body is not an alert document {_id, _index, _source}")
    if "_id" not in document:
        raise ValueError("alert document has no _id")
    return document


def main() -> None:
    """Run the actions worker until SIGINT or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s actions %(levelname)s %(message)s")
    try:
        actions = load_actions()
        declare()
    except VigilError as exc:
        raise SystemExit(f"actions worker: {exc}") from exc
    worker = ActionsWorker(actions)

    def stop(_signum: int, _frame: Any) -> None:
        worker.should_stop = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    names = ", ".join(action.name for action in actions.load()) or "none"
    log.info("consuming %s (actions: %s)", worker.queue.name, names)
    worker.run()
    sys.exit(0)


if __name__ == "__main__":
    main()
