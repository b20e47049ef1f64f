"""AlertTask: searching, bucketing, the alert document, tagging, publishing, config, DNS."""

from __future__ import annotations

import logging
import socket
import uuid
from pathlib import Path
from typing import Any

import celery
import pytest

import lib.alerttask
from lib import config
from lib.alerttask import AlertTask, add_hostname_to_ip, hostname_from_ip
from lib.errors import ConfigError, StoreError
from lib.store import open_store
from lib.store.base import EventStore

from .conftest import AlertQueue, load_events, make_event
from .sample_alerts import AlertBroken, AlertFailedSsh, AlertQuiet, AlertSshEvent

pytestmark = pytest.mark.usefixtures("frozen")

ALERT_KEYS = {
    "utctimestamp",
    "severity",
    "summary",
    "category",
    "tags",
    "events",
    "channel",
    "notify_mozdefbot",
    "status",
    "classname",
}


def saved_alert(store: EventStore, alert_id: str) -> dict[str, Any]:
    hits = store.search("alerts", {"query": {"ids": {"values": [alert_id]}}})["hits"]["hits"]
    assert len(hits) == 1
    return hits[0]


def all_events(store: EventStore) -> list[dict[str, Any]]:
    return list(store.scan("events", {"query": {"match_all": {}}}))


# -- the aggregation path ------------------------------------------------------------------


def test_aggregated_alert_fires_once_per_value_at_threshold(settings, store, alert_queue):
    load_events(store, [make_event() for _ in range(4)])
    load_events(store, [make_event(details={"sourceipaddress": "5.6.7.8"}) for _ in range(2)])
    load_events(store, [make_event(details={"sourceipaddress": "9.9.9.9"})])
    alert = AlertFailedSsh()
    alert.run()

    assert [bucket["value"] for bucket in alert.aggregations] == ["1.2.3.4", "5.6.7.8", "9.9.9.9"]
    assert [bucket["count"] for bucket in alert.aggregations] == [4, 2, 1]
    summaries = sorted(saved_alert(store, i)["_source"]["summary"] for i in alert.alert_ids)
    assert summaries == [
        "2 failed ssh logins from 5.6.7.8",
        "4 failed ssh logins from 1.2.3.4",
    ]


def test_alert_document_is_mozdefs(settings, store, alert_queue):
    load_events(store, [make_event() for _ in range(4)])
    alert = AlertFailedSsh()
    alert.run()

    (alert_id,) = alert.alert_ids
    found = saved_alert(store, alert_id)
    source = found["_source"]
    assert found["_index"] == "alerts-201701"
    assert set(source) == ALERT_KEYS
    assert source["utctimestamp"] == "2017-01-01T01:00:00+00:00"
    assert source["severity"] == "WARNING"
    assert source["category"] == "bruteforce"
    assert source["tags"] == ["ssh"]
    assert source["channel"] is None
    assert source["notify_mozdefbot"] is True
    assert source["status"] == "manual"
    assert source["classname"] == "AlertFailedSsh"
    assert len(source["events"]) == 3  # samplesLimit
    first = source["events"][0]
    assert set(first) == {"documentindex", "documentid", "documentsource"}
    assert first["documentindex"] == "events-20170101"
    assert first["documentsource"]["details"]["sourceipaddress"] == "1.2.3.4"


def test_every_event_of_an_aggregation_is_tagged_not_only_samples(settings, store, alert_queue):
    load_events(store, [make_event() for _ in range(7)])
    alert = AlertFailedSsh()
    alert.run()

    (alert_id,) = alert.alert_ids
    events = all_events(store)
    assert len(events) == 7
    for event in events:
        assert event["_source"]["alert_names"] == ["AlertFailedSsh"]
        assert event["_source"]["alerts"] == [{"index": "alerts-201701", "id": alert_id}]


def test_already_alerted_events_never_alert_again(settings, store, alert_queue):
    load_events(store, [make_event() for _ in range(3)])
    alert = AlertFailedSsh()
    alert.run()
    assert len(alert.alert_ids) == 1
    alert.run()
    assert alert.alert_ids == []
    assert alert.aggregations == []


def test_other_alerts_still_see_events_alerted_by_one_alert(settings, store, alert_queue):
    load_events(store, [make_event()])
    first, second = AlertSshEvent(), AlertFailedSsh()
    first.run()
    second.threshold = 1
    second.run()

    (event,) = all_events(store)
    assert event["_source"]["alert_names"] == ["AlertSshEvent", "AlertFailedSsh"]
    assert [ref["id"] for ref in event["_source"]["alerts"]] == first.alert_ids + second.alert_ids


