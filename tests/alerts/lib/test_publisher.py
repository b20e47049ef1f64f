"""Publishing alerts, and the outbox that keeps an alert whose publish failed."""

from __future__ import annotations

import socket
from typing import Any

import pytest

import lib.alerttask
from lib import messaging, publisher
from lib.publisher import UNPUBLISHED_FIELD, Publisher, drain_outbox
from lib.store.base import EventStore

from .conftest import AlertQueue, load_events, make_event
from .sample_alerts import AlertFailedSsh, AlertQuiet, AlertSshEvent


def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable(rabbitmq: dict[str, Any]) -> dict[str, Any]:
    """The same settings with the broker URL pointing at a closed port."""
    return {
        **rabbitmq,
        "url": f"amqp://guest:guest@127.0.0.1:{closed_port()}//",
        "publish_retries": 1,
    }


def saved_source(store: EventStore, alert_id: str) -> dict[str, Any]:
    hits = store.search("alerts", {"query": {"ids": {"values": [alert_id]}}})["hits"]["hits"]
    assert len(hits) == 1
    return hits[0]["_source"]


def body(alert_id: str) -> dict[str, Any]:
    return {"_id": alert_id, "_index": "alerts-201701", "_source": {"summary": alert_id}}


# -- Publisher ------------------------------------------------------------------------------


def test_publish_sends_every_message_in_order(embedded_broker):
    queue = AlertQueue(embedded_broker)
    messages = [body("a"), body("b"), body("c")]
    assert Publisher(embedded_broker).publish(messages) == []
    assert sorted(m["_id"] for m in queue.drain()) == ["a", "b", "c"]


def test_publish_to_an_unreachable_broker_returns_every_message(embedded_broker):
    messages = [body("a"), body("b")]
    assert Publisher(unreachable(embedded_broker)).publish(messages) == messages


def test_message_body_never_carries_the_unpublished_mark():
    source = {"summary": "s", UNPUBLISHED_FIELD: True}
    assert publisher.message_body("i", "alerts-201701", source) == {
        "_id": "i",
        "_index": "alerts-201701",
        "_source": {"summary": "s"},
    }


def test_publish_to_real_rabbitmq_with_confirms(rabbitmq_broker):
    queue = AlertQueue(rabbitmq_broker)
    assert Publisher(rabbitmq_broker).publish([body("r1"), body("r2")]) == []
    assert [m["_id"] for m in queue.drain()] == ["r1", "r2"]


def test_a_broker_refusing_the_exchange_leaves_the_alert_unpublished(rabbitmq_broker):
    """RabbitMQ refuses to redeclare an exchange with another type (PRECONDITION_FAILED)."""
    import kombu

    clash = kombu.Exchange(rabbitmq_broker["alertexchange"], type="fanout", durable=False)
    with messaging.connection(rabbitmq_broker) as conn:
        clash(conn.channel()).declare()
    try:
        assert Publisher(rabbitmq_broker).publish([body("x")]) == [body("x")]
    finally:
        with messaging.connection(rabbitmq_broker) as conn:
            clash(conn.channel()).delete()


# -- the outbox -----------------------------------------------------------------------------


def save_alert(store: EventStore, alert_id: str, unpublished: bool) -> None:
    source = {"summary": alert_id, "utctimestamp": "2017-01-01T01:00:00+00:00"}
    if unpublished:
        source[UNPUBLISHED_FIELD] = True
    store.index("alerts", source, id=alert_id, refresh=True)


def test_drain_publishes_marked_alerts_and_clears_the_mark(store, embedded_broker, frozen):
    queue = AlertQueue(embedded_broker)
    save_alert(store, "waiting", unpublished=True)
    save_alert(store, "done", unpublished=False)
    assert drain_outbox(store, Publisher(embedded_broker)) == (1, 0)
    (message,) = queue.drain()
    assert message["_id"] == "waiting"
    assert UNPUBLISHED_FIELD not in message["_source"]
    assert UNPUBLISHED_FIELD not in saved_source(store, "waiting")
    assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0)
    assert queue.drain() == []


def test_drain_keeps_the_mark_while_the_broker_is_down(store, embedded_broker, frozen):
    save_alert(store, "waiting", unpublished=True)
    assert drain_outbox(store, Publisher(unreachable(embedded_broker))) == (0, 1)
    assert saved_source(store, "waiting")[UNPUBLISHED_FIELD] is True


def test_drain_on_a_store_without_alerts(store, embedded_broker):
    assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0)


def test_only_one_drainer_at_a_time(store, embedded_broker, frozen):
    queue = AlertQueue(embedded_broker)
    save_alert(store, "waiting", unpublished=True)
    with publisher._outbox_lock(store.url) as acquired:
        assert acquired
        assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0)
    assert queue.drain() == []
    assert drain_outbox(store, Publisher(embedded_broker)) == (1, 0)


# -- a run while the broker is away -----------------------------------------------------------


@pytest.fixture
def rabbit_run(monkeypatch, store_url, rabbitmq_broker):
    """lib.alerttask pointed at the private store and the real RabbitMQ."""
    monkeypatch.setattr(lib.alerttask, "ES", {"servers": [store_url]})
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [])
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", rabbitmq_broker)
    return rabbitmq_broker


def test_no_alert_is_lost_when_rabbitmq_is_unreachable_and_none_is_sent_twice(
    rabbit_run, store, monkeypatch, frozen
):
    queue = AlertQueue(rabbit_run)
    load_events(store, [make_event()])
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", unreachable(rabbit_run))
    failing = AlertSshEvent()
    failing.run()

    (alert_id,) = failing.alert_ids
    assert failing.unpublished_count == 1
    assert failing.unpublished_ids == [alert_id]
    assert saved_source(store, alert_id)[UNPUBLISHED_FIELD] is True
    assert queue.drain() == []

    monkeypatch.setattr(lib.alerttask, "RABBITMQ", rabbit_run)
    AlertQuiet().run()  # any alert's next run publishes the outbox first
    (message,) = queue.drain()
    assert message["_id"] == alert_id
    assert message["_source"] == saved_source(store, alert_id)
    assert UNPUBLISHED_FIELD not in message["_source"]

    AlertQuiet().run()
    AlertSshEvent().run()
    AlertFailedSsh().run()
    assert queue.drain() == []


def test_the_run_reports_unpublished_alerts(settings, store, monkeypatch, frozen, caplog):
    load_events(store, [make_event(hostname="a"), make_event(hostname="b")])
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", unreachable(settings))
    alert = AlertSshEvent()
    alert.run()
    assert alert.unpublished_count == 2
    assert sorted(alert.unpublished_ids) == sorted(alert.alert_ids)
    assert "2 alert(s) saved but not published" in caplog.text
    assert len(alert.hooked) == 2  # still saved, tagged and handed to the hook
