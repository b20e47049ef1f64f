"""The account `vigil ingest` gives of its input: every line written, skipped or rejected.

Units: an *item* is one line (syslog, NDJSON) or one element of a JSON document. Each
item is parsed (into one or more events: rsyslog's "message repeated N times" is N),
skipped (with a reason) or rejected (with a reason). Each parsed event is then written
or rejected by the store (with the store's reason). So, always::

    items == items_parsed + skipped + rejected_items
    events == written + rejected_events
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

EXAMPLES_PER_REASON = 5


@dataclass(frozen=True)
class Position:
    """Where an item came from: a source and a line (or JSON item) number."""

    source: str
    number: int
    unit: str = "line"

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.number}"
            if self.unit == "line"
            else f"{self.source} item {self.number}"
        )

    def to_dict(self) -> dict[str, str | int]:
        """``{source, line}`` or ``{source, item}``, as `vigil ingest --json` gives it."""
        return {"source": self.source, self.unit: self.number}


@dataclass
class IngestReport:
    """Counts of what happened to every input item and event, with reasons and examples."""

    lines: int = 0
    items: int = 0
    items_parsed: int = 0
    events: int = 0
    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected_items: Counter[str] = field(default_factory=Counter)
    rejected_events: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Position]] = field(default_factory=dict)

    def parsed(self, events: int) -> None:
        """Count one item that became `events` events."""
        self.items_parsed += 1
        self.events += events

    def skip(self, where: Position, reason: str) -> None:
        """Count one item skipped on purpose."""
        self.skipped[reason] += 1
        self._example(reason, where)

    def reject_item(self, where: Position, reason: str) -> None:
        """Count one item that could not be read."""
        self.rejected_items[reason] += 1
        self._example(reason, where)

    def reject_event(self, where: Position, reason: str) -> None:
        """Count one event the store refused."""
        self.rejected_events[reason] += 1
        self._example(reason, where)

    @property
    def accounted(self) -> bool:
        """True when every item and every event has exactly one outcome."""
        items = self.items_parsed + sum(self.skipped.values()) + sum(self.rejected_items.values())
        return items == self.items and self.events == self.written + sum(
            self.rejected_events.values()
        )

    def render(self) -> str:
        """The human summary printed at the end of `vigil ingest`."""
        out = [
            f"read {self.lines:,} lines ({self.items:,} items): {self.items_parsed:,} parsed into "
            f"{self.events:,} events, {sum(self.skipped.values()):,} skipped, "
            f"{sum(self.rejected_items.values()):,} rejected",
            f"events: {self.written:,} written, {sum(self.rejected_events.values()):,} rejected by the store",
        ]
        for title, counts in (
            ("skipped", self.skipped),
            ("rejected", self.rejected_items),
            ("rejected by the store", self.rejected_events),
        ):
            out.extend(self._reasons(title, counts))
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """The account for `vigil ingest --json`: counts, and each reason's first positions."""
        return {
            "lines": self.lines,
            "items": self.items,
            "items_parsed": self.items_parsed,
            "events": self.events,
            "written": self.written,
            "skipped": self._outcome(self.skipped),
            "rejected": self._outcome(self.rejected_items),
            "rejected_by_store": self._outcome(self.rejected_events),
            "accounted": self.accounted,
        }

    def _outcome(self, counts: Counter[str]) -> dict[str, Any]:
        reasons = [
            {
                "reason": reason,
                "count": count,
                "first": [where.to_dict() for where in self.examples.get(reason, [])],
            }
            for reason, count in counts.most_common()
        ]
        return {"count": sum(counts.values()), "reasons": reasons}

    def _reasons(self, title: str, counts: Counter[str]) -> list[str]:
        lines = []
        for reason, count in counts.most_common():
            where = ", ".join(str(position) for position in self.examples.get(reason, []))
            more = ", ..." if count > EXAMPLES_PER_REASON else ""
            lines.append(f"  {title}: {count:,} x {reason} (at {where}{more})")
        return lines

    def _example(self, reason: str, where: Position) -> None:
        examples = self.examples.setdefault(reason, [])
        if len(examples) < EXAMPLES_PER_REASON:
            examples.append(where)
