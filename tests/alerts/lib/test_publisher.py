"""Publishing alerts, and the outbox that keeps an alert whose publish failed."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from freezegun import freeze_time

import lib.alerttask
from lib import messaging, publisher
from lib.publisher import OUTBOX_INDEX, UNPUBLISHED_FIELD, Publisher, drain_outbox
from lib.store.base import EventStore

from .conftest import AlertQueue, count_store_calls, load_events, make_event
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
    """Save an alert; an unpublished one is marked and queued as the emit path does."""
    source = {"summary": alert_id, "utctimestamp": "2017-01-01T01:00:00+00:00"}
    item = store.index("alerts", source, id=alert_id, refresh=True)
    if unpublished:
        result = store.bulk(publisher.mark_actions([body_of(item)]), refresh=True)
        assert not result["errors"], result


def body_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"_index": item["_index"], "_id": item["_id"]}


def outbox_ids(store: EventStore) -> list[str]:
    request = {"query": {"match_all": {}}, "size": 10_000}
    hits = store.search(OUTBOX_INDEX, request, ignore_unavailable=True)["hits"]["hits"]
    return sorted(hit["_id"] for hit in hits)


def test_a_failed_publish_marks_the_alert_and_queues_it_in_one_bulk_write(store, frozen):
    save_alert(store, "waiting", unpublished=True)
    assert saved_source(store, "waiting")[UNPUBLISHED_FIELD] is True
    assert outbox_ids(store) == ["alerts-201701:waiting"]
    (pointer,) = store.search(OUTBOX_INDEX)["hits"]["hits"]
    assert pointer["_source"] == {
        "alert_index": "alerts-201701",
        "alert_id": "waiting",
        "saved_at": "2017-01-01T01:00:00+00:00",
    }


def test_drain_publishes_queued_alerts_and_clears_mark_and_pointer(store, embedded_broker, frozen):
    queue = AlertQueue(embedded_broker)
    save_alert(store, "waiting", unpublished=True)
    save_alert(store, "done", unpublished=False)
    assert drain_outbox(store, Publisher(embedded_broker)) == (1, 0)
    (message,) = queue.drain()
    assert message["_id"] == "waiting"
    assert UNPUBLISHED_FIELD not in message["_source"]
    assert UNPUBLISHED_FIELD not in saved_source(store, "waiting")
    assert outbox_ids(store) == []
    assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0)
    assert queue.drain() == []


def test_drain_keeps_mark_and_pointer_while_the_broker_is_down(store, embedded_broker, frozen):
    save_alert(store, "waiting", unpublished=True)
    assert drain_outbox(store, Publisher(unreachable(embedded_broker))) == (0, 1)
    assert saved_source(store, "waiting")[UNPUBLISHED_FIELD] is True
    assert outbox_ids(store) == ["alerts-201701:waiting"]


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


def test_a_pointer_to_an_alert_no_longer_marked_is_dropped_unsent(store, embedded_broker, frozen):
    """Published and unmarked, but its pointer survived: it must not be sent twice."""
    queue = AlertQueue(embedded_broker)
    save_alert(store, "sent", unpublished=True)
    store.bulk(
        [{"_op_type": "index", "_index": "alerts-201701", "_id": "sent", "_source": {}}],
        refresh=True,
    )
    assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0)
    assert queue.drain() == []
    assert outbox_ids(store) == []


def test_a_pointer_to_a_deleted_alert_is_dropped(store, embedded_broker, frozen, caplog):
    queue = AlertQueue(embedded_broker)
    save_alert(store, "gone", unpublished=True)
    store.delete_index("alerts-201701")
    assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0)
    assert queue.drain() == []
    assert outbox_ids(store) == []
    assert "alerts-201701/gone in the outbox no longer exists" in caplog.text


def test_one_drain_publishes_at_most_a_batch_oldest_first(
    store, embedded_broker, monkeypatch, frozen
):
    queue = AlertQueue(embedded_broker)
    monkeypatch.setattr(publisher, "DRAIN_BATCH", 2)
    for minute, alert_id in [(2, "latest"), (0, "oldest"), (1, "older")]:  # saved out of order
        with freeze_time(f"2017-01-01 01:0{minute}:00", tz_offset=0):
            save_alert(store, alert_id, unpublished=True)
    assert drain_outbox(store, Publisher(embedded_broker)) == (2, 1)
    assert sorted(m["_id"] for m in queue.drain()) == ["older", "oldest"]
    assert drain_outbox(store, Publisher(embedded_broker)) == (1, 0)
    assert [m["_id"] for m in queue.drain()] == ["latest"]


def test_adopt_marked_alerts_queues_alerts_marked_without_a_pointer(store, embedded_broker, frozen):
    queue = AlertQueue(embedded_broker)
    store.index("alerts", {"summary": "old", UNPUBLISHED_FIELD: True}, id="old", refresh=True)
    save_alert(store, "done", unpublished=False)
    assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0)
    assert publisher.adopt_marked_alerts(store) == 1
    assert drain_outbox(store, Publisher(embedded_broker)) == (1, 0)
    assert [m["_id"] for m in queue.drain()] == ["old"]


# -- the outbox check costs what is pending, not what was ever saved ---------------------------


def save_published_alerts(store: EventStore, count: int) -> None:
    actions = [
        {"_op_type": "index", "_index": "alerts", "_source": {"summary": f"alert {n}"}}
        for n in range(count)
    ]
    assert not store.bulk(actions, refresh=True)["errors"]


def test_the_outbox_check_reads_no_saved_alert(store, embedded_broker, frozen):
    save_published_alerts(store, 1_000)
    save_alert(store, "waiting", unpublished=True)
    calls = count_store_calls(store)
    store.rows_read = 0
    assert drain_outbox(store, Publisher(embedded_broker)) == (1, 0)
    assert store.rows_read == 1  # the one pointer; the alert itself is fetched by id
    assert dict(calls) == {"search": 1, "get": 1, "bulk": 1}


def test_an_empty_outbox_check_is_one_store_call_reading_nothing(store, embedded_broker, frozen):
    save_published_alerts(store, 1_000)
    for outbox in ("missing", "emptied"):
        calls = count_store_calls(store)
        store.rows_read = 0
        assert drain_outbox(store, Publisher(embedded_broker)) == (0, 0), outbox
        assert store.rows_read == 0, outbox
        assert dict(calls) == {"search": 1}, outbox
        save_alert(store, "waiting", unpublished=True)
        drain_outbox(store, Publisher(embedded_broker))


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
    assert outbox_ids(store) == [f"alerts-201701:{alert_id}"]
    assert queue.drain() == []

    monkeypatch.setattr(lib.alerttask, "RABBITMQ", rabbit_run)
    AlertQuiet().run()  # any alert's next run publishes the outbox first
    (message,) = queue.drain()
    assert message["_id"] == alert_id
    assert message["_source"] == saved_source(store, alert_id)
    assert UNPUBLISHED_FIELD not in message["_source"]
    assert outbox_ids(store) == []

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


def test_a_run_whose_publish_fails_queues_its_alerts_in_one_more_bulk_write(
    settings, store, monkeypatch, frozen
):
    load_events(store, [make_event(hostname="a"), make_event(hostname="b")])
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", unreachable(settings))
    alert = AlertSshEvent()
    calls = count_store_calls(store)
    alert.run()
    assert calls["bulk"] == 3  # save, tag, then mark + queue every unpublished alert
    assert outbox_ids(store) == sorted(f"alerts-201701:{i}" for i in alert.alert_ids)
