"""Messaging: which broker, exchange and routing key alerts travel on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import kombu

from lib import config, messaging
from lib.publisher import Publisher

from .conftest import AlertQueue

ALERTS_DIR = Path(__file__).resolve().parents[3] / "alerts"


def test_exchange_is_a_durable_topic_exchange_named_by_settings():
    exchange = messaging.alert_exchange({"alertexchange": "alerts-x"})
    assert (exchange.name, exchange.type, exchange.durable) == ("alerts-x", "topic", True)


def test_exchange_and_routing_key_default_to_mozdefs():
    assert messaging.alert_exchange({}).name == "alerts"
    assert messaging.alert_routing_key({}) == "mozdef.alert"
    assert messaging.alert_routing_key({"alertqueue": "custom.key"}) == "custom.key"


def test_settings_default_to_lib_config():
    assert messaging.alert_exchange().name == config.RABBITMQ["alertexchange"]
    assert messaging.alert_routing_key() == config.RABBITMQ["alertqueue"]


def test_amqp_url_gives_rabbitmq_with_publisher_confirms():
    conn = messaging.connection({"url": "amqp://guest:guest@127.0.0.1:5672//"})
    assert conn.transport_cls == "amqp"
    assert conn.transport_options["confirm_publish"] is True
    assert not messaging.is_embedded({"url": "amqp://guest:guest@127.0.0.1:5672//"})


def test_mozdef_broker_settings_give_rabbitmq():
    settings = {"mqserver": "127.0.0.1", "mquser": "guest", "mqpassword": "guest", "mqport": 5672}
    assert messaging.connection(settings).as_uri().startswith("amqp://guest:**@127.0.0.1:5672")


def test_no_broker_gives_the_embedded_transport_in_its_folder(tmp_path):
    settings = {"url": "", "data_folder": str(tmp_path / "broker")}
    conn = messaging.connection(settings)
    assert messaging.is_embedded(settings)
    assert conn.transport_cls == "filesystem"
    assert conn.transport_options["data_folder_in"] == str(tmp_path / "broker")
    assert conn.transport_options["data_folder_out"] == str(tmp_path / "broker")
    assert (tmp_path / "broker" / "control").is_dir()


def test_embedded_topic_routing_follows_the_binding_key(embedded_broker):
    wanted = AlertQueue(embedded_broker)
    unrelated = AlertQueue({**embedded_broker, "alertqueue": "other.key"})
    wildcard = AlertQueue({**embedded_broker, "alertqueue": "mozdef.*"})
    body = {"_id": "a1", "_index": "alerts-201701", "_source": {"summary": "s"}}
    assert Publisher(embedded_broker).publish([body]) == []
    assert wanted.drain() == [body]
    assert wildcard.drain() == [body]
    assert unrelated.drain() == []


def test_embedded_transport_works_across_processes(embedded_broker):
    """A queue bound here receives what another process publishes (it declares the exchange)."""
    queue = AlertQueue(embedded_broker)
    body = {"_id": "from-child", "_index": "alerts-201701", "_source": {"summary": "child"}}
    script = (
        "import json, sys\n"
        "from lib.publisher import Publisher\n"
        "settings, body = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "assert Publisher(settings).publish([body]) == []\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ALERTS_DIR)}
    subprocess.run(
        [sys.executable, "-c", script, json.dumps(embedded_broker), json.dumps(body)],
        check=True,
        env=env,
        timeout=60,
    )
    assert queue.drain() == [body]


def test_messages_are_json(embedded_broker):
    queue = kombu.Queue(
        "raw-check",
        exchange=messaging.alert_exchange(embedded_broker),
        routing_key=messaging.alert_routing_key(embedded_broker),
    )
    with messaging.connection(embedded_broker) as conn:
        queue(conn.channel()).declare()
    Publisher(embedded_broker).publish([{"_id": "j", "_index": "i", "_source": {}}])
    with messaging.connection(embedded_broker) as conn:
        message = queue(conn.channel()).get(no_ack=True)
    assert message.content_type == "application/json"
    assert json.loads(message.body) == {"_id": "j", "_index": "i", "_source": {}}
