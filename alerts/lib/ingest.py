"""Log ingestion: lines of syslog or JSON become MozDef-shaped events in the `events` index.

Every input item is accounted for in an `IngestReport` (`lib.ingest_report`): it becomes
events (each written or refused by the store, with the store's reason), or it is
skipped (a blank line) or rejected (with the reason it could not be read). Nothing is
dropped silently and one bad line never stops the rest. rsyslog's "message repeated N
times" line is one line and N events.

Formats: ``syslog`` (`lib.syslog`), ``ndjson`` (one JSON object per line), ``json`` (a
whole document: one object or an array of objects; positions are item numbers) and
``auto`` (per source, from its first non-blank line: ``[`` starts a JSON document, a
JSON object means NDJSON, anything else is syslog). Every event is normalized as
loginput does (`lib.normalize`); `year` and `timezone` apply to syslog lines only (a
JSON timestamp without an offset is UTC, as loginput reads it).

`receivedtimestamp` (`received_at`): ``now``, the time of ingestion, is MozDef's meaning
(when Vigil received the event); live alerts match it too, so they see freshly ingested
old lines as new. ``event`` sets it to the event's own ``utctimestamp``, for loading
history that live alerts should ignore (`vigil backfill` replays it instead). Events are
bulk-written in batches; when following a file, a batch is also written whenever the
file goes quiet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

import orjson

from lib.errors import ConfigError, DocumentError
from lib.ingest_report import IngestReport, Position
from lib.ingest_sources import Line, read_source
from lib.normalize import normalize_event
from lib.store.base import EventStore
from lib.syslog import parse_line, to_event

FORMATS = ("auto", "syslog", "ndjson", "json")
RECEIVED_AT = ("now", "event")
EVENTS_INDEX = "events"
Progress = Callable[[int], Any]


@dataclass
class IngestOptions:
    """How to read the input: format, the year and zone syslog lacks, batching, tailing."""

    format: str = "auto"
    year: int | None = None
    timezone: tzinfo = UTC
    received_at: str = "now"
    batch_size: int = 1000
    follow: bool = False
    poll_interval: float = 0.5
    should_stop: Callable[[], bool] = field(default=lambda: False)


class Ingestor:
    """Reads sources, turns their lines into events and bulk-writes them to one store."""

    def __init__(self, store: EventStore, options: IngestOptions | None = None) -> None:
        self.store = store
        self.options = options or IngestOptions()
        if self.options.received_at not in RECEIVED_AT:
            raise ConfigError(f"received_at must be one of {RECEIVED_AT}")
        self.report = IngestReport()
        self._batch: list[tuple[Position, dict]] = []

    def ingest(self, sources: Iterable[str], progress: Progress | None = None) -> IngestReport:
        """Ingest every source ('-' is standard input) and return the report."""
        for source in sources:
            self.ingest_source(source, progress)
        return self.report

    def ingest_source(self, source: str, progress: Progress | None = None) -> None:
        """Ingest one source, writing its last batch before returning."""
        options = self.options
        lines = read_source(source, options.follow, options.poll_interval, options.should_stop)
        fmt = options.format
        for line in lines:
            if not isinstance(line, Line):  # IDLE: the followed file has nothing new
                self.flush()
                continue
            if progress:
                progress(line.size)
            if fmt == "auto" and line.text.strip():
                fmt = detect_format(line.text)
            if fmt == "json":
                self._ingest_json_document(line, lines, progress)
                break
            self._ingest_line(line, fmt)
        self.flush()

    def flush(self) -> None:
        """Bulk-write the pending batch and count each event's outcome."""
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        actions = [{"_op_type": "index", "_index": EVENTS_INDEX, "_source": e} for _, e in batch]
        response = self.store.bulk(actions)
        for (position, _), item in zip(batch, response["items"], strict=True):
            outcome = next(iter(item.values()))
            if "error" in outcome:
                self.report.reject_event(position, _store_reason(outcome["error"]))
            else:
                self.report.written += 1
        self.store.refresh(EVENTS_INDEX)

    def _ingest_line(self, line: Line, fmt: str) -> None:
        self.report.lines += 1
        self.report.items += 1
        if not line.text.strip():
            self.report.skip(line.position, "blank line")
        elif not line.valid_utf8:
            self.report.reject_item(line.position, "not valid UTF-8")
        else:
            try:
                events = self._events_from(line, fmt)
            except DocumentError as exc:
                self.report.reject_item(line.position, str(exc))
                return
            self._add(line.position, events)

    def _events_from(self, line: Line, fmt: str) -> list[dict]:
        now = datetime.now(UTC)
        if fmt == "ndjson":
            return [self._normalize(json_object(line.text), now)]
        message = parse_line(line.text, self.options.year, self.options.timezone, now)
        event = self._normalize(to_event(message, line.position.source), now)
        return [event] + [orjson.loads(orjson.dumps(event)) for _ in range(message.repeat - 1)]

    def _normalize(self, event: dict, now: datetime) -> dict:
        """The event normalized as received at `now`, then stamped as `received_at` says."""
        normalized = normalize_event(event, now)
        if self.options.received_at == "event":
            normalized["receivedtimestamp"] = normalized["utctimestamp"]
        return normalized

    def _ingest_json_document(
        self, first: Line, rest: Iterator[Line | object], progress: Progress | None
    ) -> None:
        tail = [line for line in rest if isinstance(line, Line)]
        if progress:
            progress(sum(line.size for line in tail))
        self.report.lines += 1 + len(tail)
        try:
            document = orjson.loads(b"".join([first.raw] + [line.raw for line in tail]))
        except orjson.JSONDecodeError as exc:
            self.report.items += 1
            self.report.reject_item(first.position, f"not a valid JSON document: {exc}")
            return
        items = document if isinstance(document, list) else [document]
        now = datetime.now(UTC)
        for number, item in enumerate(items, 1):
            position = Position(first.position.source, number, "item")
            self.report.items += 1
            try:
                self._add(position, [self._normalize(item, now)])
            except DocumentError as exc:
                self.report.reject_item(position, str(exc))

    def _add(self, position: Position, events: list[dict]) -> None:
        self.report.parsed(len(events))
        self._batch.extend((position, event) for event in events)
        if len(self._batch) >= self.options.batch_size:
            self.flush()


def ingest(
    store: EventStore,
    sources: Iterable[str],
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest `sources` into `store` and return the account of every line."""
    return Ingestor(store, options).ingest(sources, progress)


def detect_format(first_line: str) -> str:
    """The format `auto` picks for a source whose first non-blank line is `first_line`."""
    text = first_line.lstrip()
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        try:
            return "ndjson" if isinstance(orjson.loads(text), dict) else "json"
        except orjson.JSONDecodeError:
            return "json"  # the first line of a pretty-printed object
    return "syslog"


def json_object(text: str) -> dict:
    """The JSON object on one NDJSON line; DocumentError if it is not one."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise DocumentError(f"not valid JSON: {exc}", error_type="json") from exc
    if not isinstance(value, dict):
        kind = type(value).__name__
        raise DocumentError(f"a JSON event must be an object, not {kind}", error_type="json")
    return value


def _store_reason(error: dict) -> str:
    return f"store refused the event: {error.get('type')}: {error.get('reason')}"
