"""Alert plugin: put the source IP of an alert's events into ``alert['details']``.

Actions and dashboards then find the attacker's address at a fixed place,
``details.sourceipaddress``, whatever the alert was about. The address is taken from
the first event of the alert that has ``details.sourceipaddress``; an alert that
already sets ``details.sourceipaddress`` keeps its own. Every distinct source address
of the alert's events, in event order, goes into ``details.sourceipaddresses``.

Enable it with ``ALERT_PLUGINS = ['source_ip_details']``.
"""

from __future__ import annotations

from typing import Any


def event_source_ips(alert: dict[str, Any]) -> list[str]:
    """The distinct ``details.sourceipaddress`` values of the alert's events, in order."""
    found: list[str] = []
    for event in alert.get("events") or []:
        details = (event.get("documentsource") or {}).get("details")
        address = details.get("sourceipaddress") if isinstance(details, dict) else None
        if isinstance(address, str) and address and address not in found:
            found.append(address)
    return found


class message:
    """Copies the alert's events' source IP into alert['details']."""

    def __init__(self) -> None:
        self.registration = ["events"]
        self.priority = 50

    def onMessage(self, alert: dict[str, Any]) -> dict[str, Any]:
        """Return `alert` with details.sourceipaddress(es) filled in from its events."""
        addresses = event_source_ips(alert)
        if not addresses:
            return alert
        details = alert.get("details")
        if not isinstance(details, dict):
            details = alert["details"] = {}
        details.setdefault("sourceipaddress", addresses[0])
        details["sourceipaddresses"] = addresses
        return alert
