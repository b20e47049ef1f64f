"""The `vigil` command line: one click group; each concept registers its own commands.

Operator commands (alerts, runs, run-alert, search, setup, serve) live in
`cli_operator.py`; log ingestion and history replay (ingest, backfill) in `cli_replay.py`.
"""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES = ("lib.cli_operator", "lib.cli_replay")


@click.group()
def main() -> None:
    """Vigil: scheduled security alerts over an Elasticsearch-shaped event store."""


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(main)


_register()