def test_events_outside_the_window_do_not_count(settings, store, alert_queue):
    old = "2017-01-01T00:30:00+00:00"
    load_events(store, [make_event(utctimestamp=old, receivedtimestamp=old) for _ in range(5)])
    load_events(store, [make_event()])
    alert = AlertFailedSsh()
    alert.run()
    assert [bucket["count"] for bucket in alert.aggregations] == [1]
    assert alert.alert_ids == []


# -- the event path -------------------------------------------------------------------------


def test_event_alert_fires_once_per_event_and_tags_it(settings, store, alert_queue):
    load_events(store, [make_event(hostname="a"), make_event(hostname="b")])
    alert = AlertSshEvent()
    alert.run()

    assert len(alert.events) == 2
    assert len(alert.alert_ids) == 2
    sources = [saved_alert(store, i)["_source"] for i in alert.alert_ids]
    assert sorted(s["summary"] for s in sources) == ["ssh event on a", "ssh event on b"]
    assert {s["notify_mozdefbot"] for s in sources} == {False}  # NOTICE, no channel
    tagged = {e["_source"]["hostname"]: e["_source"]["alerts"][0]["id"] for e in all_events(store)}
    by_summary = {s["summary"][-1]: i for s, i in zip(sources, alert.alert_ids, strict=True)}
    assert tagged == by_summary


def test_quiet_alert_fires_nothing_and_publishes_nothing(settings, store, alert_queue):
    load_events(store, [make_event()])
    alert = AlertQuiet()
    alert.run()
    assert alert.events == []
    assert alert.alert_ids == []
    assert alert_queue.drain() == []


# -- publishing -----------------------------------------------------------------------------


def test_each_saved_alert_is_published_once_with_id_index_and_source(
    settings, store, alert_queue: AlertQueue
):
    load_events(store, [make_event(hostname="a"), make_event(hostname="b")])
    alert = AlertSshEvent()
    alert.run()

    messages = alert_queue.drain()
    assert sorted(m["_id"] for m in messages) == sorted(alert.alert_ids)
    for message in messages:
        assert set(message) == {"_id", "_index", "_source"}
        found = saved_alert(store, message["_id"])
        assert message["_index"] == found["_index"]
        assert message["_source"] == found["_source"]
    assert alert.unpublished_count == 0


# -- createAlertDict and notify_mozdefbot ---------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "channel", "given", "expected"),
    [
        ("NOTICE", None, None, False),
        ("INFO", None, None, False),
        ("NOTICE", "#security", None, True),
        ("WARNING", None, None, True),
        ("CRITICAL", None, False, False),
        ("INFO", None, True, True),
    ],
    ids=[
        "notice-quiet",
        "info-quiet",
        "channel-notifies",
        "warning-notifies",
        "explicit-false-kept",
        "explicit-true-kept",
    ],
)
def test_notify_mozdefbot_rule(severity, channel, given, expected):
    alert = AlertTask()
    document = alert.createAlertDict(
        "s", "c", [], [], severity, channel=channel, notify_mozdefbot=given
    )
    assert document["notify_mozdefbot"] is expected
    assert alert.tagBotNotify(document)["notify_mozdefbot"] is expected
    hand_built = {"severity": severity, "channel": channel, "notify_mozdefbot": given}
    assert alert.tagBotNotify(hand_built)["notify_mozdefbot"] is expected


def test_create_alert_dict_adds_url_only_when_given():
    alert = AlertTask()
    assert "url" not in alert.createAlertDict("s", "c", [], [])
    assert alert.createAlertDict("s", "c", [], [], url="https://x")["url"] == "https://x"


def test_custom_alert_name_wins_everywhere(settings, store, alert_queue):
    class AlertGeneric(AlertSshEvent):
        custom_alert_name = "ssh_generic_rule"

    load_events(store, [make_event()])
    alert = AlertGeneric()
    alert.run()
    assert alert.classname() == "AlertGeneric"
    assert alert.determine_alert_classname() == "ssh_generic_rule"
    (alert_id,) = alert.alert_ids
    assert saved_alert(store, alert_id)["_source"]["classname"] == "ssh_generic_rule"
    (event,) = all_events(store)
    assert event["_source"]["alert_names"] == ["ssh_generic_rule"]
    alert.run()
    assert alert.alert_ids == []


def test_filters_manual_adds_the_duplicate_filter_once():
    from lib.query_models import SearchQuery, TermMatch

    alert = AlertTask()
    query = SearchQuery(minutes=5)
    alert.filtersManual(query)
    alert.filtersManual(query)
    assert query.must_not == [TermMatch("alert_names", "AlertTask")]
    assert alert.main_query is query


