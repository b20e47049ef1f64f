"""DeadmanAlertTask: an alert that fires when its query matches nothing in its window.

The alert author writes `main()` as for any alert (`searchEventsSimple()` then
`walkEvents()`) and returns the alert from `onNoEvent()`. Only whether anything matched
matters, so the search asks for one hit. Missing indices count as no events, so it
also fires on a store that has never seen an event.
"""

from __future__ import annotations

from typing import Any

from lib.alerttask import AlertTask


class DeadmanAlertTask(AlertTask):
    """Base class of alerts about events that stopped arriving."""

    abstract = True

    def executeSearchEventsSimple(self) -> dict[str, Any]:
        """Search for at most one matching event: its presence is all that matters."""
        return self._query().execute(self._store(), indices=self.event_indices, size=1)
