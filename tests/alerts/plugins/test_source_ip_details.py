"""The source_ip_details alert plugin."""

from __future__ import annotations

import pytest
from plugins import source_ip_details

import lib.alerttask
from lib.plugins import PluginSet

from ..lib.conftest import load_events, make_event
from ..lib.sample_alerts import AlertFailedSsh, AlertSshSilent


def alert_with(*addresses):
    events = [
        {"documentsource": {"details": {"sourceipaddress": a}} if a else {"summary": "no ip"}}
        for a in addresses
    ]
    return {"summary": "s", "events": events}


def test_copies_the_first_events_source_ip():
    alert = source_ip_details.message().onMessage(alert_with(None, "1.2.3.4", "5.6.7.8", "1.2.3.4"))
    assert alert["details"] == {
        "sourceipaddress": "1.2.3.4",
        "sourceipaddresses": ["1.2.3.4", "5.6.7.8"],
    }


def test_keeps_an_address_the_alert_set_itself():
    alert = alert_with("1.2.3.4")
    alert["details"] = {"sourceipaddress": "9.9.9.9", "other": 1}
    enriched = source_ip_details.message().onMessage(alert)
    assert enriched["details"]["sourceipaddress"] == "9.9.9.9"
    assert enriched["details"]["other"] == 1


def test_leaves_alerts_without_source_ips_alone():
    alert = alert_with(None)
    assert source_ip_details.message().onMessage(alert) == alert_with(None)
    assert "details" not in alert


def test_passes_the_plugin_contract():
    (plugin,) = PluginSet("plugins", ["source_ip_details"]).load()
    assert plugin.registration == frozenset({"events"})
    assert plugin.priority == 50


@pytest.mark.usefixtures("frozen")
def test_enriches_alerts_in_a_run(settings, store, alert_queue, monkeypatch):
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", ["source_ip_details"])
    load_events(store, [make_event(details={"sourceipaddress": "4.4.4.4"}) for _ in range(2)])
    alert = AlertFailedSsh()
    alert.run()
    (message,) = alert_queue.drain()
    assert message["_source"]["details"]["sourceipaddress"] == "4.4.4.4"
    saved = store.search("alerts", {"query": {"match_all": {}}})["hits"]["hits"][0]
    assert saved["_source"]["details"]["sourceipaddress"] == "4.4.4.4"


@pytest.mark.usefixtures("frozen")
def test_deadman_alerts_pass_through_unchanged(settings, store, monkeypatch):
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", ["source_ip_details"])
    alert = AlertSshSilent()
    alert.run()
    assert "details" not in alert.hooked[0]