def test_most_common_counts_values_at_a_path():
    rows = [
        {"_source": {"details": {"ip": "1.1.1.1"}}},
        {"_source": {"details": {"ip": "2.2.2.2"}}},
        {"_source": {"details": {"ip": "1.1.1.1"}}},
        {"_source": {"details": {}}},
    ]
    assert AlertTask().mostCommon(rows, "_source.details.ip") == [("1.1.1.1", 2), ("2.2.2.2", 1)]


# -- settings, construction, errors ---------------------------------------------------------


def test_constructor_connects_to_nothing(monkeypatch):
    monkeypatch.setattr(lib.alerttask, "ES", {"servers": ["http://127.0.0.1:1"]})
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", {"url": "amqp://guest:guest@127.0.0.1:1//"})
    alert = AlertFailedSsh()
    assert alert.store is None
    assert isinstance(alert, celery.Task)


def test_settings_are_read_when_a_run_starts(settings, store, alert_queue, monkeypatch):
    alert = AlertSshEvent()
    alert.run()
    assert alert.alert_ids == []
    other_url = "memory://alerttask-other-store"
    from lib.store import open_store

    other = open_store(other_url)
    load_events(other, [make_event()])
    monkeypatch.setattr(lib.alerttask, "ES", {"servers": [other_url]})
    alert.run()
    assert len(alert.alert_ids) == 1
    assert alert.store is other


def test_vigil_store_url_set_after_import_is_read_when_a_run_starts(
    settings, alert_queue, monkeypatch
):
    env_url = f"memory://alerttask-env-{uuid.uuid4().hex}"
    load_events(open_store(env_url), [make_event()])
    monkeypatch.setattr(lib.alerttask, "ES", config.ES)
    monkeypatch.setenv("VIGIL_STORE_URL", env_url)
    alert = AlertSshEvent()
    alert.run()
    assert len(alert.alert_ids) == 1
    assert alert.store is open_store(env_url)


def test_a_reassigned_es_dict_wins_over_vigil_store_url(settings, store, monkeypatch):
    monkeypatch.setenv("VIGIL_STORE_URL", "http://127.0.0.1:1")
    load_events(store, [make_event()])
    alert = AlertSshEvent()
    alert.run()
    assert alert.store is store
    assert len(alert.alert_ids) == 1


def test_a_failing_run_raises_logs_the_alert_name_and_keeps_the_error(settings, caplog):
    alert = AlertBroken()
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="own bug"):
        alert.run()
    assert isinstance(alert.error_thrown, RuntimeError)
    assert "AlertBroken" in caplog.text


def test_error_thrown_exists_only_after_a_failed_run(settings, store, alert_queue):
    """MozDef's harness raises `task.error_thrown` whenever the attribute exists."""
    alert = AlertQuiet()
    alert.run()
    assert not hasattr(alert, "error_thrown")
    alert.error_thrown = RuntimeError("left from an earlier run")
    alert.run()
    assert not hasattr(alert, "error_thrown")


def test_registered_with_a_celery_app_it_runs_as_a_task(settings, store, alert_queue):
    load_events(store, [make_event()])
    app = celery.Celery("vigil-test", set_as_current=False)
    task = app.register_task(AlertSshEvent())
    assert task.apply().state == "SUCCESS"
    assert len(task.alert_ids) == 1


def test_a_failing_alert_marks_its_celery_task_failed(settings):
    app = celery.Celery("vigil-test", set_as_current=False)
    task = app.register_task(AlertBroken())
    result = task.apply()
    assert result.state == "FAILURE"
    assert isinstance(result.result, RuntimeError)
    assert task.error_thrown is result.result


def test_store_errors_fail_the_run(monkeypatch, embedded_broker):
    monkeypatch.setattr(lib.alerttask, "ES", {"servers": ["http://127.0.0.1:1"]})
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", embedded_broker)
    alert = AlertSshEvent()
    with pytest.raises(StoreError):
        alert.run()
    assert isinstance(alert.error_thrown, StoreError)


# -- config files ---------------------------------------------------------------------------


