"""Tests of the alert test harness itself: its helpers, its broker choice, and its verdicts.

The verdict tests run deliberately wrong test modules for a real alert (bruteforce_ssh)
in a temporary repository and check that the harness fails them, naming the problem.
"""

from __future__ import annotations

import shutil
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path

import kombu
import pytest
from freezegun import freeze_time

from lib import messaging
from lib.publisher import Publisher

from . import broker
from .alert_test_suite import AlertTestSuite, alert_module_name, dict_merge
from .conftest import REPO, RunAlertTests
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

# -- names and helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("classname", "module"),
    [
        ("AlertBruteforceSsh", "bruteforce_ssh"),
        ("AlertProxyDropExecutable", "proxy_drop_executable"),
        ("AlertSSHBruteForce", "ssh_brute_force"),
        ("CloudtrailDeadman", "cloudtrail_deadman"),
    ],
)
def test_alert_module_name_follows_mozdef(classname: str, module: str) -> None:
    assert alert_module_name(classname) == module


def test_dict_merge_merges_objects_and_replaces_everything_else() -> None:
    source = {"details": {"program": "sshd"}, "tags": ["a"]}
    merged = dict_merge({"details": {"hostname": "h"}, "tags": ["x", "y"]}, source)
    assert merged == {"details": {"hostname": "h", "program": "sshd"}, "tags": ["a"]}
    merged["tags"].append("b")
    assert source["tags"] == ["a"], "the merged event must not share lists with its sources"


@pytest.mark.parametrize(
    ("given", "notify"),
    [
        ({"severity": "NOTICE"}, False),
        ({"severity": "INFO"}, False),
        ({"severity": "WARNING"}, True),
        ({"severity": "NOTICE", "channel": "#sec"}, True),
        ({"severity": "WARNING", "notify_mozdefbot": False}, False),
    ],
)
def test_expected_alert_gets_mozdefs_notify_rule(given: dict, notify: bool) -> None:
    case = PositiveAlertTestCase("case", [{"_source": {}}], given)
    assert AlertTestSuite.expected_alert_fields(case)["notify_mozdefbot"] is notify
    assert case.expected_alert == given, "the case itself is left as given"


def test_timestamp_helpers_read_the_frozen_clock_when_called() -> None:
    later = AlertTestSuite.subtract_from_timestamp_lambda({"minutes": 21})
    with freeze_time("2017-01-01 01:00:00", tz_offset=0):
        assert AlertTestSuite.current_timestamp() == "2017-01-01T01:00:00+00:00"
        assert later() == "2017-01-01T00:39:00+00:00"
        assert AlertTestSuite.create_timestamp_from_now(0, 5, 0) == "2017-01-01T00:05:00+00:00"


def test_cases_copy_their_events() -> None:
    events = AlertTestSuite.create_events({"_source": {"summary": "x"}}, 2)
    case = NegativeAlertTestCase("case", events)
    events[0]["_source"]["summary"] = "changed"
    assert case.events[0]["_source"]["summary"] == "x"


def test_cases_refuse_malformed_declarations() -> None:
    with pytest.raises(TypeError, match="events contains a list"):
        NegativeAlertTestCase("nested", [[{"_source": {}}]])
    with pytest.raises(TypeError, match="expects no alert"):
        NegativeAlertTestCase("negative", [], expected_alert={"summary": "x"})
    with pytest.raises(TypeError, match="needs an expected_alert"):
        PositiveAlertTestCase("positive", [], None)


# -- the broker -----------------------------------------------------------------------


