"""DeadmanAlertTask: fires when its query matches nothing in its window."""

from __future__ import annotations

import pytest

from lib.deadman_alerttask import DeadmanAlertTask
from lib.store.base import EventStore

from .conftest import count_store_calls, load_events, make_event
from .sample_alerts import AlertSshSilent

pytestmark = pytest.mark.usefixtures("frozen")


def alert_sources(store: EventStore) -> list[dict]:
    return [hit["_source"] for hit in store.scan("alerts", {"query": {"match_all": {}}})]


def test_fires_on_a_store_that_has_never_seen_an_event(settings, store, alert_queue):
    alert = AlertSshSilent()
    alert.run()
    (alert_id,) = alert.alert_ids
    (source,) = alert_sources(store)
    assert source["summary"] == "no sshd events in 20 minutes"
    assert source["events"] == []
    assert source["notify_mozdefbot"] is True  # ERROR severity
    assert [message["_id"] for message in alert_queue.drain()] == [alert_id]
    assert alert.hooked == [source]


def test_does_not_fire_while_matching_events_arrive(settings, store, alert_queue):
    load_events(store, [make_event()])
    alert = AlertSshSilent()
    alert.run()
    assert alert.alert_ids == []
    assert alert_queue.drain() == []


def test_fires_when_the_only_matching_events_are_older_than_the_window(settings, store):
    old = "2017-01-01T00:30:00+00:00"
    load_events(store, [make_event(utctimestamp=old, receivedtimestamp=old)])
    alert = AlertSshSilent()
    alert.run()
    assert len(alert.alert_ids) == 1


def test_fires_when_only_other_events_arrive(settings, store):
    load_events(store, [make_event(processname="cron")])
    alert = AlertSshSilent()
    alert.run()
    assert len(alert.alert_ids) == 1


def test_fires_again_on_every_run_while_the_source_stays_silent(settings, store):
    alert = AlertSshSilent()
    alert.run()
    alert.run()
    assert len(alert_sources(store)) == 2


def test_asks_the_store_for_a_single_hit(settings, store):
    load_events(store, [make_event() for _ in range(5)])
    alert = AlertSshSilent()
    alert.run()
    assert len(alert.events) == 1
    assert alert.alert_ids == []


def test_a_silent_source_costs_a_constant_number_of_store_calls(settings, store):
    calls = count_store_calls(store)
    AlertSshSilent().run()
    assert calls["bulk"] == 1  # the alert; no events to tag
    assert calls["refresh"] == 1
    assert sum(calls.values()) <= 5, calls


def test_is_an_alert_task():
    from lib.alerttask import AlertTask

    assert issubclass(DeadmanAlertTask, AlertTask)
