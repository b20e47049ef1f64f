"""Operator commands: `vigil alerts`, `runs`, `run-alert`, `search`, `setup`, `serve`.

Every command takes ``--store URL`` (default: the configured store, `config.store_url()`)
and answers a mistake (an unknown alert, a bad query, an unreachable store) with a
one-line error and a non-zero exit, never a traceback. ``--json`` prints machine-readable
output: for `alerts` and `search`, a JSON list of ``{_id, _index, _source}`` documents;
for `setup`, the indices and aliases it created and all there are after it.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click
import orjson
from tqdm import tqdm

from lib import alerttask, config
from lib.celery_app import load_alert, run_alert
from lib.errors import VigilError
from lib.query_models import QueryStringMatch, SearchQuery
from lib.runlock import LOCKS_INDEX, LOCKS_MAPPING
from lib.runs import RUNS_INDEX, RUNS_MAPPING, ensure_index, list_runs
from lib.store import open_store
from lib.store.base import EventStore

ALERTS_INDEX = "alerts"
# Every daily events index: the rolling aliases cover only the newest days, and the
# window filter (indexed time columns, Elasticsearch's can-match) skips the rest cheaply.
EVENTS_INDICES = "events-*"


def register(group: click.Group) -> None:
    """Add the operator commands to the `vigil` group."""
    for command in (alerts_command, runs_command, run_alert_command, search_command):
        group.add_command(command)
    group.add_command(setup_command)
    group.add_command(serve_command)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn Vigil's errors into one-line click errors (exit status 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VigilError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


store_option = click.option(
    "--store",
    "store_url",
    default=None,
    metavar="URL",
    help="Event store URL (default: the configured store).",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text."
)
limit_option = click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))


def _store(store_url: str | None) -> EventStore:
    return open_store(store_url or config.store_url())


def print_json(value: Any) -> None:
    """Print `value` as indented JSON on standard output."""
    click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def _documents(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"_id": hit["_id"], "_index": hit["_index"], "_source": hit["_source"]} for hit in hits]


def _table(rows: list[list[str]], headers: list[str]) -> None:
    """Print `rows` as aligned columns (the last column is not padded)."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers) - 1)]
    for row in [headers, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]))


def _time(value: Any) -> str:
    return str(value or "")[:19].replace("T", " ")


@click.command("alerts")
@store_option
@limit_option
@json_option
@friendly_errors
def alerts_command(store_url: str | None, limit: int, as_json: bool) -> None:
    """Recent alerts, newest first."""
    body = {"size": limit, "sort": [{"utctimestamp": {"order": "desc"}}], "track_total_hits": True}
    found = _store(store_url).search(ALERTS_INDEX, body, ignore_unavailable=True)["hits"]
    hits = found["hits"]
    if as_json:
        print_json(_documents(hits))
        return
    if not hits:
        click.echo("No alerts yet.")
        return
    rows = [
        [
            _time(s.get("utctimestamp")),
            str(s.get("severity", "")),
            str(s.get("classname", "")),
            str(s.get("summary", "")),
        ]
        for s in (hit["_source"] for hit in hits)
    ]
    _table(rows, ["TIME (UTC)", "SEVERITY", "ALERT", "SUMMARY"])
    if found["total"]["value"] > len(hits):
        click.echo(
            f"showing the newest {len(hits)} of {found['total']['value']} (--limit N for more)"
        )


@click.command("runs")
@store_option
@limit_option
@click.option("--alert", default=None, metavar="MODULE.CLASS", help="Only this alert's runs.")
@json_option
@friendly_errors
def runs_command(store_url: str | None, limit: int, alert: str | None, as_json: bool) -> None:
    """Recent alert runs, newest first."""
    runs = list_runs(_store(store_url), size=limit, alert=alert)
    if as_json:
        print_json(runs)
        return
    if not runs:
        click.echo("No runs yet.")
        return
    rows = [
        [
            _time(r["started"]),
            r["alert"],
            f"{r['duration_seconds']:.2f}s",
            str(r["events"]),
            str(r["alerts"]),
            _outcome(r),
        ]
        for r in runs
    ]
    _table(rows, ["STARTED (UTC)", "ALERT", "TOOK", "EVENTS", "ALERTS", "OUTCOME"])


def _outcome(run: dict[str, Any]) -> str:
    if run.get("skipped"):
        return f"skipped ({run['skipped']})"
    return f"error: {run['error']}" if run.get("error") else "ok"


