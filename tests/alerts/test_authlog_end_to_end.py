"""End to end on a real log: ingest all of auth.log, backfill every example alert, check the findings.

The log (../shared/data/auth.log, or the file named by VIGIL_AUTH_LOG) is 25 days of
one internet-facing Ubuntu host. What a security engineer reading it expects is
computed here independently of Vigil's parser, from the raw text with this module's
own regular expressions and sliding windows, and compared with what the alerts report.
"""

from __future__ import annotations

import ipaddress
import os
import re
import uuid
from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab

from lib import alerttask, config
from lib.backfill import BackfillOptions, backfill
from lib.ingest import IngestOptions, ingest
from lib.store import open_store

from .broker import AlertMessageCapture, harness_rabbitmq

pytestmark = pytest.mark.slow

AUTH_LOG = Path(
    os.environ.get("VIGIL_AUTH_LOG")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data" / "auth.log"
)
YEAR = 2017
# The replay starts this long before the log's first line: a silent stretch for the deadman.
LEAD_IN = timedelta(minutes=10)
DEADMAN_WINDOW = timedelta(minutes=90)

EXAMPLE_ALERTS = {
    name: {"schedule": crontab(minute="*/1")}
    for name in (
        "bruteforce_ssh.AlertBruteforceSsh",
        "ssh_bruteforce_user.AlertSshBruteforceUser",
        "ssh_max_auth_exceeded.AlertSshMaxAuthExceeded",
        "sshd_nonstandard_port.AlertSshdNonstandardPort",
        "deadman_syslog.AlertDeadmanSyslog",
        "ssh_password_spray.AlertSshPasswordSpray",
        "ssh_success_after_failures.AlertSshSuccessAfterFailures",
        "sudo_root_shell.AlertSudoRootShell",
        "account_change.AlertAccountChange",
        "ssh_root_login.AlertSshRootLogin",
    )
}

# -- the truth, from the raw text -----------------------------------------------------------

RAW = re.compile(
    r"^(?P<stamp>\w{3} +\d+ \d\d:\d\d:\d\d) (?P<host>\S+) (?P<tag>[^:\[]+)(?:\[\d+\])?: (?P<text>.*)$"
)
REPEATED = re.compile(r"^message repeated (?P<n>\d+) times: \[ (?P<text>.*)\]$")
FAILED = re.compile(r"^Failed \S+ for (?:invalid user )?(?P<user>.*?) from (?P<ip>\S+) port \d+")
INVALID = re.compile(r"^Invalid user (?P<user>.*?) from (?P<ip>\S+)$")
ACCEPTED = re.compile(r"^Accepted \S+ for (?P<user>\S+) from (?P<ip>\S+) port \d+")


def raw_entries() -> list[tuple[datetime, str, str]]:
    """(time, program, message) for every event the log holds, repeats expanded."""
    entries = []
    for line in AUTH_LOG.read_text(encoding="utf-8").splitlines():
        found = RAW.match(line)
        assert found, f"not a syslog line: {line!r}"
        when = datetime.strptime(f"{YEAR} {found['stamp']}", "%Y %b %d %H:%M:%S").replace(
            tzinfo=UTC
        )
        text, count = found["text"], 1
        if repeated := REPEATED.match(text):
            text, count = repeated["text"], int(repeated["n"])
        entries.extend([(when, found["tag"], text)] * count)
    return entries


def attempts(entries, pattern) -> dict[str, list[tuple[datetime, str]]]:
    """Per source address, the (time, user) of each sshd message `pattern` matches."""
    by_address = defaultdict(list)
    for when, program, text in entries:
        if program == "sshd" and (found := pattern.match(text)):
            by_address[found["ip"]].append((when, found["user"]))
    return by_address


def sources_with_burst(by_address, count: int, window: timedelta, distinct=False) -> set[str]:
    """Addresses with `count` attempts (or distinct non-empty names) in some sliding window."""
    found = set()
    for address, seen in by_address.items():
        for end, _ in seen:
            inside = [user for when, user in seen if end - window <= when <= end]
            size = len({user for user in inside if user}) if distinct else len(inside)
            if size >= count:
                found.add(address)
                break
    return found


def logins_after_failures(entries, failures: int, window: timedelta) -> set[str]:
    failed, accepted = attempts(entries, FAILED), attempts(entries, ACCEPTED)
    return {
        address
        for address, logins in accepted.items()
        for when, _ in logins
        if sum(when - window <= t <= when for t, _ in failed.get(address, [])) >= failures
    }


def is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address).is_loopback


