"""`vigil ingest` (lib/ingest.py, lib/ingest_report.py, lib/ingest_sources.py, lib/cli_replay.py)."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from lib.cli import main as vigil
from lib.errors import ConfigError
from lib.ingest import IngestOptions, Ingestor, detect_format, ingest
from lib.store import open_store

# Real auth.log lines (../shared/data/auth.log).
AUTH_LINES = [
    "Mar 27 13:08:09 ip-10-77-20-248 sshd[1361]: Accepted publickey for ubuntu from 85.245.107.41 port 54259 ssh2: RSA SHA256:Kl8kPGZrTiz7g4FO1hyqHdsSBBb5Fge6NWOobN03XJg",
    "Mar 27 13:09:37 ip-10-77-20-248 sudo:   ubuntu : TTY=pts/0 ; PWD=/home/ubuntu ; USER=root ; COMMAND=/usr/bin/apt-key add -",
    "Mar 28 21:25:01 ip-10-77-20-248 sshd[30171]: message repeated 5 times: [ Failed password for root from 122.163.61.218 port 51574 ssh2]",
    "Mar 29 10:38:05 ip-10-77-20-248 chpasswd[982]: pam_unix(chpasswd:chauthtok): password changed for elastic_user_0",
]


@pytest.fixture
def store():
    store = open_store(f"memory://ingest-test-{uuid.uuid4().hex}")
    yield store
    for index in store.list_indices():
        store.delete_index(index)
    store.close()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def all_events(store) -> list[dict]:
    if not store.index_exists("events"):
        return []
    return [hit["_source"] for hit in store.scan("events", {"query": {"match_all": {}}})]


def test_syslog_lines_become_searchable_events(store, tmp_path):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES)
    report = ingest(store, [str(log)], IngestOptions(year=2017))
    assert (report.lines, report.items_parsed, report.events, report.written) == (4, 4, 8, 8)
    assert report.accounted
    found = store.search("events", {"query": {"match": {"details.username": "ubuntu"}}})
    source = found["hits"]["hits"][0]["_source"]
    assert source["utctimestamp"] == "2017-03-27T13:08:09+00:00"
    assert source["source"] == str(log)
    assert source["details"]["sourceipaddress"] == "85.245.107.41"
    assert source["receivedtimestamp"] and source["mozdefhostname"]


def test_message_repeated_counts_as_n_identical_events(store, tmp_path):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES[2:3])
    report = ingest(store, [str(log)], IngestOptions(year=2017))
    assert (report.lines, report.events, report.written) == (1, 5, 5)
    summaries = {event["summary"] for event in all_events(store)}
    assert summaries == {"Failed password for root from 122.163.61.218 port 51574 ssh2"}


def test_every_line_is_written_skipped_or_rejected_and_bad_lines_do_not_stop_the_rest(
    store, tmp_path
):
    lines = [
        AUTH_LINES[0],
        "",
        "garbage line",
        "   ",
        "Feb 30 10:00:00 h sshd[1]: x",
        AUTH_LINES[1],
    ]
    log = write_lines(tmp_path / "auth.log", lines)
    report = ingest(store, [str(log)], IngestOptions(year=2017))
    assert report.lines == 6 and report.written == 2 and report.accounted
    assert report.skipped == {"blank line": 2}
    assert sum(report.rejected_items.values()) == 2
    assert [str(where) for where in report.examples["blank line"]] == [f"{log}:2", f"{log}:4"]
    rendered = report.render()
    assert "2 skipped, 2 rejected" in rendered
    assert f"not a syslog line (no RFC 3164 or RFC 5424 header) (at {log}:3)" in rendered
    assert f"{log}:5" in rendered


def test_only_the_first_few_line_numbers_are_listed(store, tmp_path):
    log = write_lines(tmp_path / "junk.log", [f"junk {n}" for n in range(8)])
    report = ingest(store, [str(log)], IngestOptions(format="syslog"))
    assert report.rejected_items == {"not a syslog line (no RFC 3164 or RFC 5424 header)": 8}
    assert f"(at {log}:1, {log}:2, {log}:3, {log}:4, {log}:5, ...)" in report.render()


def test_invalid_utf8_is_rejected_not_lost(store, tmp_path):
    log = tmp_path / "bin.log"
    log.write_bytes(b"Mar 27 13:08:09 host sshd[1]: caf\xe9\n" + AUTH_LINES[0].encode() + b"\n")
    report = ingest(store, [str(log)], IngestOptions(year=2017))
    assert report.rejected_items == {"not valid UTF-8": 1}
    assert report.written == 1 and report.accounted


def test_store_rejections_are_counted_with_the_stores_reason(store, tmp_path):
    """details.sourceipaddress is mapped `ip`: Elasticsearch refuses a document with a non-IP there."""
    events = [
        {"summary": "fine", "details": {"sourceipaddress": "1.2.3.4"}},
        {"summary": "bad", "details": {"sourceipaddress": "not-an-ip"}},
    ]
    log = write_lines(tmp_path / "events.ndjson", [orjson.dumps(e).decode() for e in events])
    report = ingest(store, [str(log)])
    assert report.written == 1 and report.accounted
    [(reason, count)] = report.rejected_events.items()
    assert count == 1 and reason.startswith("store refused the event: ")
    assert "sourceipaddress" in reason
    assert [str(where) for where in report.examples[reason]] == [f"{log}:2"]


def test_ndjson_events_are_normalized(store, tmp_path):
    lines = ['{"summary": "a", "timestamp": "2017-03-27T15:08:09+02:00"}', "[1]", "{broken"]
    log = write_lines(tmp_path / "events.ndjson", lines)
    report = ingest(store, [str(log)], IngestOptions(format="ndjson"))
    assert report.written == 1 and sum(report.rejected_items.values()) == 2
    [event] = all_events(store)
    assert event["utctimestamp"] == "2017-03-27T13:08:09+00:00"
    assert event["tags"] == [] and event["details"] == {}


def test_json_document_array_is_one_event_per_item(store, tmp_path):
    log = tmp_path / "events.json"
    log.write_text(
        '[\n {"summary": "a"},\n {"summary": "b", "utctimestamp": "nope"},\n {"summary": "c"}\n]\n'
    )
    report = ingest(store, [str(log)])
    assert (report.items, report.written) == (3, 2)
    assert {reason: [str(w) for w in where] for reason, where in report.examples.items()} == {
        "field [utctimestamp]: cannot parse 'nope' as a timestamp": [f"{log} item 2"]
    }


def test_json_document_that_is_not_json_is_rejected(store, tmp_path):
    log = tmp_path / "events.json"
    log.write_text("[{]\n")
    report = ingest(store, [str(log)], IngestOptions(format="json"))
    assert report.written == 0 and sum(report.rejected_items.values()) == 1 and report.accounted


@pytest.mark.parametrize(
    ("first_line", "fmt"),
    [
        (AUTH_LINES[0], "syslog"),
        ('{"summary": "x"}', "ndjson"),
        ("[", "json"),
        ("{", "json"),
        ("<34>1 2003-10-11T22:14:15Z host su - - - m", "syslog"),
    ],
    ids=["syslog", "ndjson", "json-array", "json-pretty-object", "rfc5424"],
)
def test_auto_detects_the_format_from_the_first_line(first_line, fmt):
    assert detect_format(first_line) == fmt


def test_auto_detection_looks_past_leading_blank_lines(store, tmp_path):
    log = write_lines(tmp_path / "e.ndjson", ["", '{"summary": "x"}'])
    report = ingest(store, [str(log)])
    assert report.written == 1 and report.skipped == {"blank line": 1}


def test_small_batches_write_everything(store, tmp_path):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES)
    report = ingest(store, [str(log)], IngestOptions(year=2017, batch_size=1))
    assert report.written == 8 and len(all_events(store)) == 8


def test_follow_reads_lines_appended_later_and_writes_them_when_the_file_goes_quiet(
    store, tmp_path
):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES[:1])
    stop = threading.Event()
    options = IngestOptions(year=2017, follow=True, poll_interval=0.02, should_stop=stop.is_set)
    ingestor = Ingestor(store, options)
    worker = threading.Thread(target=ingestor.ingest, args=([str(log)],))
    worker.start()
    try:
        wait_for(lambda: ingestor.report.written == 1)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(AUTH_LINES[1] + "\n")
            handle.write("Mar 29 10:38:05 ip-10-77-20-248 chpasswd[9]: partial")  # no newline yet
        wait_for(lambda: ingestor.report.written == 2)
        assert ingestor.report.lines == 2, "a line without its newline is not read yet"
        with log.open("a", encoding="utf-8") as handle:
            handle.write(" line\n")
        wait_for(lambda: ingestor.report.written == 3)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert [e["summary"] for e in all_events(store) if e["processname"] == "chpasswd"] == [
        "partial line"
    ]


def test_follow_starts_again_when_the_file_is_rotated(store, tmp_path):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES[:2])
    stop = threading.Event()
    options = IngestOptions(year=2017, follow=True, poll_interval=0.02, should_stop=stop.is_set)
    ingestor = Ingestor(store, options)
    worker = threading.Thread(target=ingestor.ingest, args=([str(log)],))
    worker.start()
    try:
        wait_for(lambda: ingestor.report.written == 2)
        log.rename(tmp_path / "auth.log.1")
        write_lines(log, AUTH_LINES[3:4])
        wait_for(lambda: ingestor.report.written == 3)
    finally:
        stop.set()
        worker.join(timeout=10)


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


# -- receivedtimestamp: when Vigil received the event, or the event's own time ----------

NDJSON_EVENT = '{"summary": "x", "utctimestamp": "2017-03-27T13:08:09Z", "receivedtimestamp": 1}'


@pytest.mark.parametrize(
    ("name", "lines"),
    [("auth.log", AUTH_LINES), ("e.ndjson", [NDJSON_EVENT]), ("e.json", [f"[{NDJSON_EVENT}]"])],
    ids=["syslog", "ndjson", "json"],
)
@pytest.mark.parametrize("received_at", ["now", "event"])
def test_received_at_stamps_the_ingest_time_or_the_events_own(
    store, tmp_path, name, lines, received_at
):
    log = write_lines(tmp_path / name, lines)
    with freeze_time("2026-03-04T12:00:00Z"):
        ingest(store, [str(log)], IngestOptions(year=2017, received_at=received_at))
    events = all_events(store)
    assert events and all(event["utctimestamp"].startswith("2017-") for event in events)
    for event in events:
        expected = event["utctimestamp"] if received_at == "event" else None
        if expected is None:  # 'now': the ingest time, unless the event carried its own
            expected = (
                "1970-01-01T00:00:01+00:00" if "json" in name else "2026-03-04T12:00:00+00:00"
            )
        assert event["receivedtimestamp"] == expected


def test_an_unknown_received_at_is_a_config_error(store):
    with pytest.raises(ConfigError, match="received_at must be one of"):
        Ingestor(store, IngestOptions(received_at="later"))


# -- the command line ---------------------------------------------------------------------


def test_cli_ingest_prints_the_account(store, tmp_path):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES + ["", "junk"])
    result = CliRunner().invoke(vigil, ["ingest", str(log), "--year", "2017", "--store", store.url])
    assert result.exit_code == 0, result.output
    assert "read 6 lines (6 items): 4 parsed into 8 events, 1 skipped, 1 rejected" in result.stdout
    assert "events: 8 written, 0 rejected by the store" in result.stdout
    assert len(all_events(store)) == 8


def test_cli_ingest_json_gives_the_counts_reasons_and_first_positions(store, tmp_path):
    junk = [f"junk {n}" for n in range(7)]
    log = write_lines(tmp_path / "auth.log", [*AUTH_LINES, "", *junk])
    args = ["ingest", str(log), "--year", "2017", "--store", store.url, "--json"]
    result = CliRunner().invoke(vigil, args)
    assert result.exit_code == 0, result.output
    account = orjson.loads(result.stdout)
    assert {key: account[key] for key in ("lines", "items_parsed", "events", "written")} == {
        "lines": 12,
        "items_parsed": 4,
        "events": 8,
        "written": 8,
    }
    assert account["accounted"] is True
    assert account["skipped"] == {
        "count": 1,
        "reasons": [
            {"reason": "blank line", "count": 1, "first": [{"source": str(log), "line": 5}]}
        ],
    }
    [rejected] = account["rejected"]["reasons"]
    assert account["rejected"]["count"] == rejected["count"] == 7
    assert rejected["reason"].startswith("not a syslog line")
    assert [where["line"] for where in rejected["first"]] == [6, 7, 8, 9, 10]
    assert account["rejected_by_store"] == {"count": 0, "reasons": []}


def test_cli_ingest_reads_standard_input(store):
    result = CliRunner().invoke(
        vigil,
        ["ingest", "-", "--year", "2017", "--store", store.url],
        input="\n".join(AUTH_LINES) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert {event["source"] for event in all_events(store)} == {"stdin"}


def test_cli_ingest_timezone(store, tmp_path):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES[:1])
    args = [
        "ingest",
        str(log),
        "--year",
        "2017",
        "--timezone",
        "America/New_York",
        "--store",
        store.url,
    ]
    assert CliRunner().invoke(vigil, args).exit_code == 0
    assert all_events(store)[0]["utctimestamp"] == "2017-03-27T17:08:09+00:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timezone", "Mars/Olympus"], "unknown time zone"),
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--follow", "-"], "--follow takes exactly one FILE"),
        (["--received-at", "later"], "Invalid value for '--received-at'"),
    ],
    ids=["timezone", "format", "follow-stdin", "received-at"],
)
def test_cli_ingest_refuses_bad_options(args, message):
    result = CliRunner().invoke(vigil, ["ingest", "x.log", *args, "--store", "memory://unused"])
    assert result.exit_code == 2 and message in result.output


def test_cli_ingest_missing_file_is_a_clear_error(store, tmp_path):
    result = CliRunner().invoke(vigil, ["ingest", str(tmp_path / "nope.log"), "--store", store.url])
    assert result.exit_code == 1 and "nope.log" in result.output


def test_cli_ingest_received_at_event(store, tmp_path):
    log = write_lines(tmp_path / "auth.log", AUTH_LINES[:1])
    args = ["ingest", str(log), "--year", "2017", "--received-at", "event", "--store", store.url]
    assert CliRunner().invoke(vigil, args).exit_code == 0
    assert all_events(store)[0]["receivedtimestamp"] == "2017-03-27T13:08:09+00:00"


def test_cli_ingest_help_explains_received_at():
    result = CliRunner().invoke(vigil, ["ingest", "--help"])
    assert "--received-at [now|event]" in result.output
    assert "live alerts ignore" in result.output