@click.command("run-alert")
@click.argument("name", metavar="MODULE.CLASS")
@store_option
@json_option
@friendly_errors
def run_alert_command(name: str, store_url: str | None, as_json: bool) -> None:
    """Run one alert once, now, and print what it fired."""
    if store_url:
        alerttask.ES = {"servers": [store_url]}
    alert_class = load_alert(name)
    try:
        record = run_alert(name, alert_class)
    except VigilError:
        raise
    except Exception as exc:  # the alert's own failure: one line, the run is recorded
        raise click.ClickException(f"{name} failed: {type(exc).__name__}: {exc}") from exc
    if record.skipped:
        raise click.ClickException(
            f"{name} is already running elsewhere; try again when it is done"
        )
    fired = _fetch_alerts(_store(store_url), record.alert_ids)
    if as_json:
        print_json({"run": record.to_document(), "alerts": fired})
        return
    click.echo(
        f"{name}: {record.events} event(s) matched, {record.alerts} alert(s) fired in {record.duration_seconds:.2f}s"
    )
    for document in fired:
        source = document["_source"]
        click.echo(
            f"  {source.get('severity', '')}  {source.get('summary', '')}  ({document['_id']})"
        )


def _fetch_alerts(store: EventStore, alert_ids: list[str]) -> list[dict[str, Any]]:
    if not alert_ids:
        return []
    body = {"query": {"ids": {"values": alert_ids}}, "size": len(alert_ids)}
    return _documents(store.search(ALERTS_INDEX, body, ignore_unavailable=True)["hits"]["hits"])


@click.command("search")
@click.argument("query")
@click.option(
    "--minutes", default=60, show_default=True, type=click.IntRange(1), help="How far back to look."
)
@store_option
@limit_option
@json_option
@friendly_errors
def search_command(
    query: str, minutes: int, store_url: str | None, limit: int, as_json: bool
) -> None:
    """Events of the last N minutes matching a Lucene query string, newest first."""
    search = SearchQuery(minutes=minutes)
    search.add_must(QueryStringMatch(query))
    body = search.request_body(size=limit) | {"sort": [{"utctimestamp": {"order": "desc"}}]}
    result = _store(store_url).search(EVENTS_INDICES, body, ignore_unavailable=True)
    hits = result["hits"]["hits"]
    if as_json:
        print_json(_documents(hits))
        return
    total = result["hits"]["total"]
    more = "+" if total.get("relation") == "gte" else ""
    click.echo(
        f"{total['value']}{more} event(s) in the last {minutes} minute(s); showing {len(hits)}"
    )
    rows = [
        [_time(s.get("utctimestamp")), str(s.get("hostname", "")), str(s.get("summary", ""))]
        for s in (h["_source"] for h in hits)
    ]
    if rows:
        _table(rows, ["TIME (UTC)", "HOST", "SUMMARY"])


@click.command("setup")
@store_option
@json_option
@friendly_errors
def setup_command(store_url: str | None, as_json: bool) -> None:
    """Create indices, templates and aliases on an empty store (safe to repeat)."""
    store = _store(store_url)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("event and alert indices", store.setup),
        (RUNS_INDEX, lambda: ensure_index(store, RUNS_INDEX, RUNS_MAPPING)),
        (LOCKS_INDEX, lambda: ensure_index(store, LOCKS_INDEX, LOCKS_MAPPING)),
    ]
    indices, aliases = store.list_indices(), store.get_aliases()
    for label, step in tqdm(steps, desc="setting up", unit="step", disable=None):
        tqdm.write(f"  {label}", file=sys.stderr if as_json else None)
        step()
    if as_json:
        print_json(_setup_report(store, indices, aliases))
        return
    click.echo(f"Store ready: {store.url}")


def _setup_report(
    store: EventStore, indices_before: list[str], aliases_before: dict[str, list[str]]
) -> dict[str, Any]:
    """What `setup` created: indices that are new, aliases that are new or point anew."""
    indices, aliases = store.list_indices(), store.get_aliases()
    return {
        "store": store.url,
        "created": {
            "indices": [index for index in indices if index not in indices_before],
            "aliases": {
                alias: targets
                for alias, targets in aliases.items()
                if targets != aliases_before.get(alias)
            },
        },
        "indices": indices,
        "aliases": aliases,
    }


@click.command("serve")
@store_option
@click.option(
    "--broker",
    "broker_url",
    default=None,
    metavar="URL",
    help="RabbitMQ URL (default: embedded broker).",
)
@click.option(
    "--port", default=None, type=click.IntRange(1, 65535), help="loginput port (default 8080)."
)
@friendly_errors
def serve_command(store_url: str | None, broker_url: str | None, port: int | None) -> None:
    """Run loginput, the celery worker with beat, and the actions worker until Ctrl-C."""
    from lib import serve

    if store_url:
        os.environ["VIGIL_STORE_URL"] = config.STORE_URL = store_url
        config.ES["servers"] = [store_url]
    if broker_url:
        os.environ["VIGIL_BROKER_URL"] = config.RABBITMQ["url"] = broker_url
    if port:
        os.environ["VIGIL_LOGINPUT_PORT"] = str(port)
        config.LOGINPUT["port"] = port
    raise SystemExit(serve.serve())