# -- the replay -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    if not AUTH_LOG.is_file():
        pytest.fail(f"the real auth log is missing: {AUTH_LOG} (set VIGIL_AUTH_LOG to its path)")
    with pytest.MonkeyPatch.context() as patch:
        rabbitmq = harness_rabbitmq(tmp_path_factory.mktemp("broker"))
        patch.setattr(config, "ALERTS", EXAMPLE_ALERTS)
        patch.setattr(alerttask, "RABBITMQ", rabbitmq)
        capture = AlertMessageCapture(rabbitmq)
        capture.start()
        store = open_store(f"memory://authlog-e2e-{uuid.uuid4().hex}")
        try:
            yield run_replay(store, capture)
        finally:
            capture.close()
            for index in store.list_indices():
                store.delete_index(index)
            store.close()


def run_replay(store, capture):
    entries = raw_entries()
    report = ingest(store, [str(AUTH_LOG)], IngestOptions(year=YEAR))
    options = BackfillOptions(start=entries[0][0] - LEAD_IN, end=entries[-1][0])
    first = backfill(store.url, list(EXAMPLE_ALERTS), options)
    messages = capture.messages()
    second = backfill(store.url, list(EXAMPLE_ALERTS), options)
    second_messages = capture.messages()
    store.refresh()
    alerts = [hit["_source"] for hit in store.scan("alerts", {"query": {"match_all": {}}})]
    return {
        "entries": entries,
        "report": report,
        "first": first,
        "second": second,
        "messages": messages,
        "second_messages": second_messages,
        "alerts": alerts,
        "store": store,
    }


def alerts_of(replay, classname):
    return [alert for alert in replay["alerts"] if alert["classname"] == classname]


def event_sources(alert):
    return [event["documentsource"] for event in alert["events"]]


def reported_addresses(replay, classname):
    return {
        source["details"]["sourceipaddress"]
        for alert in alerts_of(replay, classname)
        for source in event_sources(alert)
    }


def admin_address(entries) -> str:
    """The address the administrator (user ubuntu) logs in from most."""
    logins = Counter(
        found["ip"]
        for _, program, text in entries
        if program == "sshd" and (found := ACCEPTED.match(text)) and found["user"] == "ubuntu"
    )
    return logins.most_common(1)[0][0]


# -- what ingestion accounts for ------------------------------------------------------------


def test_every_line_is_accounted_for(replay):
    report, lines = replay["report"], len(AUTH_LOG.read_text(encoding="utf-8").splitlines())
    assert report.accounted
    assert (report.lines, report.items_parsed) == (lines, lines)
    assert report.events == report.written == len(replay["entries"])
    assert not report.skipped and not report.rejected_items and not report.rejected_events


# -- what the alerts find -------------------------------------------------------------------


def test_brute_force_sources_are_the_addresses_with_ten_failures_in_two_minutes(replay):
    truth = sources_with_burst(attempts(replay["entries"], FAILED), 10, timedelta(minutes=2))
    truth = {
        address for address in truth if not is_loopback(address)
    }  # bruteforce_ssh.conf skiphosts
    assert len(truth) >= 5, "the log holds several brute-force sources"
    assert reported_addresses(replay, "AlertBruteforceSsh") == truth


def test_the_administrators_logins_and_sudo_use_raise_no_brute_force_alert(replay):
    admin = admin_address(replay["entries"])
    assert admin == "85.245.107.41"
    for classname in (
        "AlertBruteforceSsh",
        "AlertSshPasswordSpray",
        "AlertSshSuccessAfterFailures",
    ):
        assert admin not in reported_addresses(replay, classname), classname
    sudo_alerts = alerts_of(replay, "AlertSudoRootShell")
    assert all(alert["category"] == "sudo" for alert in sudo_alerts)


def test_password_spray_sources_are_the_addresses_trying_five_names_in_ten_minutes(replay):
    tried = attempts(replay["entries"], FAILED)
    for address, seen in attempts(replay["entries"], INVALID).items():
        tried[address] = sorted(tried.get(address, []) + seen)
    truth = sources_with_burst(tried, 5, timedelta(minutes=10), distinct=True)
    assert truth, "the log holds a password spray"
    assert reported_addresses(replay, "AlertSshPasswordSpray") == truth


def test_login_after_failures_is_the_brute_force_that_got_in(replay):
    truth = logins_after_failures(replay["entries"], 5, timedelta(minutes=10))
    assert truth == {"24.151.103.17"}
    [alert] = alerts_of(replay, "AlertSshSuccessAfterFailures")
    assert alert["summary"].startswith("SSH login as elastic_user_0 from 24.151.103.17")
    assert alert["utctimestamp"].startswith("2017-03-30T16:02")


