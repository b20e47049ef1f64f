"""Settings, with MozDef's names (ALERTS, ALERT_PLUGINS, ALERT_ACTIONS, RABBITMQ, ES).

Every value can be overridden from the environment; nothing here connects anywhere.

- VIGIL_DATA_DIR       where embedded state lives (default ./data)
- VIGIL_STORE_URL      event store URL (default: embedded store <data>/store.db)
- VIGIL_BROKER_URL     message broker URL, e.g. amqp://guest:guest@127.0.0.1:5672//
                       (default: embedded filesystem transport under <data>/broker)
- VIGIL_ALERT_EXCHANGE topic exchange alerts are published to (default alerts)
- VIGIL_ALERT_ROUTING_KEY routing key of published alerts (default mozdef.alert)
- VIGIL_LOGINPUT_HOST / VIGIL_LOGINPUT_PORT / VIGIL_LOGINPUT_TOKEN  event intake
- VIGIL_LOGINPUT_MAX_BODY  largest accepted request body in bytes (default 10 MiB)
- VIGIL_LOGINPUT_WORKERS / VIGIL_LOGINPUT_THREADS  loginput server processes and threads
- VIGIL_ALERT_PLUGINS / VIGIL_ALERT_ACTIONS  comma lists overriding ALERT_PLUGINS / ALERT_ACTIONS
- VIGIL_ALERTS_MODULE  a module whose ALERTS dict replaces the one below (schedules)
- VIGIL_CELERY_QUEUE (default vigil-alerts), VIGIL_ACTIONS_QUEUE (default alert-actions)
- VIGIL_ALERT_LOG      the logfile action's file (default <data>/alerts.log)
- VIGIL_WEBHOOK_URL, VIGIL_WEBHOOK_TIMEOUT, VIGIL_WEBHOOK_RETRIES, VIGIL_WEBHOOK_BACKOFF

The store and broker URLs are resolved when they are needed (an alert run resolves them
as it starts), not when this module is imported, so a script or test that sets
VIGIL_STORE_URL / VIGIL_BROKER_URL later is obeyed. `store_url(es)` and
`broker_url(rabbitmq)` decide, first match wins:

1. a dict other than this module's own ES / RABBITMQ (MozDef's harness, backfill or a
   script reassigned ``lib.alerttask.ES`` / ``RABBITMQ``): that dict alone decides,
   whatever the environment says, so a test never writes to the configured store;
2. VIGIL_STORE_URL / VIGIL_BROKER_URL, as the environment holds them at that moment;
3. this module's ES["servers"][0] / RABBITMQ's ``url`` or ``mqserver`` (edit them here
   to pin a store or broker without the environment);
4. the embedded store ``<VIGIL_DATA_DIR>/store.db`` (STORE_URL) / the embedded broker.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery.schedules import crontab

DATA_DIR = Path(os.environ.get("VIGIL_DATA_DIR", "data")).resolve()

# The store when neither the environment nor ES names one (see store_url).
STORE_URL = str(DATA_DIR / "store.db")
EMBEDDED_BROKER_DIR = DATA_DIR / "broker"

# Alerts and their schedules: 'pythonfilename.classname': {'schedule': crontab(...)}.
# A schedule must be no longer than the alert's window, or events between ticks are missed.
ALERTS: dict[str, dict] = {
    "bruteforce_ssh.AlertBruteforceSsh": {"schedule": crontab(minute="*/1")},
    "ssh_bruteforce_user.AlertSshBruteforceUser": {"schedule": crontab(minute="*/1")},
    "ssh_max_auth_exceeded.AlertSshMaxAuthExceeded": {"schedule": crontab(minute="*/1")},
    "sshd_nonstandard_port.AlertSshdNonstandardPort": {"schedule": crontab(minute="*/1")},
    "ssh_password_spray.AlertSshPasswordSpray": {"schedule": crontab(minute="*/1")},
    "ssh_success_after_failures.AlertSshSuccessAfterFailures": {"schedule": crontab(minute="*/1")},
    "sudo_root_shell.AlertSudoRootShell": {"schedule": crontab(minute="*/1")},
    "account_change.AlertAccountChange": {"schedule": crontab(minute="*/1")},
    "ssh_root_login.AlertSshRootLogin": {"schedule": crontab(minute="*/1")},
    # A deadman alert fires on every run while its source is silent: hourly is enough.
    "deadman_syslog.AlertDeadmanSyslog": {"schedule": crontab(minute=0)},
}

# Alert plugins (alerts/plugins/<name>.py), run on every alert before it is saved.
# VIGIL_ALERT_PLUGINS="source_ip_details,other" overrides the list.
# By default every alert carries its first event's source address in
# details.sourceipaddress (and all of them in details.sourceipaddresses), for pivoting.
ALERT_PLUGINS: list[str] = [
    name for name in os.environ.get("VIGIL_ALERT_PLUGINS", "source_ip_details").split(",") if name
]

# Alert actions (alerts/actions/<name>.py), run by the actions worker on published alerts.
# VIGIL_ALERT_ACTIONS="logfile,webhook" overrides the list.
ALERT_ACTIONS: list[str] = ["logfile"]

# MozDef's broker settings. VIGIL_BROKER_URL wins (read when used); else `url`; else
# `mqserver` and friends build an amqp:// URL; else the embedded transport is used, in
# `data_folder` (default EMBEDDED_BROKER_DIR). `publish_retries` (default 3) bounds
# publish retries.
RABBITMQ: dict = {
    "url": "",
    "alertexchange": os.environ.get("VIGIL_ALERT_EXCHANGE", "alerts"),
    "alertqueue": os.environ.get("VIGIL_ALERT_ROUTING_KEY", "mozdef.alert"),
}

# MozDef's event store settings: the first server is the store URL. VIGIL_STORE_URL
# wins (read when used); with neither, the embedded store STORE_URL.
ES: dict = {"servers": []}

LOGINPUT = {
    "host": os.environ.get("VIGIL_LOGINPUT_HOST", "127.0.0.1"),
    "port": int(os.environ.get("VIGIL_LOGINPUT_PORT", "8080")),
    "token": os.environ.get("VIGIL_LOGINPUT_TOKEN", ""),
    "max_body_bytes": int(os.environ.get("VIGIL_LOGINPUT_MAX_BODY", str(10 * 1024 * 1024))),
    # Empty means the server's defaults (one worker per CPU, 8 threads each).
    "workers": os.environ.get("VIGIL_LOGINPUT_WORKERS", ""),
    "threads": os.environ.get("VIGIL_LOGINPUT_THREADS", ""),
}


def broker_url(rabbitmq: dict | None = None) -> str:
    """The broker URL to use now for `rabbitmq` (MozDef's RABBITMQ dict; precedence above)."""
    settings = RABBITMQ if rabbitmq is None else rabbitmq
    if settings is RABBITMQ and os.environ.get("VIGIL_BROKER_URL"):
        return os.environ["VIGIL_BROKER_URL"]
    if settings.get("url"):
        return str(settings["url"])
    if settings.get("mqserver"):
        user = settings.get("mquser", "guest")
        password = settings.get("mqpassword", "guest")
        port = settings.get("mqport", 5672)
        vhost = settings.get("mqvhost", "/")
        return f"amqp://{user}:{password}@{settings['mqserver']}:{port}/{vhost.lstrip('/')}"
    return "filesystem://"


def store_url(es: dict | None = None) -> str:
    """The event store URL to use now for `es` (MozDef's ES dict; precedence above)."""
    settings = ES if es is None else es
    if settings is ES and os.environ.get("VIGIL_STORE_URL"):
        return os.environ["VIGIL_STORE_URL"]
    servers = settings.get("servers") or [STORE_URL]
    return str(servers[0])
