"""The log-file action writes one JSON line per alert."""

from __future__ import annotations

import threading

import orjson
import pytest
from actions import logfile


def _alert(number: int) -> dict:
    return {
        "_id": f"alert-{number}",
        "_index": "alerts-202403",
        "_source": {"summary": f"alert number {number}", "severity": "NOTICE"},
    }


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    path = tmp_path / "nested" / "alerts.log"
    monkeypatch.setenv("VIGIL_ALERT_LOG", str(path))
    return path


def test_each_alert_becomes_one_json_line(log_file):
    action = logfile.message()
    action.onMessage(_alert(1))
    action.onMessage(_alert(2))
    lines = log_file.read_bytes().splitlines()
    assert [orjson.loads(line) for line in lines] == [_alert(1), _alert(2)]


def test_returns_the_alert_unchanged_for_later_actions(log_file):
    assert logfile.message().onMessage(_alert(3)) == _alert(3)


def test_check_creates_the_log_directory(log_file):
    logfile.message().check()
    assert log_file.parent.is_dir()


def test_default_path_is_under_the_data_dir(monkeypatch):
    monkeypatch.delenv("VIGIL_ALERT_LOG", raising=False)
    assert logfile.log_path() == logfile.config.DATA_DIR / "alerts.log"


def test_concurrent_writers_never_interleave_lines(log_file):
    action = logfile.message()
    big = [_alert(n) | {"_source": {"summary": "x" * 2000, "n": n}} for n in range(200)]

    def write(part):
        for alert in part:
            action.onMessage(alert)

    threads = [threading.Thread(target=write, args=(big[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    written = [orjson.loads(line) for line in log_file.read_bytes().splitlines()]
    assert sorted(alert["_source"]["n"] for alert in written) == list(range(200))
