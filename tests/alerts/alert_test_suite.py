"""The alert test harness: MozDef's `AlertTestSuite`, on an embedded store and a real broker.

A test module subclasses `AlertTestSuite` and declares, as class attributes:

- `default_event`: merged over MozDef's default event (alert_events.py) for every event;
- `default_alert`: usually the `expected_alert` of the positive cases;
- `test_cases`: `PositiveAlertTestCase(description, events, expected_alert)` and
  `NegativeAlertTestCase(description, events)`, one test each (tests/conftest.py);
- optionally `alert_filename` (default: from the class name, `TestAlertFooBar` ->
  `foo_bar`), `alert_classname` (default: `AlertFooBar`), `deadman = True` for alerts
  that fire when nothing matches, and `num_samples` when an alert lists fewer events
  than were posted.

Each case runs with the clock frozen at 2017-01-01 01:00:00 UTC against a fresh embedded
store (`memory://<unique>`) and a fresh alert exchange (see broker.py), then checks:
a negative case saves and publishes nothing; a positive case fires, each saved alert in
`alerts-YYYYMM` matches `expected_alert` on every given key and carries `classname` and
the `notify_mozdefbot` rule, lists the posted events (or `num_samples`), each listed
event is tagged for this alert, and one message per alert was published with the same
`_id`, summary, category, utctimestamp and event count.

As in MozDef, `setup()` runs before each case and `teardown()` after it (an autouse
fixture calls them; pytest itself no longer calls nose-style methods), so a test module
may override them, calling ``super().setup()`` first, to seed `self.store` for its alert;
both run with the clock frozen at the cases' time.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import random
import re
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from lib.store import open_store

from .alert_events import AlertEvents
from .alert_test_case import AlertTestCase
from .broker import AlertMessageCapture, harness_rabbitmq

FROZEN_NOW = "2017-01-01 01:00:00"

# Reverse DNS answers during a run, as MozDef's harness gave them, so that alerts that
# enrich with hostnames are tested without the network.
RESOLVED_HOSTNAMES = {"10.2.3.4": "mock_hostname1.mozilla.org"}
DEFAULT_HOSTNAME = "mock.mozilla.org"


def resolve_without_network(ip: str) -> tuple[str, list[str], list[str]]:
    """`socket.gethostbyaddr` for the harness: a fixed answer for every address."""
    return RESOLVED_HOSTNAMES.get(ip, DEFAULT_HOSTNAME), [], [ip]


def alert_module_name(alert_classname: str) -> str:
    """MozDef's derivation: `AlertFooBar` -> `foo_bar`, `BazQux` -> `baz_qux`."""
    name = alert_classname.removeprefix("Alert")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return words.lower()


def dict_merge(target: dict[str, Any], *sources: dict[str, Any]) -> dict[str, Any]:
    """Merge `sources` into `target` in order: dicts merge recursively, other values replace."""
    for source in sources:
        for key, value in source.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                dict_merge(target[key], value)
            else:
                target[key] = copy.deepcopy(value)
    return target


def _drop_store(store: Any) -> None:
    for index in store.list_indices():
        store.delete_index(index)
    store.close()


