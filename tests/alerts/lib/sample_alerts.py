"""Small alerts the lifecycle tests run (not the example alerts under alerts/)."""

from __future__ import annotations

from typing import Any

from lib.alerttask import AlertTask
from lib.deadman_alerttask import DeadmanAlertTask
from lib.query_models import SearchQuery, TermMatch


class Recording:
    """Mixin keeping every alert passed to hookAfterInsertion."""

    def hookAfterInsertion(self, alert: dict[str, Any]) -> None:
        self.__dict__.setdefault("hooked", []).append(alert)


class AlertFailedSsh(Recording, AlertTask):
    """Failed sshd logins aggregated by source IP, threshold `threshold`."""

    threshold = 2
    path = "details.sourceipaddress"

    def main(self) -> None:
        search_query = SearchQuery(minutes=20)
        search_query.add_must([TermMatch("category", "syslog"), TermMatch("processname", "sshd")])
        self.filtersManual(search_query)
        self.searchEventsAggregated(self.path, samplesLimit=3)
        self.walkAggregations(threshold=self.threshold)

    def onAggregation(self, aggreg: dict[str, Any]) -> dict[str, Any]:
        summary = f"{aggreg['count']} failed ssh logins from {aggreg['value']}"
        return self.createAlertDict(summary, "bruteforce", ["ssh"], aggreg["events"], "WARNING")


class AlertFailedSshByTag(AlertFailedSsh):
    """The same alert aggregating on the list-valued `tags` field."""

    path = "tags"
    threshold = 1


class AlertSshEvent(Recording, AlertTask):
    """One NOTICE alert per sshd event."""

    def main(self) -> None:
        search_query = SearchQuery(minutes=20)
        search_query.add_must(TermMatch("processname", "sshd"))
        self.filtersManual(search_query)
        self.searchEventsSimple()
        self.walkEvents()

    def onEvent(self, event: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        summary = f"ssh event on {event['_source']['hostname']}"
        return self.createAlertDict(summary, "ssh", ["ssh"], [event])


class AlertSshSilent(Recording, DeadmanAlertTask):
    """Fires when no sshd event arrived in the last 20 minutes."""

    def main(self) -> None:
        search_query = SearchQuery(minutes=20)
        search_query.add_must(TermMatch("processname", "sshd"))
        self.filtersManual(search_query)
        self.searchEventsSimple()
        self.walkEvents()

    def onNoEvent(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.createAlertDict("no sshd events in 20 minutes", "deadman", ["ssh"], [], "ERROR")


class AlertQuiet(AlertTask):
    """Searches and never fires."""

    def main(self) -> None:
        search_query = SearchQuery(minutes=20)
        search_query.add_must(TermMatch("category", "nothing-has-this"))
        self.filtersManual(search_query)
        self.searchEventsSimple()
        self.walkEvents()


class AlertBroken(AlertTask):
    """Fails inside main()."""

    def main(self) -> None:
        raise RuntimeError("the alert's own bug")
