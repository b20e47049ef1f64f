"""`vigil ingest` (logs into the event store) and `vigil backfill` (replay alerts over history).

Both take ``--store URL`` (default: the configured store, `config.store_url()`), show a
tqdm progress bar on standard error and print their account on standard output (as JSON
with ``--json``).

`vigil ingest` exits 0 when it read its input, whatever it rejected (the account lists
every rejected line); it exits 1 when a file cannot be read or the store fails. A real
`vigil backfill` publishes what fires, as the live scheduler would, so actions see it;
``--no-publish`` saves and tags without publishing, ``--dry-run`` touches nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from tqdm import tqdm

from lib import config
from lib.backfill import BackfillOptions, alert_names, backfill
from lib.cli_operator import json_option, print_json, store_option
from lib.errors import VigilError
from lib.ingest import FORMATS, RECEIVED_AT, IngestOptions, Ingestor
from lib.ingest_report import IngestReport
from lib.ingest_sources import source_size
from lib.store import open_store
from lib.utctime import to_utc

Progress = Callable[[int], Any]


def register(group: click.Group) -> None:
    """Add `ingest` and `backfill` to the `vigil` command group."""
    group.add_command(ingest_command)
    group.add_command(backfill_command)


class ZoneType(click.ParamType):
    """A zoneinfo time zone name (``Europe/Lisbon``, ``UTC``)."""

    name = "timezone"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> ZoneInfo:
        if isinstance(value, ZoneInfo):
            return value
        try:
            return ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(
                f"unknown time zone {value!r} (use a zoneinfo name such as Europe/Lisbon)",
                param,
                ctx,
            )


class InstantType(click.ParamType):
    """An ISO 8601 time; without an offset it is UTC."""

    name = "time"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return to_utc(value)
        try:
            return to_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time (e.g. 2017-03-27T13:00:00Z)", param, ctx)


class DurationType(click.ParamType):
    """A duration such as ``30s``, ``1m``, ``2h``, ``1d``."""

    name = "duration"
    UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        text = str(value).strip()
        unit = self.UNITS.get(text[-1:])
        try:
            amount = float(text[:-1])
        except ValueError:
            amount = -1.0
        if unit is None or amount <= 0:
            self.fail(f"{value!r} is not a duration such as 30s, 1m, 2h or 1d", param, ctx)
        return timedelta(**{unit: amount})


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option(
    "--year",
    type=click.IntRange(1970, 9999),
    default=None,
    help="Year of syslog lines (default: this year, or last year for dates ahead).",
)
@click.option(
    "--timezone",
    "zone",
    type=ZoneType(),
    default="UTC",
    show_default=True,
    help="Zone of syslog lines without one.",
)
@click.option(
    "--follow", is_flag=True, help="Keep reading FILE as it grows (like tail -f); stop with Ctrl-C."
)
@click.option(
    "--received-at",
    type=click.Choice(RECEIVED_AT),
    default="now",
    show_default=True,
    help="receivedtimestamp of each event: 'now' (ingest time; live alerts match it, "
    "so old lines look new to them) or 'event' (the event's own time: history that "
    "live alerts ignore and `vigil backfill` replays).",
)
@click.option("--batch-size", type=click.IntRange(1), default=1000, show_default=True)
@store_option
@json_option
def ingest_command(
    files: tuple[str, ...],
    fmt: str,
    year: int | None,
    zone: ZoneInfo,
    follow: bool,
    received_at: str,
    batch_size: int,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Read log FILEs ('-' for standard input) into the event store as MozDef events.

    Live alerts match an event's receivedtimestamp as well as its utctimestamp: to load
    old logs into a store the live alerts watch, give --received-at event, then replay
    them with `vigil backfill`.
    """
    if follow and (len(files) != 1 or files[0] == "-"):
        raise click.UsageError("--follow takes exactly one FILE (not '-')")
    store = open_store(store_url or config.store_url())
    options = IngestOptions(
        format=fmt,
        year=year,
        timezone=zone,
        received_at=received_at,
        batch_size=batch_size,
        follow=follow,
    )
    ingestor = Ingestor(store, options)
    sizes = [source_size(name) for name in files]
    total = None if follow or None in sizes else sum(size or 0 for size in sizes)
    try:
        with tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc="ingest",
            file=sys.stderr,
        ) as bar:
            ingestor.ingest(files, progress=cast(Progress, bar.update))
    except KeyboardInterrupt:
        ingestor.flush()
    except (VigilError, OSError) as exc:
        _print_report(ingestor.report, as_json)
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    _print_report(ingestor.report, as_json)


def _print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
    else:
        click.echo(report.render())


@click.command("backfill")
@click.argument("alerts", nargs=-1, metavar="[ALERT...]")
@click.option(
    "--from",
    "start",
    type=InstantType(),
    required=True,
    help="First tick (ISO 8601; UTC unless an offset is given).",
)
@click.option("--to", "end", type=InstantType(), required=True, help="Last tick (ISO 8601).")
@click.option(
    "--every",
    type=DurationType(),
    default=None,
    help="Tick every DURATION (30s, 1m, 1h) instead of each alert's ALERTS schedule.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Save, tag and publish nothing; the store is left exactly as it was.",
)
@click.option(
    "--publish/--no-publish",
    default=True,
    show_default=True,
    help="Publish fired alerts to the broker (a real backfill, as live).",
)
@click.option(
    "--exact", is_flag=True, help="Run every tick, even when nothing new is in the alert's window."
)
@store_option
@json_option
def backfill_command(
    alerts: tuple[str, ...],
    start: datetime,
    end: datetime,
    every: timedelta | None,
    dry_run: bool,
    publish: bool,
    exact: bool,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Replay ALERTs over history as the scheduler would have run them.

    ALERT is 'module.Class' as in ALERTS (default: every alert in ALERTS). Each runs at
    every tick of its schedule from --from to --to with the clock set to the tick; fired
    alerts are saved, tag their events and are published, as live (--no-publish keeps
    them off the broker; --dry-run changes nothing anywhere).
    """
    names = alert_names(alerts)
    options = BackfillOptions(start, end, every, dry_run, publish, exact)
    url = store_url or config.store_url()
    try:
        with tqdm(unit="tick", desc="backfill", file=sys.stderr) as bar:
            result = backfill(url, names, options, progress=cast(Progress, bar.update))
    except VigilError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        print_json(result.to_dict() | {"dry_run": dry_run})
        return
    click.echo(result.render())
    if dry_run:
        click.echo("dry run: nothing was saved, tagged or published")
