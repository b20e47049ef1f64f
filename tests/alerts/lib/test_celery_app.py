"""The celery app: alerts registered as tasks, the beat schedule, and locked, recorded runs."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from datetime import UTC, datetime, timedelta

import kombu
import pytest
from celery.schedules import crontab

import lib.alerttask
from lib import celery_app, config
from lib.alerttask import AlertTask
from lib.errors import ConfigError
from lib.query_models import SearchQuery, TermMatch
from lib.runs import list_runs
from lib.store import open_store

HERE = __name__
TICK = datetime(2026, 3, 4, 12, 7, tzinfo=UTC)


class FiringAlert(AlertTask):
    """One alert per event of category 'celery-app-test' in the last 5 minutes."""

    def main(self):
        search = SearchQuery(minutes=5)
        search.add_must(TermMatch("category", "celery-app-test"))
        self.filtersManual(search)
        self.searchEventsSimple()
        self.walkEvents()

    def onEvent(self, event):
        return self.createAlertDict("test alert", "test", ["test"], [event])


class SlowAlert(AlertTask):
    """Runs until the test releases it."""

    started = threading.Event()
    release = threading.Event()

    def main(self):
        SlowAlert.started.set()
        assert SlowAlert.release.wait(30), "the test never released the slow alert"


class FailingAlert(AlertTask):
    def main(self):
        raise ValueError("boom")


class ArgsAlert(AlertTask):
    seen: list = []

    def main(self, *args, **kwargs):
        ArgsAlert.seen.append((args, kwargs))


class NotAnAlert:
    pass


def _name(cls: type) -> str:
    return f"{HERE}.{cls.__name__}"


def _event(**fields) -> dict:
    now = datetime.now(UTC).isoformat()
    return {
        "utctimestamp": now,
        "receivedtimestamp": now,
        "category": "celery-app-test",
        "summary": "x",
    } | fields


# -- registration and schedule -------------------------------------------------------------


def test_listed_alerts_become_tasks_named_module_dot_class():
    alerts = {
        _name(FiringAlert): {"schedule": crontab(minute="*/1")},
        _name(ArgsAlert): {"schedule": timedelta(seconds=30), "args": [1], "kwargs": {"a": 2}},
    }
    app = celery_app.create_app(alerts)
    assert {_name(FiringAlert), _name(ArgsAlert)} <= set(app.tasks.keys())
    entry = app.conf.beat_schedule[_name(ArgsAlert)]
    assert entry == {
        "task": _name(ArgsAlert),
        "schedule": timedelta(seconds=30),
        "args": [1],
        "kwargs": {"a": 2},
        "options": {"expires": 30.0},
    }
    assert app.conf.beat_schedule[_name(FiringAlert)]["options"] == {"expires": 300}
    assert app.conf.timezone == "UTC"


def test_beat_schedule_file_lives_in_the_data_dir():
    app = celery_app.create_app({})
    assert app.conf.beat_schedule_filename == str(config.DATA_DIR / "celerybeat-schedule")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(
            "no_such_module.Alert",
            "alert no_such_module.Alert: module no_such_module failed to import",
            id="missing-module",
        ),
        pytest.param(
            f"{HERE}.Missing",
            f"alert {HERE}.Missing: Missing is not an AlertTask",
            id="missing-class",
        ),
        pytest.param(
            f"{HERE}.NotAnAlert", "NotAnAlert is not an AlertTask subclass", id="not-an-alert"
        ),
        pytest.param("Alert", "expected 'pythonfilename.classname'", id="no-module"),
    ],
)
def test_a_listed_alert_that_cannot_load_stops_start_up_naming_it(name, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        celery_app.create_app({name: {"schedule": crontab()}})


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param({}, "ALERTS entry needs a 'schedule'", id="no-schedule"),
        pytest.param({"schedule": "*/1"}, "schedule must be crontab", id="string-schedule"),
        pytest.param({"schedule": crontab(), "args": "x"}, "'args' must be a list", id="bad-args"),
    ],
)
def test_a_malformed_schedule_entry_stops_start_up_naming_the_alert(entry, message):
    with pytest.raises(ConfigError, match=f"alert {_name(FiringAlert)}: {message}"):
        celery_app.create_app({_name(FiringAlert): entry})


def test_vigil_alerts_module_replaces_the_configured_alerts(tmp_path, monkeypatch):
    module = f"schedule_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(
        "from datetime import timedelta\n"
        f"ALERTS = {{'{_name(FiringAlert)}': {{'schedule': timedelta(seconds=5)}}}}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("VIGIL_ALERTS_MODULE", module)
    app = celery_app.create_app()
    assert list(app.conf.beat_schedule) == [_name(FiringAlert)]


def test_a_missing_alerts_module_is_a_config_error(monkeypatch):
    monkeypatch.setenv("VIGIL_ALERTS_MODULE", "no_such_schedule_module")
    with pytest.raises(ConfigError, match="VIGIL_ALERTS_MODULE 'no_such_schedule_module'"):
        celery_app.alerts_setting()


def test_alert_modules_in_alerts_dir_load_even_off_sys_path():
    alert_class = celery_app.load_alert("bruteforce_ssh.AlertBruteforceSsh")
    assert issubclass(alert_class, AlertTask)


def test_the_broker_is_rabbitmq_when_configured(monkeypatch):
    monkeypatch.setitem(config.RABBITMQ, "url", "amqp://guest:guest@127.0.0.1:5672//")
    assert celery_app.broker_settings() == {"broker_url": "amqp://guest:guest@127.0.0.1:5672//"}


def test_the_broker_is_the_filesystem_transport_otherwise(monkeypatch, tmp_path):
    monkeypatch.setitem(config.RABBITMQ, "url", "")
    settings = celery_app.broker_settings(tmp_path)
    assert settings["broker_url"] == "filesystem://"
    assert settings["broker_transport_options"]["data_folder_in"] == str(tmp_path / "celery-broker")


def test_sending_an_alert_task_stamps_the_publish_time(monkeypatch, tmp_path):
    monkeypatch.setitem(config.RABBITMQ, "url", "")
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)
    monkeypatch.setenv("VIGIL_CELERY_QUEUE", f"test-{uuid.uuid4().hex}")
    app = celery_app.create_app({_name(FiringAlert): {"schedule": timedelta(seconds=20)}})
    queue = kombu.Queue(app.conf.task_default_queue)
    before = datetime.now(UTC)
    with app.connection_for_write() as conn:
        queue(conn.default_channel).declare()
        app.send_task(_name(FiringAlert), connection=conn)
        message = queue(conn.default_channel).get(no_ack=True)
    sent = datetime.fromisoformat(message.headers[celery_app.SENT_HEADER])
    assert before <= sent <= datetime.now(UTC)


# -- runs: locks and records ------------------------------------------------------------------


@pytest.fixture
def run_store(settings):
    return open_store(config.store_url(lib.alerttask.ES))


def test_a_run_is_recorded_with_events_and_alerts(settings, run_store):
    run_store.bulk([{"_index": "events", "_source": _event()} for _ in range(3)], refresh=True)
    record = celery_app.run_alert(_name(FiringAlert), FiringAlert, tick=TICK)
    assert (record.events, record.alerts, record.error, record.skipped) == (3, 3, None, None)
    [saved] = list_runs(run_store)
    assert saved["alert_ids"] == record.alert_ids and saved["tick"] == TICK.isoformat()


def test_the_next_run_never_alerts_again_on_the_same_events(settings, run_store):
    run_store.bulk([{"_index": "events", "_source": _event()} for _ in range(3)], refresh=True)
    celery_app.run_alert(_name(FiringAlert), FiringAlert, tick=TICK)
    again = celery_app.run_alert(_name(FiringAlert), FiringAlert, tick=TICK + timedelta(minutes=1))
    assert (again.events, again.alerts) == (0, 0)


def test_a_tick_already_claimed_is_skipped_and_not_recorded(settings, run_store):
    celery_app.run_alert(_name(FiringAlert), FiringAlert, tick=TICK)
    second = celery_app.run_alert(_name(FiringAlert), FiringAlert, tick=TICK)
    assert second.skipped == "claimed"
    assert len(list_runs(run_store)) == 1


def test_a_run_due_while_the_last_still_runs_is_skipped_not_stacked(settings, run_store):
    SlowAlert.started.clear()
    SlowAlert.release.clear()
    first = threading.Thread(target=celery_app.run_alert, args=(_name(SlowAlert), SlowAlert, TICK))
    first.start()
    try:
        assert SlowAlert.started.wait(30)
        overlapping = celery_app.run_alert(
            _name(SlowAlert), SlowAlert, tick=TICK + timedelta(minutes=1)
        )
    finally:
        SlowAlert.release.set()
        first.join()
    assert overlapping.skipped == "overlap"
    outcomes = sorted(str(run["skipped"]) for run in list_runs(run_store))
    assert outcomes == ["None", "overlap"]
    assert (
        celery_app.run_alert(_name(SlowAlert), SlowAlert, tick=TICK + timedelta(minutes=2)).skipped
        is None
    )


def test_a_failing_run_is_recorded_raises_and_frees_the_alert(settings, run_store):
    with pytest.raises(ValueError, match="boom"):
        celery_app.run_alert(_name(FailingAlert), FailingAlert, tick=TICK)
    [saved] = list_runs(run_store)
    assert saved["error"] == "ValueError: boom"
    with pytest.raises(ValueError):
        celery_app.run_alert(_name(FailingAlert), FailingAlert, tick=TICK + timedelta(minutes=1))
    assert len(list_runs(run_store)) == 2


def test_the_task_runs_the_alert_with_its_args_for_the_tick_due_when_sent(settings, run_store):
    ArgsAlert.seen.clear()
    app = celery_app.create_app({_name(ArgsAlert): {"schedule": timedelta(minutes=1)}})
    headers = {celery_app.SENT_HEADER: (TICK + timedelta(seconds=2.5)).isoformat()}
    result = app.tasks[_name(ArgsAlert)].apply(args=(1,), kwargs={"k": 2}, headers=headers)
    assert result.get()["tick"] == TICK.isoformat()
    assert ArgsAlert.seen == [((1,), {"k": 2})]


def _run_in_worker_process(args: tuple[str, str, str]) -> str | None:
    store_path, broker_folder, tick = args
    lib.alerttask.ES = {"servers": [store_path]}
    lib.alerttask.RABBITMQ = {"url": "", "data_folder": broker_folder, "alertexchange": "alerts-x"}
    lib.alerttask.ALERT_PLUGINS = []
    record = celery_app.run_alert(
        _name(FiringAlert), FiringAlert, tick=datetime.fromisoformat(tick)
    )
    return record.skipped


def test_workers_in_separate_processes_run_a_tick_once(tmp_path):
    store_path = str(tmp_path / "store.db")
    store = open_store(store_path)
    store.bulk([{"_index": "events", "_source": _event()} for _ in range(2)], refresh=True)
    jobs = [(store_path, str(tmp_path / "broker"), TICK.isoformat())] * 4
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        outcomes = pool.map(_run_in_worker_process, jobs)
    assert sorted(map(str, outcomes)) == ["None", "claimed", "claimed", "claimed"]
    [run] = list_runs(store)
    assert run["alerts"] == 2
    assert store.search("alerts", {"size": 0})["hits"]["total"]["value"] == 2


def test_check_alerts_counts_the_valid_alerts_and_names_a_bad_one():
    good = {_name(FiringAlert): {"schedule": crontab()}}
    assert celery_app.check_alerts(good) == 1
    with pytest.raises(ConfigError, match=f"alert {HERE}.NotAnAlert"):
        celery_app.check_alerts(good | {f"{HERE}.NotAnAlert": {"schedule": crontab()}})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param("import no_such_dependency\n", "failed to import", id="import-error"),
        pytest.param("x = 1\n", "defines no class 'message'", id="no-message-class"),
        pytest.param(
            "class message:\n    def onMessage(self, message):\n        return message\n",
            "needs a non-empty 'registration' list",
            id="no-registration",
        ),
    ],
)
def test_a_broken_alert_plugin_stops_start_up_naming_it(plugin_dir, monkeypatch, source, message):
    name = plugin_dir("broken_at_start", source)
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [name])
    alerts = {_name(FiringAlert): {"schedule": crontab()}}
    expected = f"alert plugin {name} {message}".replace(".", r"\.")
    with pytest.raises(ConfigError, match=expected):
        celery_app.create_app(alerts)
    with pytest.raises(ConfigError, match=expected):
        celery_app.check_alerts(alerts)


def test_start_up_loads_the_plugins_the_runs_then_reuse(plugin_dir, monkeypatch):
    name = plugin_dir(
        "counted_at_start",
        "STARTS = []\nclass message:\n    registration = ['*']\n"
        "    def __init__(self):\n        STARTS.append(1)\n"
        "    def onMessage(self, message):\n        return message\n",
    )
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [name])
    celery_app.create_app({})
    import importlib

    assert importlib.import_module(name).STARTS == [1], "loaded at start-up"
    lib.alerttask.alert_plugins().load()
    assert importlib.import_module(name).STARTS == [1], "and not again by a run"
