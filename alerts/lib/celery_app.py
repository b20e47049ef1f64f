"""The celery app: alert classes registered as tasks, and the beat schedule from ALERTS.

`create_app()` builds the app that alerts/celeryconfig.py exposes. Every alert listed in
``ALERTS`` (``'module.Class': {'schedule': crontab(...) | timedelta(...), 'args': [...],
'kwargs': {...}, 'options': {...}}``) is imported, checked to be an `AlertTask`, and
registered as the task ``module.Class``; a listed alert that fails either check stops
start-up with a ConfigError naming it. The enabled alert plugins (``ALERT_PLUGINS``) are
loaded and checked then too, so a broken plugin stops start-up instead of the first run.
Stock celery beat sends the tasks (schedule file ``<data>/celerybeat-schedule``, UTC).

Each task run goes through `run_alert`: it claims its tick and the alert's running lease
(`runlock`), so a run still going when the next is due makes that one skip (logged and
recorded, never stacked) and two workers never run the same tick; it records the run
(`runs`). The tick is the schedule's due time at or before the moment the sender (beat)
published the task, which it stamps into the message as the header ``vigil_sent``.

Settings (environment):

- ``VIGIL_BROKER_URL``: RabbitMQ for celery's own messages; unset, kombu's filesystem
  transport under ``<data>/celery-broker`` (worker and beat across processes, no server).
- ``VIGIL_CELERY_QUEUE``: the task queue (default ``vigil-alerts``).
- ``VIGIL_ALERTS_MODULE``: import path of a module whose ``ALERTS`` dict replaces
  ``lib.config.ALERTS`` (a test or a site can reschedule alerts without editing config).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.schedules import schedule as interval
from celery.signals import before_task_publish

import lib
from lib import alerttask, config
from lib.errors import ConfigError
from lib.runlock import RunLock
from lib.runs import RunRecord, save_run
from lib.store import open_store
from lib.ticks import tick_for
from lib.utctime import utc_now

log = logging.getLogger(__name__)

ALERTS_DIR = Path(lib.__file__).resolve().parent.parent
SENT_HEADER = "vigil_sent"
DEFAULT_QUEUE = "vigil-alerts"
CRONTAB_EXPIRES_SECONDS = 300


def alerts_setting() -> dict[str, dict[str, Any]]:
    """The ALERTS dict in force: ``VIGIL_ALERTS_MODULE``'s if set, else lib.config's."""
    module_name = os.environ.get("VIGIL_ALERTS_MODULE")
    if not module_name:
        return config.ALERTS
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"VIGIL_ALERTS_MODULE {module_name!r} failed to import: {exc}") from exc
    alerts = getattr(module, "ALERTS", None)
    if not isinstance(alerts, dict):
        raise ConfigError(f"VIGIL_ALERTS_MODULE {module_name!r} defines no ALERTS dict")
    return alerts


def load_alert(name: str) -> type[alerttask.AlertTask]:
    """The AlertTask class named ``module.Class``; ConfigError naming it otherwise."""
    module_name, _, class_name = name.rpartition(".")
    if not module_name or not class_name:
        raise ConfigError(f"alert {name!r}: expected 'pythonfilename.classname'")
    try:
        module = _import_alert_module(module_name)
    except Exception as exc:  # an alert's import can fail any way; name the alert
        raise ConfigError(f"alert {name}: module {module_name} failed to import: {exc!r}") from exc
    alert_class = getattr(module, class_name, None)
    if not isinstance(alert_class, type) or not issubclass(alert_class, alerttask.AlertTask):
        raise ConfigError(f"alert {name}: {class_name} is not an AlertTask subclass")
    return alert_class


def _import_alert_module(module_name: str) -> ModuleType:
    """Import an alert module; a top-level one is found in alerts/ even off sys.path."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        path = ALERTS_DIR / f"{module_name}.py"
        if exc.name != module_name or "." in module_name or not path.is_file():
            raise
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def broker_settings(data_dir: Path | None = None) -> dict[str, Any]:
    """Celery's broker settings: RabbitMQ when configured, else the filesystem transport."""
    url = config.broker_url(config.RABBITMQ)
    if not url.startswith("filesystem:"):
        return {"broker_url": url}
    folder = (data_dir or config.DATA_DIR) / "celery-broker"
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
    }
    return {"broker_url": "filesystem://", "broker_transport_options": options}


