"""`vigil backfill` (lib/backfill.py, lib/backfill_window.py): replaying alerts over history."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from celery.schedules import crontab
from click.testing import CliRunner
from freezegun import freeze_time

from lib import alerttask, config
from lib.alerttask import AlertTask
from lib.backfill import BackfillOptions, backfill
from lib.backfill_window import history_indices
from lib.celery_app import load_alert
from lib.cli import main as vigil
from lib.errors import AlertError, ConfigError
from lib.ingest import IngestOptions, ingest
from lib.store import open_store

from ..broker import AlertMessageCapture, harness_rabbitmq

BRUTEFORCE = "bruteforce_ssh.AlertBruteforceSsh"
SUDO = "sudo_root_shell.AlertSudoRootShell"
DEADMAN = "deadman_syslog.AlertDeadmanSyslog"
EVERY_MINUTE = {"schedule": crontab(minute="*/1")}


def attack_lines() -> list[str]:
    """Real-shaped auth.log lines: 12 root guesses from 122.163.61.218 in 55 s, then admin work."""
    lines = [
        f"Apr 13 04:25:{5 * n:02d} ip-10-77-20-248 sshd[{9000 + n}]: Failed password for root "
        f"from 122.163.61.218 port {51000 + n} ssh2"
        for n in range(12)
    ]
    return lines + [
        "Apr 13 04:40:09 ip-10-77-20-248 sshd[9100]: Accepted publickey for ubuntu from "
        "85.245.107.41 port 54259 ssh2: RSA SHA256:Kl8kPGZrTiz7g4FO1hyqHdsSBBb5Fge6NWOobN03XJg",
        "Apr 13 04:41:07 ip-10-77-20-248 sudo:   ubuntu : TTY=pts/0 ; PWD=/etc/filebeat ; "
        "USER=root ; COMMAND=/bin/su",
        # three hours of silence, then one more line: the deadman fires in between
        "Apr 13 07:45:00 ip-10-77-20-248 CRON[9200]: pam_unix(cron:session): session opened "
        "for user root by (uid=0)",
    ]


START = datetime(2017, 4, 13, 4, 20, tzinfo=UTC)
END = datetime(2017, 4, 13, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def schedules(monkeypatch):
    monkeypatch.setattr(
        config, "ALERTS", {BRUTEFORCE: EVERY_MINUTE, SUDO: EVERY_MINUTE, DEADMAN: EVERY_MINUTE}
    )


@pytest.fixture
def broker(tmp_path, monkeypatch):
    """A fresh alert exchange (RabbitMQ when it runs), captured, as the live alerts use."""
    rabbitmq = harness_rabbitmq(tmp_path / "broker")
    monkeypatch.setattr(alerttask, "RABBITMQ", rabbitmq)
    capture = AlertMessageCapture(rabbitmq)
    capture.start()
    yield capture
    capture.close()


@pytest.fixture
def memory_store():
    store = open_store(f"memory://backfill-test-{uuid.uuid4().hex}")
    ingest(
        store,
        [str(write_log(store_dir := Path(f"/tmp/{uuid.uuid4().hex}.log")))],
        IngestOptions(year=2017),
    )
    store_dir.unlink()
    yield store
    for index in store.list_indices():
        store.delete_index(index)
    store.close()


def write_log(path: Path) -> Path:
    path.write_text("\n".join(attack_lines()) + "\n", encoding="utf-8")
    return path


def run(store, names, **options):
    return backfill(store.url, names, BackfillOptions(START, END, **options))


def summaries(result):
    return [(fired.tick.isoformat(), fired.alert, fired.summary) for fired in result.fired]


def test_the_brute_force_fires_at_the_tick_its_window_first_holds_ten_attempts(
    memory_store, broker
):
    result = run(memory_store, [BRUTEFORCE])
    # the 10th attempt is at 04:25:45; the 04:26 tick's 2-minute window holds all 12
    assert summaries(result) == [
        (
            "2017-04-13T04:26:00+00:00",
            BRUTEFORCE,
            "12 ssh bruteforce attempts by 122.163.61.218 ip-10-77-20-248 (12 hits)",
        )
    ]
    assert len(broker.messages()) == 1, "a real backfill publishes, as live runs do"


def test_fired_alerts_are_saved_and_their_events_tagged(memory_store, broker):
    result = run(memory_store, [BRUTEFORCE])
    [fired] = result.fired
    saved = memory_store.get("alerts-201704", fired.id)
    assert saved["found"] and saved["_source"]["utctimestamp"] == "2017-04-13T04:26:00+00:00"
    memory_store.refresh()
    tagged = memory_store.search(
        "events", {"query": {"match": {"alert_names": "AlertBruteforceSsh"}}, "size": 0}
    )
    assert tagged["hits"]["total"]["value"] == 12


def test_a_second_identical_backfill_fires_nothing_new(memory_store, broker):
    first = run(memory_store, [BRUTEFORCE, SUDO])
    assert len(first.fired) == 2
    second = run(memory_store, [BRUTEFORCE, SUDO])
    assert second.fired == []


def saved_alerts(store, classname: str) -> list[dict]:
    store.refresh()
    body = {"query": {"match": {"classname": classname}}}
    return [hit["_source"] for hit in store.scan("alerts", body, ignore_unavailable=True)]


def test_a_second_identical_backfill_fires_no_deadman_alert_again(memory_store, broker):
    """A deadman alert has no events to tag: the saved alert itself marks its tick as done."""
    names = [BRUTEFORCE, SUDO, DEADMAN]
    first = run(memory_store, names)
    first_deadman = [fired for fired in first.fired if fired.alert == DEADMAN]
    assert len(first_deadman) == 98 and len(broker.messages()) == len(first.fired)

    second = run(memory_store, names)

    assert second.fired == [] and second.fired_before == 98
    assert broker.messages() == [], "the second backfill publishes nothing"
    saved = saved_alerts(memory_store, "AlertDeadmanSyslog")
    assert sorted(alert["utctimestamp"] for alert in saved) == sorted(
        fired.tick.isoformat() for fired in first_deadman
    ), "each deadman alert saved once, stamped with its tick"


def test_a_longer_second_backfill_fires_the_deadman_only_at_the_new_ticks(memory_store, broker):
    """Idempotence is per tick: ticks the first replay did not cover still fire."""
    half = backfill(
        memory_store.url, [DEADMAN], BackfillOptions(START, START.replace(hour=7, minute=0))
    )
    assert [fired.tick.strftime("%H:%M") for fired in half.fired][5:7] == ["06:12", "06:13"]
    whole = run(memory_store, [DEADMAN])
    ticks = [fired.tick.strftime("%H:%M") for fired in whole.fired]
    assert ticks == [f"07:{minute:02d}" for minute in range(1, 45)]
    assert whole.fired_before == len(half.fired) and "fired before" in whole.render()
    assert len(saved_alerts(memory_store, "AlertDeadmanSyslog")) == len(half.fired) + 44


def test_a_dry_run_after_a_real_backfill_shows_no_deadman_alert_again(memory_store, broker):
    """The dry run reads the deadman alerts already saved, so it still shows the real outcome."""
    real = run(memory_store, [DEADMAN])
    assert len(real.fired) == 98
    dry = run(memory_store, [DEADMAN], dry_run=True)
    assert dry.fired == [] and dry.fired_before == 98


def test_no_publish_saves_and_tags_but_publishes_nothing(memory_store, broker):
    result = run(memory_store, [BRUTEFORCE], publish=False)
    assert len(result.fired) == 1
    assert broker.messages() == []
    assert memory_store.get("alerts-201704", result.fired[0].id)["found"]


def test_skipping_ticks_changes_nothing_against_running_every_tick(memory_store, broker):
    """The skipped ticks are exactly those whose run could not fire, deadman alerts included."""
    names = [BRUTEFORCE, SUDO, DEADMAN]
    dry = run(memory_store, names, dry_run=True)
    exact = run(memory_store, names, dry_run=True, exact=True)
    assert summaries(dry) == summaries(exact)
    assert exact.runs == exact.ticks and dry.runs < exact.runs / 5
    deadman = [tick[11:16] for tick, alert, _ in summaries(dry) if alert == DEADMAN]
    # nothing before the first line at 04:25:00; after 04:41:07 the 90-minute window is
    # empty from the 06:12 tick until the 07:45:00 line
    assert deadman[:5] == ["04:20", "04:21", "04:22", "04:23", "04:24"]
    assert deadman[5] == "06:12" and deadman[-1] == "07:44" and len(deadman) == 5 + 93


def test_every_overrides_the_schedule(memory_store, broker):
    result = run(memory_store, [SUDO], every=timedelta(minutes=5))
    assert result.ticks == 45  # 04:20, 04:25, ... 08:00
    assert summaries(result) == [  # every minute, it would have fired at 04:42
        (
            "2017-04-13T04:45:00+00:00",
            SUDO,
            "ubuntu ran a root shell as root with sudo on ip-10-77-20-248: /bin/su",
        )
    ]


def test_an_alert_without_a_schedule_needs_every(memory_store, monkeypatch):
    monkeypatch.setattr(config, "ALERTS", {})
    with pytest.raises(ConfigError, match="no schedule in ALERTS; give --every"):
        run(memory_store, [BRUTEFORCE])


def test_an_unknown_alert_is_named(memory_store):
    with pytest.raises(ConfigError, match="nosuchmodule"):
        backfill(
            memory_store.url,
            ["nosuchmodule.Alert"],
            BackfillOptions(START, END, timedelta(minutes=1)),
        )


def test_to_before_from_is_refused(memory_store):
    with pytest.raises(ConfigError, match="--to is before --from"):
        backfill(memory_store.url, [BRUTEFORCE], BackfillOptions(END, START))


# -- history: old events live in older daily indices than the rolling aliases cover ----


def cron_event(day: int) -> dict:
    return {
        "utctimestamp": f"2017-04-{day:02d}T09:00:00+00:00",
        "summary": "pam_unix(cron:session): session opened for user root by (uid=0)",
        "details": {"program": "CRON"},
    }


@pytest.fixture
def three_day_store(tmp_path):
    """The attack ingested on 2017-04-13, then one newer event written on each of the next two days."""
    store = open_store(f"memory://backfill-days-{uuid.uuid4().hex}")
    with freeze_time("2017-04-13T09:00:00Z"):
        ingest(store, [str(write_log(tmp_path / "auth.log"))], IngestOptions(year=2017))
    for day in (14, 15):
        with freeze_time(f"2017-04-{day}T09:00:00Z"):
            store.index("events", cron_event(day))
    store.refresh()
    yield store
    for index in store.list_indices():
        store.delete_index(index)
    store.close()


def test_the_rolling_aliases_no_longer_cover_the_first_day(three_day_store):
    """The premise: live alerts' indices (events, events-previous) miss the attack's day."""
    aliases = three_day_store.get_aliases()
    assert (aliases["events"], aliases["events-previous"]) == (
        ["events-20170415"],
        ["events-20170414"],
    )
    found = three_day_store.search(
        ["events", "events-previous"], {"query": {"match": {"details.program": "sshd"}}}
    )
    assert found["hits"]["total"]["value"] == 0


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
def test_a_backfill_sees_events_written_before_the_newest_two_days(
    three_day_store, broker, dry_run
):
    result = run(three_day_store, [BRUTEFORCE], dry_run=dry_run)
    assert summaries(result) == [
        (
            "2017-04-13T04:26:00+00:00",
            BRUTEFORCE,
            "12 ssh bruteforce attempts by 122.163.61.218 ip-10-77-20-248 (12 hits)",
        )
    ], "each event counted once, though events-* also matches the aliases over its index"


@pytest.mark.parametrize(
    ("indices", "expected"),
    [
        (["events", "events-previous"], ["events-*"]),
        (["events-weekly"], ["events-*"]),
        (
            ["events", "custom-index", "events-20170413"],
            ["events-*", "custom-index", "events-20170413"],
        ),
        (["custom-index"], ["custom-index"]),
    ],
    ids=["default", "weekly", "others-kept", "no-alias"],
)
def test_history_indices_replace_only_the_rolling_aliases(indices, expected):
    assert history_indices(indices) == expected


class AlertSettingIndicesInMain(AlertTask):
    """Sets its indices while it runs, which backfill cannot widen beforehand."""

    def main(self):
        self.event_indices = ["events-weekly"]


def test_an_alert_that_sets_rolling_aliases_while_running_is_refused(memory_store, broker):
    name = f"{__name__}.AlertSettingIndicesInMain"
    with pytest.raises(
        AlertError, match="set event_indices to \\['events-weekly'\\] during its run"
    ):
        run(memory_store, [name], every=timedelta(minutes=1))


def test_history_ingested_at_event_time_is_left_to_backfill_not_live_alerts(tmp_path, broker):
    """An old log ingested with receivedtimestamp = now looks new to a live run; with 'event' it does not."""
    fired = {}
    for received_at in ("now", "event"):
        store = open_store(f"memory://backfill-live-{uuid.uuid4().hex}")
        with freeze_time("2017-05-01T12:00:30Z"):
            log = write_log(tmp_path / f"{received_at}.log")
            ingest(store, [str(log)], IngestOptions(year=2017, received_at=received_at))
            fired[received_at] = live_run(store, BRUTEFORCE)
        fired[f"{received_at} backfill"] = len(run(store, [BRUTEFORCE]).fired)
        store.close()
    assert fired == {"now": 1, "now backfill": 0, "event": 0, "event backfill": 1}


def live_run(store, name: str) -> int:
    """Run alert `name` once against `store` at the frozen now, as the scheduler would."""
    saved = alerttask.ES
    alerttask.ES = {"servers": [store.url]}
    try:
        task = load_alert(name)()
        task.run()
        return len(task.alert_ids)
    finally:
        alerttask.ES = saved


# -- dry run: the store is left byte for byte as it was -------------------------------


def file_digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def test_dry_run_leaves_the_store_file_byte_for_byte_unchanged(tmp_path, broker):
    folder = tmp_path / "store"
    folder.mkdir()
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    ingest(store, [str(write_log(tmp_path / "auth.log"))], IngestOptions(year=2017))
    store.close()
    before = file_digests(folder)
    assert "store.db" in before

    result = backfill(
        store.url, [BRUTEFORCE, SUDO, DEADMAN], BackfillOptions(START, END, dry_run=True)
    )

    assert file_digests(folder) == before
    assert [fired.alert for fired in result.fired].count(BRUTEFORCE) == 1
    assert broker.messages() == [], "a dry run publishes nothing"
    real = backfill(store.url, [BRUTEFORCE, SUDO, DEADMAN], BackfillOptions(START, END))
    assert summaries(real) == summaries(result), "the dry run shows what the real one does"
    assert file_digests(folder) != before
    after_real = file_digests(folder)
    again = backfill(
        store.url, [BRUTEFORCE, SUDO, DEADMAN], BackfillOptions(START, END, dry_run=True)
    )
    assert again.fired == [] and again.fired_before == 98, "it reads the deadman alerts saved"
    assert file_digests(folder) == after_real


# -- the command line ---------------------------------------------------------------------


# Two example alerts replayed over 40 minutes of auth.log (two alerts fire there).
CLI_BACKFILL_ARGS = ["backfill", BRUTEFORCE, SUDO, "--from", "2017-04-13T04:20:00Z"]
CLI_BACKFILL_ARGS += ["--to", "2017-04-13T05:00"]


def test_cli_backfill_prints_the_table(memory_store, broker):
    args = CLI_BACKFILL_ARGS
    result = CliRunner().invoke(vigil, [*args, "--store", memory_store.url, "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["tick", "alert", "summary"]
    assert lines[1].split()[:2] == ["2017-04-13T04:26:00+00:00", BRUTEFORCE]
    assert "2 alert(s) fired; 82 ticks" in result.stdout
    assert "dry run: nothing was saved, tagged or published" in result.stdout


def test_cli_backfill_json_lists_the_saved_alerts_and_the_totals(memory_store, broker):
    args = CLI_BACKFILL_ARGS
    result = CliRunner().invoke(vigil, [*args, "--store", memory_store.url, "--json"])
    assert result.exit_code == 0, result.output
    answer = orjson.loads(result.stdout)
    assert (answer["alerts"], answer["ticks"], answer["dry_run"]) == (2, 82, False)
    assert answer["runs"] + answer["skipped"] == answer["ticks"]
    first, second = answer["fired"]
    assert (first["tick"], first["alert"]) == ("2017-04-13T04:26:00+00:00", BRUTEFORCE)
    assert second["alert"] == SUDO
    for fired in answer["fired"]:
        saved = memory_store.get(fired["_index"], fired["_id"])
        assert saved["found"] and saved["_source"]["summary"] == fired["summary"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday", "--to", "2017-04-13T05:00"], "is not an ISO 8601 time"),
        (
            ["--from", "2017-04-13T04:00", "--to", "2017-04-13T05:00", "--every", "5x"],
            "is not a duration",
        ),
        (["--from", "2017-04-13T05:00", "--to", "2017-04-13T04:00"], "--to is before --from"),
    ],
    ids=["bad-time", "bad-duration", "reversed"],
)
def test_cli_backfill_refuses_bad_options(memory_store, args, message):
    result = CliRunner().invoke(vigil, ["backfill", BRUTEFORCE, *args, "--store", memory_store.url])
    assert result.exit_code != 0 and message in result.output
