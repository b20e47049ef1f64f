"""Plugins: MozDef's contract, checked at load, run in priority order on matching alerts."""

from __future__ import annotations

import pytest

import lib.alerttask
from lib.errors import AlertError, ConfigError
from lib.plugins import PluginSet, message_fields, plugin_set

from .conftest import load_events, make_event
from .sample_alerts import AlertSshEvent

STAMP = """
class message:
    def __init__(self):
        self.registration = {registration!r}
        {priority}

    def onMessage(self, message):
        message.setdefault("seen", []).append({name!r})
        return message
"""


def stamp_plugin(plugin_dir, name, registration=("*",), priority=None):
    line = f"self.priority = {priority}" if priority is not None else "pass"
    source = STAMP.format(registration=list(registration), priority=line, name=name)
    return plugin_dir(name, source)


def test_message_fields_are_every_key_and_value_lowercased_plus_star():
    fields = message_fields({"Summary": "SSH Brute", "details": {"ports": [22, "Tcp"]}})
    assert fields == {"summary", "ssh brute", "details", "ports", 22, "tcp", "*"}


def test_plugins_run_in_priority_order_default_100(plugin_dir):
    names = [
        stamp_plugin(plugin_dir, "late", priority=200),
        stamp_plugin(plugin_dir, "default"),
        stamp_plugin(plugin_dir, "early", priority=5),
    ]
    assert PluginSet("unused", names).run({"summary": "x"})["seen"] == ["early", "default", "late"]


@pytest.mark.parametrize(
    ("registration", "runs"),
    [(["*"], True), (["summary"], True), (["ssh brute"], True), (["nothing"], False)],
    ids=["star", "key", "value-lowercased", "no-match"],
)
def test_registration_selects_alerts(plugin_dir, registration, runs):
    name = stamp_plugin(plugin_dir, "picky", registration=registration)
    result = PluginSet("unused", [name]).run({"summary": "SSH Brute"})
    assert ("seen" in result) is runs


def test_a_plugin_returning_none_drops_the_alert_and_stops_the_chain(plugin_dir):
    dropper = plugin_dir(
        "dropper",
        "class message:\n    registration = ['*']\n    priority = 1\n"
        "    def onMessage(self, message):\n        return None\n",
    )
    after = stamp_plugin(plugin_dir, "after")
    alert = {"summary": "x"}
    assert PluginSet("unused", [dropper, after]).run(alert) is None
    assert "seen" not in alert


def test_plain_names_are_modules_of_the_plugin_package(plugin_dir):
    full = stamp_plugin(plugin_dir, "packaged")
    package, name = full.split(".")
    assert PluginSet(package, [name]).run({"a": 1})["seen"] == ["packaged"]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("raise ImportError('needs a missing library')\n", "failed to import"),
        ("x = 1\n", "defines no class 'message'"),
        ("class message:\n    def onMessage(self, m):\n        return m\n", "registration"),
        (
            "class message:\n    registration = []\n    def onMessage(self, m):\n        return m\n",
            "registration",
        ),
        ("class message:\n    registration = ['*']\n", "onMessage"),
        (
            "class message:\n    registration = ['*']\n    priority = 'high'\n"
            "    def onMessage(self, m):\n        return m\n",
            "priority",
        ),
        (
            "class message:\n    def __init__(self):\n        raise OSError('no config file')\n",
            "failed to start",
        ),
    ],
    ids=[
        "import-error",
        "no-class",
        "no-registration",
        "empty-registration",
        "no-onmessage",
        "bad-priority",
        "constructor-fails",
    ],
)
def test_a_broken_plugin_fails_loading_with_its_name(plugin_dir, source, problem):
    name = plugin_dir("broken", source)
    with pytest.raises(ConfigError, match=problem) as raised:
        PluginSet("unused", [name]).load()
    assert name in str(raised.value)


def test_a_missing_plugin_fails_loading_with_its_name():
    with pytest.raises(ConfigError, match="no_such_plugin_anywhere"):
        PluginSet("plugins", ["no_such_plugin_anywhere"]).load()


def test_an_exception_in_a_plugin_fails_with_its_name_and_cause(plugin_dir):
    name = plugin_dir(
        "crashing",
        "class message:\n    registration = ['*']\n"
        "    def onMessage(self, message):\n        raise KeyError('details')\n",
    )
    with pytest.raises(AlertError, match="crashing") as raised:
        PluginSet("unused", [name]).run({"a": 1})
    assert isinstance(raised.value.__cause__, KeyError)


def test_a_plugin_must_return_a_dict_or_none(plugin_dir):
    name = plugin_dir(
        "wrong_type",
        "class message:\n    registration = ['*']\n"
        "    def onMessage(self, message):\n        return 'alert'\n",
    )
    with pytest.raises(AlertError, match="wrong_type returned str"):
        PluginSet("unused", [name]).run({"a": 1})


def test_plugins_are_loaded_once_per_process(plugin_dir):
    name = plugin_dir(
        "counted",
        "STARTS = []\nclass message:\n    registration = ['*']\n"
        "    def __init__(self):\n        STARTS.append(1)\n"
        "    def onMessage(self, message):\n        return message\n",
    )
    shared = plugin_set("unused", (name,))
    shared.run({"a": 1})
    plugin_set("unused", (name,)).run({"a": 2})
    import importlib

    assert importlib.import_module(name).STARTS == [1]


# -- plugins inside an alert run -----------------------------------------------------------------


def test_a_broken_plugin_stops_the_run_before_anything_is_saved(
    settings, store, plugin_dir, monkeypatch, frozen
):
    name = plugin_dir("broken_in_run", "x = 1\n")
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [name])
    load_events(store, [make_event()])
    alert = AlertSshEvent()
    with pytest.raises(ConfigError, match="broken_in_run"):
        alert.run()
    assert not store.index_exists("alerts")


def test_a_dropped_alert_is_not_saved_tagged_or_published(
    settings, store, plugin_dir, monkeypatch, alert_queue, frozen
):
    name = plugin_dir(
        "drop_all",
        "class message:\n    registration = ['*']\n"
        "    def onMessage(self, message):\n        return None\n",
    )
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [name])
    load_events(store, [make_event()])
    alert = AlertSshEvent()
    alert.run()
    assert alert.alert_ids == []
    assert not store.index_exists("alerts")
    (event,) = store.scan("events", {"query": {"match_all": {}}})
    assert "alert_names" not in event["_source"]
    assert alert_queue.drain() == []


def test_a_plugin_crashing_in_a_run_fails_it_and_saves_nothing(
    settings, store, plugin_dir, monkeypatch, frozen
):
    name = plugin_dir(
        "crash_in_run",
        "class message:\n    registration = ['*']\n"
        "    def onMessage(self, message):\n        raise ValueError('bad enrichment')\n",
    )
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [name])
    load_events(store, [make_event()])
    alert = AlertSshEvent()
    with pytest.raises(AlertError, match="crash_in_run"):
        alert.run()
    assert isinstance(alert.error_thrown, AlertError)
    assert not store.index_exists("alerts")