class AlertTestSuite(AlertEvents):
    """Base class of alert test modules; runs every case of `test_cases` (MozDef's API)."""

    deadman = False
    default_event: dict[str, Any] = {}
    test_cases: list[AlertTestCase] = []

    # -- set-up -----------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def _alert_environment(
        self, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[None]:
        """Run `setup()` before each case and `teardown()` after it, as MozDef's harness did.

        pytest no longer calls nose-style ``setup``/``teardown`` methods, so this fixture
        does: a test module's override (calling ``super().setup()``) runs around every case,
        with the clock frozen as during the case (so timestamp helpers agree). Whatever the
        overrides do, the store is dropped and every patch undone afterwards.
        """
        self._request, self._tmp_path, self._monkeypatch = request, tmp_path, monkeypatch
        try:
            with freeze_time(FROZEN_NOW, tz_offset=0):
                self.setup()
            yield
            with freeze_time(FROZEN_NOW, tz_offset=0):
                self.teardown()
        finally:
            self._release()

    def setup(self) -> None:
        """Per-case set-up: name the alert, point it at a fresh store and exchange.

        Sets MozDef's attributes: `alert_classname`, `alert_filename`, `event_index_name`,
        `previous_event_index_name`, `alert_index_name` (dated by the frozen clock) and
        `config_delete_indexes` (always true: every case starts from an empty store).
        """
        from lib import alerttask

        self._name_the_alert()
        self._random = random.Random(self._request.node.nodeid)
        frozen = datetime.fromisoformat(FROZEN_NOW).replace(tzinfo=UTC)
        self.event_index_name = frozen.strftime("events-%Y%m%d")
        self.previous_event_index_name = (frozen - timedelta(days=1)).strftime("events-%Y%m%d")
        self.alert_index_name = frozen.strftime("alerts-%Y%m")
        self.config_delete_indexes = True
        self.store_url = f"memory://alert-test-{uuid.uuid4().hex}"
        self.rabbitmq = harness_rabbitmq(self._tmp_path / "broker")
        self._monkeypatch.setattr(alerttask, "ES", {"servers": [self.store_url]})
        self._monkeypatch.setattr(alerttask, "RABBITMQ", self.rabbitmq)
        self._chdir_to_alert(self._monkeypatch)
        self.store = open_store(self.store_url)
        self.rabbitmq_alerts = AlertMessageCapture(self.rabbitmq)
        self.rabbitmq_alerts.start()

    def teardown(self) -> None:
        """Per-case tear-down hook for test modules (the harness cleans up after it)."""

    def _release(self) -> None:
        capture = self.__dict__.pop("rabbitmq_alerts", None)
        store = self.__dict__.pop("store", None)
        try:
            if capture is not None:
                capture.close()
        finally:
            if store is not None:
                _drop_store(store)

    def _name_the_alert(self) -> None:
        cls_name = type(self).__name__
        if not hasattr(self, "alert_classname"):
            self.alert_classname = cls_name.removeprefix("Test")
        if not hasattr(self, "alert_filename"):
            self.alert_filename = alert_module_name(self.alert_classname)

    def _chdir_to_alert(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # MozDef's alerts run with alerts/ as the working directory; keep that true here.
        spec = importlib.util.find_spec(self.alert_filename)
        if spec is not None and spec.origin:
            monkeypatch.chdir(Path(spec.origin).parent)

    # -- the test ---------------------------------------------------------------------

    def test_alert_test_case(
        self, test_case: AlertTestCase, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Store the case's events, run the alert once, check what it saved and published."""
        with freeze_time(FROZEN_NOW, tz_offset=0):
            self.verify_starting_values(test_case)
            self.populate_test_case(test_case)
            with monkeypatch.context() as patch:
                patch.setattr(socket, "gethostbyaddr", resolve_without_network)
                alert_task = test_case.run(
                    alert_filename=self.alert_filename, alert_classname=self.alert_classname
                )
            self.verify_alert_task(alert_task, test_case)

    def verify_starting_values(self, test_case: AlertTestCase) -> None:
        """Check that the test module and the case are well formed before running."""
        assert test_case.description, "every test case needs a description"
        spec = importlib.util.find_spec(self.alert_filename)
        assert spec is not None, (
            f"alert module {self.alert_filename!r} not found (expected alerts/"
            f"{self.alert_filename}.py); set alert_filename in {type(self).__name__}"
        )
        module = importlib.import_module(self.alert_filename)
        assert hasattr(module, self.alert_classname), (
            f"Incorrect alert classname. We tried guessing the class name "
            f"({self.alert_classname}) in {self.alert_filename}.py, but that wasn't it. "
            "Define alert_classname in your alert unit test class."
        )
        assert test_case.events or self.deadman, "only a deadman alert's case may post no events"
        if test_case.expected_test_result:
            assert test_case.expected_alert is not None, "a positive case needs an expected_alert"
        else:
            assert test_case.expected_alert is None, "a negative case expects no alert"

    def populate_test_case(self, test_case: AlertTestCase) -> None:
        """Save each event of the case, merged over the defaults, and make them searchable."""
        for event in test_case.events:
            merged = dict_merge(self.generate_default_event(), self.default_event, event)
            source = merged["_source"]
            for field in ("utctimestamp", "receivedtimestamp"):
                if callable(source.get(field)):
                    source[field] = source[field]()
            saved = self.populate_test_event(source)
            merged["_index"], merged["_id"] = saved["_index"], saved["_id"]
            test_case.full_events.append(merged)
        self.refresh("events")

    def populate_test_event(self, event: dict[str, Any]) -> dict[str, Any]:
        """Save one event to `events` (routed to today's events-YYYYMMDD)."""
        return self.store.index("events", event)

    def refresh(self, index: str) -> None:
        """Make every write to `index` visible to search."""
        if self.store.index_exists(index):
            self.store.refresh(index)

    # -- checks -----------------------------------------------------------------------

    def verify_alert_task(self, alert_task: Any, test_case: AlertTestCase) -> None:
        """Check the run's outcome against the case: fired and correct, or silent."""
        assert alert_task.classname() == self.alert_classname, (
            f"alert classname {alert_task.classname()!r} is not {self.alert_classname!r}"
        )
        messages = self.rabbitmq_alerts.messages()
        if not test_case.expected_test_result:
            self.verify_no_alert(alert_task, messages)
            return
        assert len(alert_task.alert_ids) != 0, "Alert did not fire as expected"
        self.refresh("alerts")
        self.refresh("events")
        found_alerts = [self.get_alert(alert_id) for alert_id in alert_task.alert_ids]
        for found_alert in found_alerts:
            self.verify_expected_alert(found_alert, test_case)
            self.verify_saved_events(found_alert, test_case)
        self.verify_rabbitmq_alerts(found_alerts, messages)

    def verify_no_alert(self, alert_task: Any, messages: list[dict[str, Any]]) -> None:
        """A negative case: no alert id, no saved alert document, no message."""
        assert len(alert_task.alert_ids) == 0, (
            f"Alert fired when it was expected not to: {alert_task.alert_ids}"
        )
        saved = self.store.search("alerts", {"query": {"match_all": {}}}, ignore_unavailable=True)
        assert saved["hits"]["total"]["value"] == 0, "an alert document was saved anyway"
        assert messages == [], f"alert messages were published anyway: {messages}"

    def get_alert(self, alert_id: str) -> dict[str, Any]:
        """The saved alert document with `alert_id`, from this month's alerts index."""
        found = self.store.get(self.alert_index_name, alert_id)
        assert found["found"], f"alert {alert_id} is not in {self.alert_index_name}"
        return found

    def verify_expected_alert(self, found_alert: dict[str, Any], test_case: AlertTestCase) -> None:
        """The saved alert matches `expected_alert` on every given key, plus MozDef's rules."""
        source = found_alert["_source"]
        assert found_alert["_index"] == self.alert_index_name, (
            f"Alert index not properly set, got: {found_alert['_index']}"
        )
        assert isinstance(found_alert["_id"], str), "Alert _id is malformed"
        assert "utctimestamp" in source, "Alert does not have utctimestamp specified"
        assert source.get("classname") == self.alert_classname, "Alert classname field is bad"
        assert isinstance(source.get("events"), list), "Alert events field is not a list"
        for key, value in self.expected_alert_fields(test_case).items():
            got = source.get(key, "<missing>")
            assert got == value, f"{key} does not match!\n\tgot: {got}\n\texpected: {value}"

    @staticmethod
    def expected_alert_fields(test_case: AlertTestCase) -> dict[str, Any]:
        """`expected_alert` with MozDef's defaults: no channel, and the notify_mozdefbot rule."""
        expected = dict(test_case.expected_alert or {})
        expected.setdefault("channel", None)
        quiet = expected.get("severity") in ("NOTICE", "INFO") and expected["channel"] is None
        expected.setdefault("notify_mozdefbot", not quiet)
        return expected

    def verify_saved_events(self, found_alert: dict[str, Any], test_case: AlertTestCase) -> None:
        """The alert lists the posted events, each tagged with this alert (not for deadman)."""
        if self.deadman:
            return
        listed = found_alert["_source"]["events"]
        expected_count = getattr(self, "num_samples", len(test_case.full_events))
        assert len(listed) == expected_count, (
            f"the alert lists {len(listed)} events, expected {expected_count}"
        )
        ids = [event["documentid"] for event in listed]
        assert len(set(ids)) == len(ids), f"the alert lists an event twice: {ids}"
        for event in listed:
            self.verify_tagged_event(event, found_alert)

    def verify_tagged_event(self, listed: dict[str, Any], found_alert: dict[str, Any]) -> None:
        """One listed event carries `alert_names == [alert]` and points back at the alert."""
        found_event = self.store.get(listed["documentindex"], listed["documentid"])
        assert found_event["found"], f"listed event {listed['documentid']} is not in the store"
        source = found_event["_source"]
        assert source.get("alert_names") == [self.alert_classname], (
            f"event alert_names is {source.get('alert_names')}, expected [{self.alert_classname}]"
        )
        assert source.get("alerts"), "event is not linked to its alert"
        for alert in source["alerts"]:
            assert alert == {"index": found_alert["_index"], "id": found_alert["_id"]}, (
                f"event points at {alert}, not at alert {found_alert['_id']}"
            )

    def verify_rabbitmq_alerts(
        self, found_alerts: list[dict[str, Any]], messages: list[dict[str, Any]]
    ) -> None:
        """Exactly one message per saved alert arrived, carrying the same alert."""
        exchange = self.rabbitmq["alertexchange"]
        by_id = {message.get("_id"): message for message in messages}
        assert len(messages) == len(found_alerts) == len(by_id), (
            f"{len(messages)} message(s) arrived on {exchange} for {len(found_alerts)} alert(s)"
        )
        for found_alert in found_alerts:
            message = by_id.get(found_alert["_id"])
            assert message is not None, f"no message on {exchange} for alert {found_alert['_id']}"
            self.verify_rabbitmq_alert(found_alert, message)

    @staticmethod
    def verify_rabbitmq_alert(found_alert: dict[str, Any], message: dict[str, Any]) -> None:
        """One published message matches the saved alert it announces."""
        assert set(message) == {"_id", "_index", "_source"}, f"message is malformed: {message}"
        assert message["_index"] == found_alert["_index"], "Alert from rabbitmq has bad _index"
        body, saved = message["_source"], found_alert["_source"]
        for field in ("summary", "category", "utctimestamp", "notify_mozdefbot", "channel"):
            assert body.get(field) == saved.get(field), f"Alert from rabbitmq has bad {field} field"
        assert len(body["events"]) == len(saved["events"]), (
            "Alert from rabbitmq has bad events field"
        )
