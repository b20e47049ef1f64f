"""Serving loginput in production: granian (preferred) or gunicorn, configured in code.

Both keep HTTP/1.1 connections alive, so a shipper posting event after event reuses its
connection, and both run the WSGI app in worker processes (``config.LOGINPUT['workers']``,
default: the number of CPUs) with several threads each (``threads``, default 8), so
concurrent requests of a worker share store writes (`group_commit`). Each worker builds
the app, and so opens its store, after it starts.

- ``granian`` (Rust HTTP server, WSGI interface) is used when it is installed: its HTTP
  handling costs a fraction of gunicorn's, which on two cores is the difference between
  ~2,000 and ~4,000 single-event requests per second.
- ``gunicorn`` with its ``gthread`` worker is the fallback (and ``--server gunicorn``).

The access log is off (a line per event would dwarf the events); errors go to stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import falcon
from gunicorn.app.base import BaseApplication

from lib import config

SERVERS = ("granian", "gunicorn")
DEFAULT_THREADS = 2 * (os.cpu_count() or 1) + 1
KEEPALIVE_SECONDS = 15
APP_FACTORY = "lib.loginput:create_app"


@dataclass
class Settings:
    """Where and how loginput serves."""

    host: str
    port: int
    workers: int
    threads: int
    server: str


def settings(**overrides: Any) -> Settings:
    """Serving settings: `overrides` (None means unset), else `config.LOGINPUT`, else defaults."""
    loginput: dict[str, Any] = config.LOGINPUT
    chosen = {key: value for key, value in overrides.items() if value is not None}
    return Settings(
        host=str(chosen.get("host") or loginput["host"]),
        port=int(chosen.get("port") or loginput["port"]),
        workers=int(chosen.get("workers") or loginput.get("workers") or os.cpu_count() or 1),
        threads=int(chosen.get("threads") or loginput.get("threads") or DEFAULT_THREADS),
        server=str(chosen.get("server") or default_server()),
    )


def default_server() -> str:
    """granian when it is installed, else gunicorn."""
    return "granian" if importlib.util.find_spec("granian") else "gunicorn"


def serve(**overrides: Any) -> None:
    """Serve loginput in the foreground until SIGINT/SIGTERM."""
    chosen = settings(**overrides)
    if chosen.server == "granian":
        _serve_granian(chosen)
    else:
        GunicornServer(chosen).run()


def _serve_granian(chosen: Settings) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        APP_FACTORY,
        factory=True,
        address=chosen.host,
        port=chosen.port,
        interface=Interfaces.WSGI,
        workers=chosen.workers,
        blocking_threads=chosen.threads,
        respawn_failed_workers=True,
    ).serve()


class GunicornServer(BaseApplication):
    """A gunicorn application (gthread workers) that builds the app in each worker."""

    def __init__(self, chosen: Settings):
        self.chosen = chosen
        super().__init__()

    def load_config(self) -> None:
        """Apply the settings to gunicorn's."""
        options = {
            "bind": f"{self.chosen.host}:{self.chosen.port}",
            "worker_class": "gthread",
            "workers": self.chosen.workers,
            "threads": self.chosen.threads,
            "keepalive": KEEPALIVE_SECONDS,
            "proc_name": "vigil-loginput",
            "accesslog": None,
            "errorlog": "-",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> falcon.App:
        """Build the app (in the worker, after the fork)."""
        from lib.loginput import create_app

        return create_app()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of ``python -m lib.loginput``."""
    parser = argparse.ArgumentParser(prog="python -m lib.loginput", description=__doc__)
    parser.add_argument("--host", help="address to bind (default VIGIL_LOGINPUT_HOST)")
    parser.add_argument("--port", type=int, help="port (default VIGIL_LOGINPUT_PORT)")
    parser.add_argument("--workers", type=int, help="worker processes (default: CPUs)")
    parser.add_argument("--threads", type=int, help=f"threads per worker ({DEFAULT_THREADS})")
    parser.add_argument("--server", choices=SERVERS, help="default: granian if installed")
    args = parser.parse_args(argv)
    serve(**vars(args))
    return 0