@pytest.fixture
def closed_rabbitmq_port(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the harness's RabbitMQ probe at a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(broker, "RABBITMQ_PORT", port)
    broker.rabbitmq_reachable.cache_clear()
    yield
    broker.rabbitmq_reachable.cache_clear()


def test_required_rabbitmq_that_is_down_fails_loudly(
    closed_rabbitmq_port: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(broker.REQUIRE_RABBITMQ_ENV, "1")
    monkeypatch.delenv(broker.FORCE_EMBEDDED_ENV, raising=False)
    with pytest.raises(broker.RabbitMQUnavailable, match="VIGIL_REQUIRE_RABBITMQ is set"):
        broker.harness_rabbitmq(tmp_path)


def test_rabbitmq_that_is_down_falls_back_to_the_embedded_transport(
    closed_rabbitmq_port: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(broker.REQUIRE_RABBITMQ_ENV, raising=False)
    monkeypatch.delenv(broker.FORCE_EMBEDDED_ENV, raising=False)
    settings = broker.harness_rabbitmq(tmp_path)
    assert broker.broker_kind(settings) == "embedded"
    assert settings["data_folder"] == str(tmp_path)


def test_a_test_needing_rabbitmq_fails_when_it_is_required_and_down(
    closed_rabbitmq_port: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(broker.REQUIRE_RABBITMQ_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="VIGIL_REQUIRE_RABBITMQ is set"):
        broker.rabbitmq_or_skip()


def test_a_test_needing_rabbitmq_is_skipped_when_it_is_down_and_optional(
    closed_rabbitmq_port: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(broker.REQUIRE_RABBITMQ_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="RabbitMQ is not running"):
        broker.rabbitmq_or_skip()


def test_each_case_gets_its_own_exchange(tmp_path: Path) -> None:
    first, second = broker.harness_rabbitmq(tmp_path), broker.harness_rabbitmq(tmp_path)
    assert first["alertexchange"].startswith("alerts-test-")
    assert first["alertexchange"] != second["alertexchange"]


def broker_settings(kind: str, tmp_path: Path) -> dict:
    """Harness settings for `kind`; skips RabbitMQ when it is not there (unless required)."""
    settings = broker.harness_rabbitmq(tmp_path)
    if kind == "embedded":
        return {**settings, "url": "", "data_folder": str(tmp_path)}
    if broker.broker_kind(settings) != "rabbitmq":
        pytest.skip("this test run uses the embedded transport, not RabbitMQ")
    return settings


@pytest.mark.parametrize("kind", ["embedded", "rabbitmq"])
def test_capture_collects_alert_messages_and_nothing_else(kind: str, tmp_path: Path) -> None:
    settings = broker_settings(kind, tmp_path)
    capture = broker.AlertMessageCapture(settings)
    capture.start()
    try:
        body = {"_id": "a1", "_index": "alerts-201701", "_source": {"summary": "s"}}
        assert Publisher(settings).publish([body]) == []
        with messaging.connection(settings) as conn:
            conn.Producer(serializer="json").publish(
                {"other": True},
                exchange=messaging.alert_exchange(settings),
                routing_key="mozdef.other",
                declare=[messaging.alert_exchange(settings)],
            )
        assert capture.messages() == [body]
        assert capture.messages() == []
    finally:
        capture.close()


def test_capture_removes_its_exchange_from_rabbitmq(tmp_path: Path) -> None:
    settings = broker_settings("rabbitmq", tmp_path)
    capture = broker.AlertMessageCapture(settings)
    capture.start()
    capture.close()
    with messaging.connection(settings) as conn, pytest.raises(conn.channel_errors):
        kombu.Exchange(settings["alertexchange"], type="topic", passive=True)(
            conn.default_channel
        ).declare()


# -- verdicts on wrong test modules -------------------------------------------------

WRONG_TESTS = """
from .alert_test_suite import AlertTestSuite
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

FAILED = {
    "_source": {
        "hostname": "ip-10-77-20-248",
        "category": "syslog",
        "summary": "Failed password for root from 218.60.136.106 port 56338 ssh2",
        "details": {"program": "sshd", "sourceipaddress": "218.60.136.106",
                    "username": "root", "success": False},
    }
}
ALERT = {
    "category": "bruteforce",
    "severity": "NOTICE",
    "summary": "12 ssh bruteforce attempts by 218.60.136.106 ip-10-77-20-248 (12 hits)",
    "tags": ["ssh"],
}


class TestAlertBruteforceSsh(AlertTestSuite):
    default_event = FAILED
    default_alert = ALERT
    num_samples = 10
    test_cases = [
        PositiveAlertTestCase("right", AlertTestSuite.create_events(FAILED, 12), ALERT),
        NegativeAlertTestCase("fires anyway", AlertTestSuite.create_events(FAILED, 12)),
        PositiveAlertTestCase("wrong summary", AlertTestSuite.create_events(FAILED, 12),
                              dict(ALERT, summary="something else")),
        PositiveAlertTestCase("wrong severity", AlertTestSuite.create_events(FAILED, 12),
                              dict(ALERT, severity="WARNING")),
        PositiveAlertTestCase("too few", AlertTestSuite.create_events(FAILED, 9), ALERT),
    ]


class TestAlertNotThere(AlertTestSuite):
    default_event = FAILED
    test_cases = [NegativeAlertTestCase("missing alert", [FAILED])]
"""


def test_harness_fails_wrong_expectations_naming_the_problem(
    alert_repo_tree: Path, run_alert_tests: RunAlertTests
) -> None:
    for name in ("bruteforce_ssh.py", "bruteforce_ssh.conf"):
        shutil.copy(REPO / "alerts" / name, alert_repo_tree / "alerts" / name)
    test_file = alert_repo_tree / "tests" / "alerts" / "test_wrong.py"
    test_file.write_text(textwrap.dedent(WRONG_TESTS))
    result = run_alert_tests(alert_repo_tree, "tests/alerts/test_wrong.py")
    out = result.stdout
    assert "5 failed, 1 passed" in out, out
    assert "Alert fired when it was expected not to" in out
    assert "summary does not match" in out
    assert "severity does not match" in out
    assert "Alert did not fire as expected" in out
    assert "alert module 'not_there' not found" in out