def write_alert_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> type:
    (tmp_path / f"{name}.py").write_text(
        "from lib.alerttask import AlertTask\n\nclass AlertConfigured(AlertTask):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__(name)
    return module.AlertConfigured


def test_parse_config_reads_options_next_to_the_alert(tmp_path, monkeypatch):
    cls = write_alert_module(tmp_path, monkeypatch, "configured_alert_one")
    (tmp_path / "configured_alert_one.conf").write_text(
        "[options]\nthreshold = 10\nurl = https://wiki/x%20y\n"
    )
    alert = cls()
    alert.parse_config("configured_alert_one.conf", ["threshold", "url", "missing"])
    assert alert.config.threshold == "10"
    assert alert.config.url == "https://wiki/x%20y"
    assert alert.config.missing == ""


def test_parse_config_names_a_missing_file(tmp_path, monkeypatch):
    cls = write_alert_module(tmp_path, monkeypatch, "configured_alert_two")
    with pytest.raises(ConfigError, match="configured_alert_two.conf"):
        cls().parse_config("configured_alert_two.conf", ["threshold"])


@pytest.mark.parametrize(
    "text", ["threshold = 10\n", "[other]\nthreshold = 10\n"], ids=["no-section", "no-options"]
)
def test_parse_config_names_a_malformed_file(tmp_path, text):
    path = tmp_path / "bad.conf"
    path.write_text(text)
    with pytest.raises(ConfigError, match="bad.conf"):
        AlertTask().parse_config(str(path), ["threshold"])


def test_parse_json_alert_config(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text('{"users": ["root"], "threshold": 3}')
    bad.write_text("{not json")
    alert = AlertTask()
    assert alert.parse_json_alert_config(str(good)) == {"users": ["root"], "threshold": 3}
    with pytest.raises(ConfigError, match="bad.json"):
        alert.parse_json_alert_config(str(bad))
    with pytest.raises(ConfigError, match="absent.json"):
        alert.parse_json_alert_config(str(tmp_path / "absent.json"))


# -- reverse DNS (MozDef's helpers) ----------------------------------------------------------


def test_hostname_from_ip_resolves_loopback_to_localhost():
    assert hostname_from_ip("127.0.0.1") == "localhost"


def test_add_hostname_to_ip_formats_internal_addresses():
    assert add_hostname_to_ip("127.0.0.1", "{0} ({1})") == "127.0.0.1 (localhost)"


def test_add_hostname_to_ip_leaves_external_addresses_unresolved(monkeypatch):
    def no_lookup(ip: str) -> Any:
        raise AssertionError(f"looked up {ip}")

    monkeypatch.setattr(socket, "gethostbyaddr", no_lookup)
    assert add_hostname_to_ip("8.8.8.8", "{0} ({1})") == "8.8.8.8"


def test_dns_helpers_resolve_through_socket_at_call_time(monkeypatch):
    """MozDef's harness patches socket.gethostbyaddr after importing lib.alerttask."""

    def fake(ip: str) -> Any:
        if ip == "10.2.3.4":
            return ["mock_hostname1.mozilla.org", ip]
        raise socket.herror(1, "Unknown host")

    monkeypatch.setattr(socket, "gethostbyaddr", fake)
    assert hostname_from_ip("10.2.3.4") == "mock_hostname1.mozilla.org"
    assert hostname_from_ip("10.9.9.9") is None
    assert add_hostname_to_ip("10.9.9.9", "{0} ({1})") == "10.9.9.9"
    assert add_hostname_to_ip("8.8.8.8", "{1}", require_internal=False) == "8.8.8.8"


# -- a store refusing part of a batch --------------------------------------------------------


class AlertOneBadDocument(AlertSshEvent):
    """Emits one alert per event; the one for host 'bad' has a timestamp no date field takes."""

    def onEvent(self, event: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        alert = super().onEvent(event)
        if event["_source"]["hostname"] == "bad":
            alert["utctimestamp"] = "not a date"
        return alert


def test_a_refused_alert_fails_the_run_after_the_others_are_through(settings, store, alert_queue):
    load_events(store, [make_event(hostname="good")])
    load_events(store, [make_event(hostname="bad")])
    alert = AlertOneBadDocument()
    with pytest.raises(StoreError, match="ssh event on bad"):
        alert.run()
    (alert_id,) = alert.alert_ids
    assert saved_alert(store, alert_id)["_source"]["summary"] == "ssh event on good"
    assert [message["_id"] for message in alert_queue.drain()] == [alert_id]
    tagged = {e["_source"]["hostname"]: e["_source"].get("alert_names") for e in all_events(store)}
    assert tagged == {"good": ["AlertOneBadDocument"], "bad": None}


def test_runs_against_an_embedded_store_on_disk(tmp_path, monkeypatch, embedded_broker):
    from lib.store import open_store

    url = str(tmp_path / "store.db")
    load_events(open_store(url), [make_event()])
    monkeypatch.setattr(lib.alerttask, "ES", {"servers": [url]})
    monkeypatch.setattr(lib.alerttask, "RABBITMQ", embedded_broker)
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [])
    alert = AlertSshEvent()
    alert.run()
    (alert_id,) = alert.alert_ids
    assert (
        saved_alert(open_store(url), alert_id)["_source"]["summary"]
        == "ssh event on ip-10-77-20-248"
    )