def beat_entry(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """One beat_schedule entry for alert `name` (validated)."""
    if not isinstance(entry, dict) or "schedule" not in entry:
        raise ConfigError(f"alert {name}: ALERTS entry needs a 'schedule'")
    schedule = entry["schedule"]
    if not isinstance(schedule, timedelta | crontab | interval):
        raise ConfigError(f"alert {name}: schedule must be crontab(...) or timedelta(...)")
    args, kwargs = entry.get("args", []), entry.get("kwargs", {})
    if not isinstance(args, list | tuple) or not isinstance(kwargs, dict):
        raise ConfigError(f"alert {name}: 'args' must be a list and 'kwargs' a dict")
    options = {"expires": _expires_seconds(schedule), **entry.get("options", {})}
    return {
        "task": name,
        "schedule": schedule,
        "args": list(args),
        "kwargs": kwargs,
        "options": options,
    }


def _expires_seconds(schedule: Any) -> float:
    """A queued run older than its schedule's period is dropped: the next one is due."""
    if isinstance(schedule, timedelta):
        return max(schedule.total_seconds(), 10.0)
    if isinstance(schedule, interval):
        return max(schedule.run_every.total_seconds(), 10.0)
    return CRONTAB_EXPIRES_SECONDS


def check_alerts(alerts: dict[str, dict[str, Any]] | None = None) -> int:
    """Validate every ALERTS entry, load its class and load the alert plugins.

    Raises ConfigError naming the first bad alert or plugin; returns the alert count.
    """
    alerts = alerts_setting() if alerts is None else alerts
    for name, entry in alerts.items():
        beat_entry(name, entry)
        load_alert(name)
    check_plugins()
    return len(alerts)


def check_plugins() -> int:
    """Load and check every enabled alert plugin once (ConfigError naming a broken one)."""
    return len(alerttask.alert_plugins().load())


def create_app(alerts: dict[str, dict[str, Any]] | None = None) -> Celery:
    """The celery app with every alert of `alerts` (default: `alerts_setting()`) registered."""
    alerts = alerts_setting() if alerts is None else alerts
    settings = _settings(alerts)
    app = Celery("vigil", set_as_current=False)
    app.config_from_object(settings)
    app.on_after_configure.connect(_prepare_embedded_dirs, weak=False)
    for name, entry in settings["beat_schedule"].items():
        register_alert(app, name, load_alert(name), entry["schedule"])
    check_plugins()
    before_task_publish.connect(_stamp_sent, weak=False, dispatch_uid="vigil-stamp-sent")
    if settings["broker_url"].startswith("filesystem:"):
        _quiet_embedded_worker(app)
    return app


def _quiet_embedded_worker(app: Celery) -> None:
    """On the filesystem broker, run workers without event heartbeats, gossip and mingle.

    Those talk to other workers through fanout exchanges; on the filesystem transport
    they serve no one (one machine) and the heartbeat makes the worker hang at shutdown.
    """
    base = app.Worker

    class EmbeddedWorker(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.update(without_heartbeat=True, without_gossip=True, without_mingle=True)
            super().__init__(*args, **kwargs)

    app.Worker = EmbeddedWorker


def _settings(alerts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        **broker_settings(),
        "task_default_queue": os.environ.get("VIGIL_CELERY_QUEUE") or DEFAULT_QUEUE,
        "task_ignore_result": True,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": {name: beat_entry(name, entry) for name, entry in alerts.items()},
        "beat_schedule_filename": str(config.DATA_DIR / "celerybeat-schedule"),
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": True,
    }


def _prepare_embedded_dirs(sender: Celery, **_: Any) -> None:
    """Create the data dir and the filesystem broker's folders before anything opens them."""
    Path(sender.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = (sender.conf.broker_transport_options or {}).get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


def _stamp_sent(headers: dict | None = None, **_: Any) -> None:
    """Stamp the publish time into every task message (the run's tick derives from it)."""
    if headers is not None and SENT_HEADER not in headers:
        headers[SENT_HEADER] = utc_now().isoformat()


def register_alert(
    app: Celery, name: str, alert_class: type[alerttask.AlertTask], schedule: Any = None
) -> None:
    """Register `alert_class` as the celery task `name` (run through `run_alert`)."""

    def run_task(task: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        tick = _request_tick(task.request, schedule)
        record = run_alert(name, alert_class, tick=tick, args=args, kwargs=kwargs)
        return record.to_document()

    app.task(name=name, bind=True, shared=False)(run_task)


def _request_tick(request: Any, schedule: Any) -> datetime | None:
    """The tick of the schedule due when the message was sent (or now, if unstamped)."""
    if schedule is None:
        return None
    stamped = getattr(request, SENT_HEADER, None) or (request.headers or {}).get(SENT_HEADER)
    return tick_for(schedule, datetime.fromisoformat(stamped) if stamped else utc_now())


def run_alert(
    name: str,
    alert_class: type[alerttask.AlertTask],
    tick: datetime | None = None,
    args: tuple | list = (),
    kwargs: dict[str, Any] | None = None,
) -> RunRecord:
    """Run alert `name` once under its locks and record the run; re-raise its failure.

    With a `tick`, the run first claims that tick (a run of a tick another worker claimed
    is skipped and not recorded). Without one (a manual run), only the lease is taken.
    """
    store = open_store(config.store_url(alerttask.ES))
    lock = RunLock(store, name)
    record = RunRecord(alert=name, started=utc_now(), tick=tick)
    if tick is not None and not lock.claim_tick(tick):
        log.info("%s: tick %s already claimed by another worker; skipping", name, tick.isoformat())
        record.skipped = "claimed"
        return record
    with lock.held() as acquired:
        if not acquired:
            log.warning("%s: previous run still going; skipping this one", name)
            record.skipped = "overlap"
            _finish(store, record)
            return record
        _run_and_record(store, record, alert_class, args, kwargs or {})
    lock.prune()
    return record


def _run_and_record(
    store: Any, record: RunRecord, alert_class: type, args: Any, kwargs: dict[str, Any]
) -> None:
    alert = alert_class()
    try:
        alert.run(*args, **kwargs)
    except Exception as exc:  # the task boundary: record, then fail the task visibly
        record.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        record.events = _events_matched(alert)
        record.alert_ids = list(getattr(alert, "alert_ids", []) or [])
        record.alerts = len(record.alert_ids)
        _finish(store, record)


def _events_matched(alert: Any) -> int:
    if getattr(alert, "events", None) is not None:
        return len(alert.events)
    buckets = getattr(alert, "aggregations", None) or []
    return sum(int(bucket.get("count", 0)) for bucket in buckets)


def _finish(store: Any, record: RunRecord) -> None:
    record.finished = utc_now()
    save_run(store, record)
