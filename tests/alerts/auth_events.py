"""Real auth.log lines as alert-test events, in the shape `vigil ingest` gives them.

`auth_event` wraps one line's fields (copied from ../shared/data/auth.log, addresses as
in the log) as a harness event whose `utctimestamp` and `receivedtimestamp` are
`seconds_ago` before the harness's frozen clock, so the case keeps the line's spacing
in time while landing in (or out of) the alert's window.
"""

from __future__ import annotations

from typing import Any

from .alert_test_suite import AlertTestSuite

HOST = "ip-10-77-20-248"


def auth_event(
    program: str, pid: str | None, summary: str, details: dict[str, Any], seconds_ago: float = 0
) -> dict[str, Any]:
    """One harness event for an auth.log line `seconds_ago` before now."""
    when = AlertTestSuite.subtract_from_timestamp_lambda({"seconds": seconds_ago})
    source: dict[str, Any] = {
        "utctimestamp": when,
        "receivedtimestamp": when,
        "hostname": HOST,
        "processname": program,
        "severity": "INFO",
        "category": "syslog",
        "source": "auth.log",
        "tags": ["syslog"],
        "summary": summary,
        "details": {"program": program, **details},
    }
    if pid is not None:
        source["processid"] = pid
    return {"_source": source}


def already_alerted(event: dict[str, Any], alert_name: str) -> dict[str, Any]:
    """`event` as an earlier run of `alert_name` left it: tagged with the alert's name."""
    tagged = AlertTestSuite.copy(event)
    tagged["_source"]["alert_names"] = [alert_name]
    tagged["_source"]["alerts"] = [{"index": "alerts-201612", "id": "earlier"}]
    return tagged
