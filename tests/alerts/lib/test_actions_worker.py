"""The actions worker runs actions on published alerts and dead-letters what it cannot.

Runs on the embedded broker (kombu filesystem transport) and on RabbitMQ, with a
unique exchange and queue per test.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

import kombu
import orjson
import pytest

from lib import actions_worker, messaging
from lib.errors import ConfigError

ALERT = {"_id": "a1", "_index": "alerts-202403", "_source": {"summary": "ssh brute force"}}


def _rabbitmq_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["embedded", "rabbitmq"])
def rabbitmq(request, tmp_path):
    settings = {"alertexchange": f"alerts-test-{uuid.uuid4().hex}", "alertqueue": "mozdef.alert"}
    if request.param == "embedded":
        return settings | {"data_folder": str(tmp_path / "broker")}
    if not _rabbitmq_up():
        if os.environ.get("VIGIL_REQUIRE_RABBITMQ"):
            pytest.fail("RabbitMQ is required but not reachable on 127.0.0.1:5672")
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")
    return settings | {"url": "amqp://guest:guest@127.0.0.1:5672//"}


@pytest.fixture
def queue(rabbitmq):
    name = f"alert-actions-test-{uuid.uuid4().hex}"
    actions_worker.declare(rabbitmq, name)
    yield name
    if "url" in rabbitmq:
        with messaging.connection(rabbitmq) as conn:
            channel = conn.default_channel
            for queue_name in (name, f"{name}.dead"):
                channel.queue_delete(queue_name)
            channel.exchange_delete(f"{name}.dead")
            channel.exchange_delete(rabbitmq["alertexchange"])


@pytest.fixture
def alert_log(tmp_path, monkeypatch):
    path = tmp_path / "alerts.log"
    monkeypatch.setenv("VIGIL_ALERT_LOG", str(path))
    return path


def _publish(rabbitmq: dict, body, routing_key: str = "mozdef.alert") -> None:
    exchange = messaging.alert_exchange(rabbitmq)
    with messaging.connection(rabbitmq) as conn:
        producer = conn.Producer()
        if isinstance(body, bytes):
            producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                declare=[exchange],
                content_type="application/json",
                content_encoding="binary",
            )
        else:
            producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                declare=[exchange],
                serializer="json",
            )


def _run_until(worker: actions_worker.ActionsWorker, handled: int, deadline: float = 20) -> None:
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    end = time.monotonic() + deadline
    while worker.handled < handled and time.monotonic() < end:
        time.sleep(0.05)
    worker.should_stop = True
    thread.join()
    assert worker.handled == handled, f"worker handled {worker.handled} of {handled} messages"


def _drain(rabbitmq: dict, queue: kombu.Queue) -> list:
    messages = []
    with messaging.connection(rabbitmq) as conn:
        bound = queue(conn.default_channel)
        while (message := bound.get(no_ack=False)) is not None:
            message.ack()
            messages.append(message)
    return messages


def test_actions_run_on_each_published_alert_and_it_is_acked(rabbitmq, queue, alert_log):
    _publish(rabbitmq, ALERT)
    _publish(rabbitmq, ALERT | {"_id": "a2"}, routing_key="mozdef.other")
    worker = actions_worker.ActionsWorker(actions_worker.load_actions(["logfile"]), rabbitmq, queue)
    _run_until(worker, 2)
    logged = [orjson.loads(line)["_id"] for line in alert_log.read_bytes().splitlines()]
    assert sorted(logged) == ["a1", "a2"]
    assert _drain(rabbitmq, actions_worker.actions_queue(rabbitmq, queue)) == []
    assert _drain(rabbitmq, actions_worker.dead_letter_queue(queue)) == []


def test_messages_not_matching_mozdef_star_are_not_consumed(rabbitmq, queue, alert_log):
    _publish(rabbitmq, ALERT | {"_id": "elsewhere"}, routing_key="other.alert")
    _publish(rabbitmq, ALERT)
    worker = actions_worker.ActionsWorker(actions_worker.load_actions(["logfile"]), rabbitmq, queue)
    _run_until(worker, 1)
    logged = [orjson.loads(line)["_id"] for line in alert_log.read_bytes().splitlines()]
    assert logged == ["a1"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"{not json", "JSONDecodeError", id="bad-json"),
        pytest.param(b"[1, 2]", "not an alert document", id="json-but-not-an-alert"),
        pytest.param(orjson.dumps({"_source": {}}), "no _id", id="alert-without-id"),
    ],
)
def test_unparseable_messages_go_to_the_dead_letter_queue(rabbitmq, queue, alert_log, body, reason):
    _publish(rabbitmq, body)
    worker = actions_worker.ActionsWorker(actions_worker.load_actions(["logfile"]), rabbitmq, queue)
    _run_until(worker, 1)
    dead = _drain(rabbitmq, actions_worker.dead_letter_queue(queue))
    assert len(dead) == 1
    assert reason in dead[0].headers[actions_worker.REASON_HEADER]
    assert dead[0].body == body
    assert not alert_log.exists()
    assert _drain(rabbitmq, actions_worker.actions_queue(rabbitmq, queue)) == []


def test_an_action_that_raises_dead_letters_the_alert_with_the_reason(
    rabbitmq, queue, alert_log, monkeypatch
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("VIGIL_WEBHOOK_URL", f"http://127.0.0.1:{closed_port}/hook")
    monkeypatch.setenv("VIGIL_WEBHOOK_RETRIES", "0")
    _publish(rabbitmq, ALERT)
    actions = actions_worker.load_actions(["logfile", "webhook"])
    worker = actions_worker.ActionsWorker(actions, rabbitmq, queue)
    _run_until(worker, 1)
    dead = _drain(rabbitmq, actions_worker.dead_letter_queue(queue))
    assert len(dead) == 1
    reason = dead[0].headers[actions_worker.REASON_HEADER]
    assert "alert action webhook failed" in reason
    assert dead[0].headers["x-vigil-original-routing-key"] == "mozdef.alert"
    assert orjson.loads(dead[0].body) == ALERT
    assert _drain(rabbitmq, actions_worker.actions_queue(rabbitmq, queue)) == []


def test_a_broken_action_stops_start_up_naming_it(monkeypatch):
    monkeypatch.delenv("VIGIL_WEBHOOK_URL", raising=False)
    monkeypatch.setattr("actions.webhook.CONF_FILE", actions_worker.config.DATA_DIR / "absent")
    with pytest.raises(ConfigError, match="webhook action: url"):
        actions_worker.load_actions(["webhook"])


def test_an_unknown_action_stops_start_up_naming_it():
    with pytest.raises(ConfigError, match="alert action no_such_action failed to import"):
        actions_worker.load_actions(["no_such_action"])
