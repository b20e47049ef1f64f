"""AlertTask: the life of one alert run, with MozDef's names for alert authors.

A run (`run()`, called by celery or directly) goes:

1. start fresh: per-run state is reset, the store, broker and plugins are resolved
   from this module's `ES`, `RABBITMQ` and `ALERT_PLUGINS` (which a harness may
   reassign) and, unless they were reassigned, from VIGIL_STORE_URL / VIGIL_BROKER_URL
   as the environment holds them now (precedence in lib.config), and alerts left
   unpublished by earlier runs are published (the outbox);
2. `main()`, written by the alert author: build a `SearchQuery`, `filtersManual(query)`,
   then `searchEventsSimple()` + `walkEvents()` or `searchEventsAggregated(path)` +
   `walkAggregations(threshold)`;
3. every alert the walk produces (`onEvent`, `onAggregation`, `onNoEvent`) takes the one
   emit path, batched per walk: plugins -> save to `alerts` (one bulk write) -> tag its
   events (one bulk write, all events of an aggregation) -> one refresh -> publish ->
   `hookAfterInsertion(alert)` -> its id in `alert_ids`.

An exception anywhere in a run is logged with the alert's name, kept in
`error_thrown` and re-raised, so the celery task fails visibly. `error_thrown` only
exists after a failed run (MozDef's harness tests `hasattr(task, 'error_thrown')`).
Nothing connects at import time or in the constructor.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from celery import Task
from celery.utils.log import get_task_logger

from lib import alert_config, config, emit, publisher
from lib.buckets import bucket_events, most_common
from lib.config import ALERT_PLUGINS, ES, RABBITMQ
from lib.dns import add_hostname_to_ip, hostname_from_ip
from lib.errors import AlertError, StoreError
from lib.plugins import PluginSet, plugin_set
from lib.query_models import ExistsMatch, SearchQuery, TermMatch, to_dsl
from lib.store import open_store
from lib.store.base import EventStore
from lib.utctime import utc_now

__all__ = [
    "ALERT_PLUGINS",
    "DEFAULT_STATUS",
    "ES",
    "RABBITMQ",
    "AlertTask",
    "add_hostname_to_ip",
    "alert_plugins",
    "hostname_from_ip",
]

# MozDef's status for a new alert (a triage bot may change it later).
DEFAULT_STATUS = "manual"
# Severities that do not notify MozDef's bot unless the alert names a channel.
QUIET_SEVERITIES = ("NOTICE", "INFO")
PLUGIN_PACKAGE = "plugins"

Pending = tuple[dict[str, Any] | None, list[dict[str, Any]]]
Ready = tuple[dict[str, Any], list[dict[str, Any]]]


def alert_plugins() -> PluginSet:
    """The enabled alert plugins (this module's `ALERT_PLUGINS`), shared per process.

    The celery app loads them at start-up (`PluginSet.load` raises ConfigError naming a
    broken one); each run reuses the loaded set.
    """
    return plugin_set(PLUGIN_PACKAGE, tuple(ALERT_PLUGINS))


class AlertTask(Task):
    """Base class of every alert: subclass it and write `main()` (see module doc)."""

    abstract = True

    def __init__(self) -> None:
        self.alert_name = self.__class__.__name__
        self.event_indices = ["events", "events-previous"]
        self.config: Any = None
        self.store: EventStore | None = None
        self._reset_run_state()

    # -- names and logging ------------------------------------------------------------

    def classname(self) -> str:
        """The alert's class name."""
        return self.__class__.__name__

    def determine_alert_classname(self) -> str:
        """The alert's name on documents: `custom_alert_name` if set, else the class name."""
        return str(getattr(self, "custom_alert_name", None) or self.classname())

    @property
    def log(self) -> Any:
        """The alert's logger (named after the alert)."""
        return get_task_logger(f"{__name__}.{self.alert_name}")

    # -- the run ----------------------------------------------------------------------

    def run(self, *args: Any, **kwargs: Any) -> None:
        """Run the alert once (celery calls this on schedule); re-raises any failure."""
        try:
            self._start_run()
            self.main(*args, **kwargs)
        except Exception as exc:  # the task boundary: log, record, re-raise
            self.error_thrown = exc
            self.log.exception("alert %s failed: %r", self.determine_alert_classname(), exc)
            raise
        finally:
            self.close_connections()

    def main(self, *args: Any, **kwargs: Any) -> None:
        """Written by the alert author: build the query, search and walk."""

    def _reset_run_state(self) -> None:
        self.main_query: SearchQuery | None = None
        self.events: list[dict[str, Any]] | None = None
        self.aggregations: list[dict[str, Any]] | None = None
        self.alert_ids: list[str] = []
        self.unpublished_ids: list[str] = []
        self.__dict__.pop("error_thrown", None)

    @property
    def unpublished_count(self) -> int:
        """How many alerts this run saved but could not publish (they wait in the outbox)."""
        return len(self.unpublished_ids)

    def _start_run(self) -> None:
        self._reset_run_state()
        self.store = open_store(config.store_url(ES))
        self.publisher = publisher.Publisher(RABBITMQ)
        self.plugin_set: PluginSet = alert_plugins()
        self.plugin_set.load()
        _, left = publisher.drain_outbox(self.store, self.publisher)
        if left:
            self.log.warning("%d earlier alert(s) are still unpublished", left)

    def close_connections(self) -> None:
        """Release the store's connections (every run ends with it; the store reconnects)."""
        if self.store is not None:
            self.store.close()

    # -- configuration ----------------------------------------------------------------

    def parse_config(self, config_filename: str, config_keys: list[str]) -> None:
        """Read `config_keys` of an INI ``[options]`` file next to the alert into self.config."""
        path = alert_config.resolve(config_filename, self._alert_dir())
        self.config = alert_config.parse_config(path, config_keys)

    def parse_json_alert_config(self, config_file: str) -> Any:
        """The parsed JSON of a config file next to the alert."""
        return alert_config.parse_json_alert_config(
            alert_config.resolve(config_file, self._alert_dir())
        )

    def _alert_dir(self) -> Path:
        return Path(inspect.getfile(self.__class__)).resolve().parent

    # -- searching --------------------------------------------------------------------

    def filtersManual(self, query: SearchQuery) -> None:
        """Make `query` the run's query, excluding events this alert already alerted on."""
        duplicate_matcher = TermMatch("alert_names", self.determine_alert_classname())
        if duplicate_matcher not in query.must_not:
            query.add_must_not(duplicate_matcher)
        self.main_query = query

    def executeSearchEventsSimple(self) -> dict[str, Any]:
        """Run the query once; MozDef's results shape (``{'hits': [...], 'meta': ...}``)."""
        return self._query().execute(self._store(), indices=self.event_indices)

    def searchEventsSimple(self) -> None:
        """Search the events matching the query into self.events."""
        self.events = list(self.executeSearchEventsSimple()["hits"])
        self.log.debug("%d event(s) matched", len(self.events))

    def searchEventsAggregated(self, aggregationPath: str, samplesLimit: int = 5) -> None:
        """Group every matching event by `aggregationPath` into self.aggregations (exact)."""
        query = self._query()
        exists = ExistsMatch(aggregationPath)
        if exists not in query.must:
            query.add_must(exists)
        hits = self._store().scan(
            self.event_indices, {"query": to_dsl(query.query())}, ignore_unavailable=True
        )
        self.aggregations = bucket_events(hits, aggregationPath, samplesLimit)
        self.log.debug("%d aggregation bucket(s)", len(self.aggregations))

    def mostCommon(self, listofdicts: Iterable[Any], dictkeypath: str) -> list[tuple[Any, int]]:
        """``[(value, count), ...]`` of `dictkeypath` (a.b.c) across dicts, most common first."""
        return most_common(listofdicts, dictkeypath)

    def _query(self) -> SearchQuery:
        if self.main_query is None:
            raise AlertError(f"{self.determine_alert_classname()}: call filtersManual(query) first")
        return self.main_query

    def _store(self) -> EventStore:
        if self.store is None:
            raise AlertError(f"{self.determine_alert_classname()}: search only inside run()")
        return self.store

    # -- walking: every alert goes through _emit ------------------------------------------

    def walkEvents(self, **kwargs: Any) -> None:
        """Call onEvent for each event (or onNoEvent if none) and emit what they return."""
        if self.events is None:
            raise AlertError(f"{self.determine_alert_classname()}: call searchEventsSimple() first")
        pending: list[Pending] = []
        for event in self.events:
            pending.append((self.onEvent(event, **kwargs), [event]))
        if not self.events:
            pending.append((self.onNoEvent(**kwargs), []))
        self._emit(pending)

    def walkAggregations(self, threshold: int, config: Any = None) -> None:
        """Call onAggregation for each bucket with count >= threshold and emit the alerts."""
        if self.aggregations is None:
            raise AlertError(
                f"{self.determine_alert_classname()}: call searchEventsAggregated() first"
            )
        pending: list[Pending] = []
        for aggregation in self.aggregations:
            if aggregation["count"] >= threshold:
                aggregation["config"] = config
                pending.append((self.onAggregation(aggregation), aggregation["allevents"]))
        self._emit(pending)

    def onEvent(self, event: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """Written by the alert author: an alert dict for `event`, or None."""
        return None

    def onNoEvent(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """Written by the alert author: an alert dict when nothing matched, or None."""
        return None

    def onAggregation(self, aggregation: dict[str, Any]) -> dict[str, Any] | None:
        """Written by the alert author: an alert dict for a bucket, or None."""
        return None

    def hookAfterInsertion(self, alert: dict[str, Any]) -> None:
        """Written by the alert author: called with each alert after it is saved and sent."""

    # -- the alert document -------------------------------------------------------------

    def createAlertDict(
        self,
        summary: str,
        category: str,
        tags: list[str],
        events: list[dict[str, Any]],
        severity: str = "NOTICE",
        url: str | None = None,
        channel: str | None = None,
        notify_mozdefbot: bool | None = None,
    ) -> dict[str, Any]:
        """MozDef's alert document for `events` (search hits).

        `notify_mozdefbot`, when not given, follows MozDef's rule (see `notify_bot`).
        """
        alert: dict[str, Any] = {
            "utctimestamp": utc_now().isoformat(),
            "severity": severity,
            "summary": summary,
            "category": category,
            "tags": tags,
            "events": [_event_reference(event) for event in events],
            "channel": channel,
            "notify_mozdefbot": (
                notify_bot(severity, channel) if notify_mozdefbot is None else notify_mozdefbot
            ),
            "status": DEFAULT_STATUS,
            "classname": self.determine_alert_classname(),
        }
        if url:
            alert["url"] = url
        return alert

    def tagBotNotify(self, alert: dict[str, Any]) -> dict[str, Any]:
        """Apply MozDef's notify_mozdefbot rule to an alert dict that did not set it."""
        if alert.get("notify_mozdefbot") is None:
            alert["notify_mozdefbot"] = notify_bot(alert.get("severity"), alert.get("channel"))
        return alert

    # -- the one emit path ----------------------------------------------------------------

    def _emit(self, pending: list[Pending]) -> None:
        batch: list[Ready] = []
        for alert, events in pending:
            enriched = self._enrich(alert) if alert else None
            if enriched is not None:
                batch.append((enriched, events))
        outcome = emit.emit_batch(
            self._store(), self.publisher, self.determine_alert_classname(), batch
        )
        if outcome.unpublished_ids:
            self.unpublished_ids.extend(outcome.unpublished_ids)
            self.log.warning(
                "%s: %d alert(s) saved but not published; the next alert run retries them",
                self.determine_alert_classname(),
                len(outcome.unpublished_ids),
            )
        for saved in outcome.saved:
            self.hookAfterInsertion(saved.alert)
            self.alert_ids.append(saved.id)
        if outcome.errors:
            raise StoreError("; ".join(outcome.errors))

    def _enrich(self, alert: dict[str, Any]) -> dict[str, Any] | None:
        enriched = self.plugin_set.run(self.tagBotNotify(alert))
        if enriched is None:
            self.log.info("a plugin dropped alert %r", alert.get("summary"))
        return enriched


def notify_bot(severity: str | None, channel: str | None) -> bool:
    """MozDef's notify_mozdefbot rule: False for NOTICE and INFO without a channel."""
    return bool(channel) or severity not in QUIET_SEVERITIES


def _event_reference(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "documentindex": event["_index"],
        "documentid": event["_id"],
        "documentsource": event["_source"],
    }
