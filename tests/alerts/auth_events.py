"""Real auth.log lines as alert-test events, in the shape `vigil ingest` gives them.

`auth_event` wraps one line's fields (copied from ../shared/data/auth.log, addresses as
in the log) as a harness event whose `utctimestamp` and `receivedtimestamp` are
`seconds_ago` before the harness's frozen clock, so the case keeps the line's spacing
in time while landing in (or out of) the alert's window. The sshd builders below are
the authentication lines several alerts read, each named after the line it writes:

    sshd[2414]: Failed password for invalid user pi from 181.25.206.27 port 50378 ssh2
    sshd[1361]: Accepted publickey for ubuntu from 85.245.107.41 port 54259 ssh2
    sshd[21731]: Invalid user 0 from 91.197.232.109
    sshd[14718]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=24.151.103.17  user=elastic_user_0
    sshd[14924]: error: maximum authentication attempts exceeded for root from 190.178.62.6 port 56562 ssh2 [preauth]
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


def _account(user: str, invalid: bool) -> str:
    """How sshd names the account: `root`, or `invalid user pi` for one that does not exist."""
    return f"invalid user {user}" if invalid else user


def _attempt(
    pid: str,
    outcome: str,
    user: str,
    address: str,
    port: str,
    seconds_ago: float,
    method: str,
    invalid: bool,
) -> dict[str, Any]:
    """sshd's "OUTCOME METHOD for [invalid user] USER from ADDRESS port PORT ssh2"."""
    summary = f"{outcome} {method} for {_account(user, invalid)} from {address} port {port} ssh2"
    details = {
        "sourceipaddress": address,
        "sourceport": port,
        "username": user,
        "success": outcome == "Accepted",
        "authmethod": method,
        "invaliduser": invalid,
    }
    return auth_event("sshd", pid, summary, details, seconds_ago)


def failed_password(
    pid: str, user: str, address: str, port: str, seconds_ago: float = 0, *, invalid: bool = False
) -> dict[str, Any]:
    """`sshd[PID]: Failed password for [invalid user] USER from ADDRESS port PORT ssh2`."""
    return _attempt(pid, "Failed", user, address, port, seconds_ago, "password", invalid)


def accepted(
    pid: str,
    user: str,
    address: str,
    port: str,
    seconds_ago: float = 0,
    *,
    method: str = "password",
    key: str | None = None,
) -> dict[str, Any]:
    """`sshd[PID]: Accepted METHOD for USER from ADDRESS port PORT ssh2[: KEY]` (a login)."""
    event = _attempt(pid, "Accepted", user, address, port, seconds_ago, method, False)
    if key is not None:
        event["_source"]["summary"] += f": {key}"
    return event


def invalid_user(pid: str, user: str, address: str, seconds_ago: float = 0) -> dict[str, Any]:
    """`sshd[PID]: Invalid user USER from ADDRESS` (before the attempts on that name)."""
    details = {"sourceipaddress": address, "username": user, "success": False, "invaliduser": True}
    return auth_event("sshd", pid, f"Invalid user {user} from {address}", details, seconds_ago)


def pam_auth_failure(
    pid: str, address: str, seconds_ago: float = 0, *, user: str | None = None
) -> dict[str, Any]:
    """`sshd[PID]: pam_unix(sshd:auth): authentication failure; ... rhost=ADDRESS[  user=USER]`."""
    summary = (
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        f"rhost={address}"
    )
    details: dict[str, Any] = {"sourceipaddress": address, "success": False}
    if user is not None:
        summary += f"  user={user}"
        details["username"] = user
    return auth_event("sshd", pid, summary, details, seconds_ago)


def max_auth_exceeded(
    pid: str, user: str, address: str, port: str, seconds_ago: float = 0, *, invalid: bool = False
) -> dict[str, Any]:
    """`sshd[PID]: error: maximum authentication attempts exceeded for USER from ADDRESS ...`."""
    summary = (
        f"error: maximum authentication attempts exceeded for {_account(user, invalid)} "
        f"from {address} port {port} ssh2 [preauth]"
    )
    details = {
        "sourceipaddress": address,
        "sourceport": port,
        "username": user,
        "success": False,
        "invaliduser": invalid,
    }
    return auth_event("sshd", pid, summary, details, seconds_ago)
