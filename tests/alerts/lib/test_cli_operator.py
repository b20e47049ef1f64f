"""The operator commands, run through the real `vigil` click group on real stores."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from lib import config
from lib.cli import main
from lib.runs import RunRecord, save_run
from lib.store import open_store

FIRING = "tests.alerts.lib.test_celery_app.FiringAlert"
FAILING = "tests.alerts.lib.test_celery_app.FailingAlert"


def vigil(*args: str):
    return CliRunner().invoke(main, list(args))


def _event(minutes_ago: float, **fields) -> dict:
    when = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()
    base = {"utctimestamp": when, "receivedtimestamp": when, "category": "celery-app-test"}
    return base | {"hostname": "web1", "summary": "Failed password"} | fields


def _alert(minutes_ago: int, summary: str) -> dict:
    when = (datetime(2026, 3, 4, 12, tzinfo=UTC) - timedelta(minutes=minutes_ago)).isoformat()
    return {"utctimestamp": when, "severity": "NOTICE", "classname": "AlertX", "summary": summary}


@pytest.fixture
def cli_store():
    url = f"memory://cli-{uuid.uuid4().hex}"
    return url, open_store(url)


def test_alerts_on_an_empty_store(cli_store):
    result = vigil("alerts", "--store", cli_store[0])
    assert (result.exit_code, result.output) == (0, "No alerts yet.\n")


def test_alerts_are_listed_newest_first(cli_store):
    url, store = cli_store
    for minutes, summary in ((5, "older"), (1, "newest"), (9, "oldest")):
        store.index("alerts", _alert(minutes, summary), refresh=True)
    result = vigil("alerts", "--store", url)
    lines = result.output.splitlines()
    assert lines[0].split() == ["TIME", "(UTC)", "SEVERITY", "ALERT", "SUMMARY"]
    assert [line.split()[-1] for line in lines[1:]] == ["newest", "older", "oldest"]
    assert lines[1].startswith("2026-03-04 11:59:00  NOTICE    AlertX")


def test_alerts_says_when_the_limit_hides_older_alerts(cli_store):
    url, store = cli_store
    for minutes in range(3):
        store.index("alerts", _alert(minutes, f"alert {minutes}"), refresh=True)
    shown = vigil("alerts", "--store", url, "--limit", "2").output.splitlines()
    assert len(shown) == 4 and shown[-1] == "showing the newest 2 of 3 (--limit N for more)"
    assert "showing" not in vigil("alerts", "--store", url, "--limit", "3").output


def test_alerts_json_is_a_list_of_documents(cli_store):
    url, store = cli_store
    saved = store.index("alerts", _alert(1, "one"), refresh=True)
    result = vigil("alerts", "--store", url, "--json")
    assert orjson.loads(result.output) == [
        {"_id": saved["_id"], "_index": saved["_index"], "_source": _alert(1, "one")}
    ]


def test_runs_lists_records_with_their_outcome(cli_store):
    url, store = cli_store
    start = datetime(2026, 3, 4, 12, tzinfo=UTC)
    save_run(
        store,
        RunRecord("a.Alert", start, finished=start + timedelta(seconds=2), events=4, alerts=1),
    )
    save_run(store, RunRecord("a.Alert", start + timedelta(minutes=1), skipped="overlap"))
    save_run(store, RunRecord("b.Other", start + timedelta(minutes=2), error="StoreError: down"))
    lines = vigil("runs", "--store", url).output.splitlines()
    assert [line.split()[2] for line in lines[1:]] == ["b.Other", "a.Alert", "a.Alert"]
    assert lines[1].endswith("error: StoreError: down")
    assert lines[2].endswith("skipped (overlap)")
    assert lines[3].split()[3:] == ["2.00s", "4", "1", "ok"]
    only_b = orjson.loads(vigil("runs", "--store", url, "--alert", "b.Other", "--json").output)
    assert [run["alert"] for run in only_b] == ["b.Other"]


def test_run_alert_runs_once_and_prints_what_fired(settings, store_url, store):
    store.bulk([{"_index": "events", "_source": _event(1)} for _ in range(2)], refresh=True)
    result = vigil("run-alert", FIRING, "--store", store_url)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{FIRING}: 2 event(s) matched, 2 alert(s) fired in ")
    assert lines[1].startswith("  NOTICE  test alert  (")
    again = orjson.loads(vigil("run-alert", FIRING, "--store", store_url, "--json").output)
    assert (again["run"]["events"], again["alerts"]) == (0, [])


def test_run_alert_of_an_unknown_alert_is_a_one_line_error(settings):
    result = vigil("run-alert", "no_such_module.Alert")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: alert no_such_module.Alert: module no_such_module failed"
    )
    assert "Traceback" not in result.output and len(result.output.splitlines()) == 1


def test_run_alert_that_fails_is_a_one_line_error_and_recorded(settings, store_url, store):
    result = vigil("run-alert", FAILING, "--store", store_url)
    assert (result.exit_code, result.output) == (1, f"Error: {FAILING} failed: ValueError: boom\n")
    assert "ValueError: boom" in vigil("runs", "--store", store_url).output


def test_search_finds_recent_events_matching_a_lucene_query(cli_store):
    url, store = cli_store
    events = [_event(2, hostname="web1"), _event(3, hostname="db1"), _event(90, hostname="web1")]
    store.bulk([{"_index": "events", "_source": e} for e in events], refresh=True)
    result = vigil("search", "hostname:web1", "--minutes", "30", "--store", url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "1 event(s) in the last 30 minute(s); showing 1"
    documents = orjson.loads(
        vigil("search", "hostname:*1", "--minutes", "30", "--store", url, "--json").output
    )
    assert sorted(d["_source"]["hostname"] for d in documents) == ["db1", "web1"]


def test_search_reaches_daily_indices_older_than_a_week(cli_store):
    url, store = cli_store
    for days_ago in (20, 10, 0):
        event = _event(days_ago * 1440 + 1)
        with freeze_time(event["utctimestamp"]):  # written that day, to that day's index
            store.bulk([{"_index": "events", "_source": event}])
    store.refresh()
    assert len(store.list_indices()) == 3
    result = vigil("search", "hostname:web1", "--minutes", str(14 * 1440), "--store", url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2 event(s) in the last 20160 minute(s); showing 2"


def test_search_with_a_malformed_query_is_a_one_line_error(cli_store):
    url, store = cli_store
    store.bulk([{"_index": "events", "_source": _event(1)}], refresh=True)
    result = vigil("search", "hostname:(web1", "--store", url)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_setup_prepares_an_empty_store(cli_store):
    url, store = cli_store
    result = vigil("setup", "--store", url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"Store ready: {url}"
    assert store.index_exists("vigil-runs") and store.index_exists("vigil-locks")
    assert vigil("setup", "--store", url).exit_code == 0


def test_setup_json_names_what_it_created(cli_store):
    url, store = cli_store
    first = vigil("setup", "--store", url, "--json")
    assert first.exit_code == 0, first.output
    created = orjson.loads(first.stdout)
    assert created["store"] == url
    assert set(created["created"]["indices"]) >= {"vigil-runs", "vigil-locks"}
    assert created["indices"] == store.list_indices()
    assert created["aliases"] == store.get_aliases()
    again = orjson.loads(vigil("setup", "--store", url, "--json").stdout)
    assert again["created"] == {"indices": [], "aliases": {}}


def test_an_unreachable_store_is_a_one_line_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = vigil("alerts", "--store", url)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_every_operator_command_takes_store():
    for command in ("alerts", "runs", "run-alert", "search", "setup", "serve"):
        assert "--store URL" in vigil(command, "--help").output


def test_serve_refuses_a_bad_alert_before_starting_anything(tmp_path, monkeypatch):
    module = f"bad_schedule_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(
        "from celery.schedules import crontab\nALERTS = {'nosuch.AlertX': {'schedule': crontab()}}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("VIGIL_ALERTS_MODULE", module)
    # `serve --store` sets the store for the processes it starts: undo that afterwards.
    monkeypatch.setenv("VIGIL_STORE_URL", "")
    monkeypatch.setattr(config, "STORE_URL", config.STORE_URL)
    monkeypatch.setitem(config.ES, "servers", list(config.ES.get("servers") or []))
    result = vigil("serve", "--store", f"memory://serve-{uuid.uuid4().hex}")
    assert result.exit_code == 1
    assert result.output.startswith("Error: alert nosuch.AlertX: module nosuch failed to import")