def test_every_sudo_to_a_root_shell_alerts_once(replay):
    su_lines = [
        when
        for when, program, text in replay["entries"]
        if program == "sudo" and text.endswith("USER=root ; COMMAND=/bin/su")
    ]
    alerts = alerts_of(replay, "AlertSudoRootShell")
    shells = [alert for alert in alerts if alert["summary"].endswith(": /bin/su")]
    assert len(su_lines) >= 5 and len(shells) == len(su_lines)
    edits = {
        alert["summary"].rsplit(": ", 1)[1]
        for alert in alerts
        if "sensitive file" in alert["summary"]
    }
    assert edits == {"/usr/bin/vim /etc/ssh/sshd_config"}


def test_new_users_and_password_changes_are_reported(replay):
    created = {
        text.split("name=")[1].split(",")[0]
        for _, p, text in replay["entries"]
        if p == "useradd" and text.startswith("new user:")
    }
    changed = {
        text.rsplit(" ", 1)[1] for _, p, text in replay["entries"] if "password changed for" in text
    }
    assert len(created) == 10 and changed == created
    summaries = " ".join(alert["summary"] for alert in alerts_of(replay, "AlertAccountChange"))
    assert all(f"{name}," in summaries or summaries.endswith(name) for name in created)
    assert "new user:" in summaries and "password changed:" in summaries
    assert "$login_count" not in summaries, "failed password changes are not changes"


def test_no_root_login_over_ssh_means_no_root_login_alert(replay):
    root_logins = [
        text
        for _, p, text in replay["entries"]
        if p == "sshd" and text.startswith("Accepted") and " for root " in text
    ]
    assert root_logins == [] and alerts_of(replay, "AlertSshRootLogin") == []


def silent_minutes(times: list[datetime], start: datetime, end: datetime) -> list[datetime]:
    """The whole minutes in [start, end] with no line in the 90 minutes up to them."""
    minute = start.replace(second=0, microsecond=0)
    minute += timedelta(minutes=1) if minute < start else timedelta(0)
    silent = []
    while minute <= end:
        first = bisect_left(times, minute - DEADMAN_WINDOW)
        if first == len(times) or times[first] > minute:
            silent.append(minute)
        minute += timedelta(minutes=1)
    return silent


def test_the_deadman_fires_once_per_silent_minute_only_before_the_log_begins(replay):
    times = [when for when, _, _ in replay["entries"]]
    assert (
        max(later - earlier for earlier, later in zip(times, times[1:], strict=False))
        < DEADMAN_WINDOW
    ), "the log never goes silent for 90 minutes once it starts"
    silent = silent_minutes(times, times[0] - LEAD_IN, times[-1])
    assert len(silent) == LEAD_IN / timedelta(minutes=1) and silent[-1] < times[0]
    fired = sorted(alert["utctimestamp"] for alert in alerts_of(replay, "AlertDeadmanSyslog"))
    assert fired == [minute.isoformat() for minute in silent]


@pytest.mark.parametrize(
    "classname",
    ["AlertSshBruteforceUser", "AlertSshMaxAuthExceeded", "AlertSshdNonstandardPort"],
)
def test_the_other_ssh_alerts_fire_on_what_the_log_shows(replay, classname):
    assert alerts_of(replay, classname), f"{classname} found nothing in a log full of SSH attacks"


# -- how the replay behaves -----------------------------------------------------------------


def test_nothing_fires_twice_for_the_same_events(replay):
    for classname in {alert["classname"] for alert in replay["alerts"]}:
        ids = [
            event["documentid"]
            for alert in alerts_of(replay, classname)
            for event in alert["events"]
        ]
        duplicates = [doc for doc, count in Counter(ids).items() if count > 1]
        assert not duplicates, f"{classname} alerted twice on {duplicates[:5]}"


def test_every_fired_alert_was_saved_and_published_once(replay):
    first = replay["first"]
    assert len(first.fired) == len(replay["alerts"]) == len(replay["messages"])
    assert {message["_id"] for message in replay["messages"]} == {fired.id for fired in first.fired}


def test_a_second_identical_backfill_fires_nothing_new(replay):
    """Event alerts find their events tagged; the deadman finds its alerts already saved."""
    first, second = replay["first"], replay["second"]
    deadman = [fired for fired in first.fired if fired.alert.endswith(".AlertDeadmanSyslog")]
    assert deadman, "the replay covers a silent stretch, so the deadman fired"
    assert second.fired == [] and second.fired_before == len(deadman)
    assert len(replay["alerts"]) == len(first.fired), "the second backfill saved nothing"
    assert replay["second_messages"] == [], "the second backfill published nothing"
