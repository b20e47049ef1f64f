"""Details from well-known authentication log messages (sshd, sudo, su, useradd, CRON...).

`details_for(program, message)` reads one syslog message the way a security engineer
would and returns the `details` fields MozDef-style alerts query:

- sshd: ``sourceipaddress``, ``sourceport``, ``username``, ``success`` (Accepted is
  true; Failed, Invalid user, PAM authentication failures are false), ``authmethod``,
  ``invaliduser``; connection lines carry the address only.
- sudo: ``username`` (who ran it), ``targetuser``, ``command``, ``tty``, ``pwd``,
  ``success`` (false with ``error`` when sudo refused).
- su: ``username`` (who switched), ``targetuser``, ``success``.
- useradd / usermod / groupadd / chpasswd / passwd: ``username`` (the account touched)
  or ``group``, ``action`` (``useradd``, ``groupadd``, ``usermod``, ``password_changed``)
  and ``success``.
- pam_unix session lines of any program: ``username``, ``session`` (opened / closed).
- CRON: ``username`` and ``command``.

A message nobody recognises gives ``{}``: the event keeps its summary and is still
searchable. ``sourceipaddress`` is only set to a valid IP address (it is an `ip` field).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

Details = dict[str, Any]
Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], Details]]

_FROM = r"(?P<ip>\S+?)(?: port (?P<port>\d+))?"


def details_for(program: str | None, message: str) -> Details:
    """The details fields that `message` logged by `program` carries."""
    for pattern, build in _RULES.get(_program_key(program), ()) + _PAM_RULES:
        found = pattern.search(message)
        if found:
            return _clean(build(found))
    return {}


def is_ip_address(text: str | None) -> bool:
    """True if `text` is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text or "")
    except ValueError:
        return False
    return True


def _program_key(program: str | None) -> str:
    return (program or "").lower()


def _clean(details: Details) -> Details:
    """Drop empty optional values and any source address that is not an IP address."""
    if not is_ip_address(details.get("sourceipaddress")):
        details.pop("sourceipaddress", None)
    return {key: value for key, value in details.items() if value is not None}


# -- sshd ------------------------------------------------------------------------------


def _ssh_login(found: re.Match[str]) -> Details:
    return {
        "sourceipaddress": found["ip"],
        "sourceport": found["port"],
        "username": found["user"],
        "success": found["outcome"] == "Accepted",
        "authmethod": found["method"],
        "invaliduser": bool(found["invalid"]),
        "keytype": found["keytype"],
        "fingerprint": found["fingerprint"],
    }


def _ssh_invalid_user(found: re.Match[str]) -> Details:
    return {
        "sourceipaddress": found["ip"],
        "sourceport": found["port"],
        "username": found["user"],
        "success": False,
        "invaliduser": True,
    }


def _ssh_max_attempts(found: re.Match[str]) -> Details:
    return {**_ssh_invalid_user(found), "invaliduser": bool(found["invalid"])}


def _ssh_connection(found: re.Match[str]) -> Details:
    return {"sourceipaddress": found["ip"], "sourceport": found["port"]}


def _ssh_connection_to(found: re.Match[str]) -> Details:
    return {
        **_ssh_connection(found),
        "destinationipaddress": found["dip"],
        "destinationport": found["dport"],
    }


_SSHD_RULES: tuple[Rule, ...] = (
    (
        re.compile(
            r"^(?P<outcome>Accepted|Failed) (?P<method>\S+) for (?P<invalid>invalid user )?"
            r"(?P<user>.*?) from (?P<ip>\S+) port (?P<port>\d+) [^\s:]+"
            r"(?:: (?P<keytype>\S+) (?P<fingerprint>\S+))?"
        ),
        _ssh_login,
    ),
    (re.compile(r"^Invalid user (?P<user>.*?) from " + _FROM + r"\s*$"), _ssh_invalid_user),
    (
        re.compile(
            r"^error: maximum authentication attempts exceeded for (?P<invalid>invalid user )?"
            r"(?P<user>.*?) from (?P<ip>\S+) port (?P<port>\d+)"
        ),
        _ssh_max_attempts,
    ),
    (
        re.compile(r"^input_userauth_request: invalid user (?P<user>.*?) \[preauth\]"),
        lambda found: {"username": found["user"], "invaliduser": True},
    ),
    (
        re.compile(
            r"^(?:Starting session: \S+ (?:on \S+ )?for|Close session: user) (?P<user>\S+) "
            r"from (?P<ip>\S+) port (?P<port>\d+)"
        ),
        lambda found: {**_ssh_connection(found), "username": found["user"]},
    ),
    (
        re.compile(
            r"^Connection from (?P<ip>\S+) port (?P<port>\d+) on (?P<dip>\S+) port (?P<dport>\d+)"
        ),
        _ssh_connection_to,
    ),
    (
        re.compile(
            r"^(?:Connection closed by|Connection reset by|Received disconnect from|"
            r"Disconnected from|Did not receive identification string from|"
            r"fatal: Unable to negotiate with|Bad protocol version identification '.*' from)"
            r" (?:(?:invalid |authenticating )?user \S+ )?(?P<ip>[^\s:]+)(?: port (?P<port>\d+))?"
        ),
        _ssh_connection,
    ),
)

# -- sudo and su -----------------------------------------------------------------------

_SUDO = re.compile(r"^\s*(?P<user>\S+) : (?P<rest>.*?)COMMAND=(?P<command>.*)$")
_SUDO_FIELDS = {"TTY": "tty", "PWD": "pwd", "USER": "targetuser", "GROUP": "targetgroup"}


def _sudo(found: re.Match[str]) -> Details:
    details: Details = {"username": found["user"], "command": found["command"]}
    errors = []
    for part in (piece.strip() for piece in found["rest"].split(" ; ")):
        key, sep, value = part.partition("=")
        if sep and key in _SUDO_FIELDS:
            details[_SUDO_FIELDS[key]] = value
        elif part and not sep:
            errors.append(part)
    details["success"] = not errors
    details["error"] = "; ".join(errors) or None
    return details


def _su(found: re.Match[str]) -> Details:
    return {
        "username": found["by"],
        "targetuser": found["target"],
        "success": found["outcome"] == "Successful",
    }


def _su_tty(found: re.Match[str]) -> Details:
    return {
        "tty": found["tty"],
        "username": found["by"],
        "targetuser": found["target"],
        "success": found["sign"] == "+",
    }


_SUDO_RULES: tuple[Rule, ...] = ((_SUDO, _sudo),)
_SU_RULES: tuple[Rule, ...] = (
    (
        re.compile(r"^(?P<outcome>Successful|FAILED) su for (?P<target>\S+) by (?P<by>\S+)"),
        _su,
    ),
    (re.compile(r"^(?P<sign>[+-]) (?P<tty>\S+) (?P<by>[^:\s]+):(?P<target>\S+)$"), _su_tty),
)

# -- accounts --------------------------------------------------------------------------


def _account(action: str, success: bool = True) -> Callable[[re.Match[str]], Details]:
    def build(found: re.Match[str]) -> Details:
        fields = found.groupdict()
        details: Details = {"action": action, "success": success}
        details.update({key: value for key, value in fields.items() if value is not None})
        return details

    return build


_NAME = r"'?(?P<username>[^\s',]+)'?"
_GROUP_ADDED = (
    re.compile(
        r"^(?:new group|group added to \S+): name=(?P<group>[^\s,]+)(?:, GID=(?P<gid>\d+))?"
    ),
    _account("groupadd"),
)
_PASSWORD_RULES: tuple[Rule, ...] = (
    (re.compile(r"password changed for (?P<username>\S+)"), _account("password_changed")),
    (
        re.compile(r'user "(?P<username>[^"]+)" does not exist'),
        _account("password_changed", success=False),
    ),
)
_USERADD_RULES: tuple[Rule, ...] = (
    (
        re.compile(
            r"^new user: name=(?P<username>[^\s,]+), UID=(?P<uid>\d+), GID=(?P<gid>\d+)"
            r"(?:, home=(?P<home>[^,]+))?(?:, shell=(?P<shell>\S+))?"
        ),
        _account("useradd"),
    ),
    (re.compile(r"^failed adding user " + _NAME), _account("useradd", success=False)),
    _GROUP_ADDED,
    (
        re.compile(r"^add " + _NAME + r" to (?:shadow )?group '(?P<group>[^']+)'"),
        _account("usermod"),
    ),
)
_USERMOD_RULES: tuple[Rule, ...] = (
    (
        re.compile(r"^add " + _NAME + r" to (?:shadow )?group '(?P<group>[^']+)'"),
        _account("usermod"),
    ),
    (re.compile(r"^(?:change|lock|unlock) user " + _NAME), _account("usermod")),
)

# -- cron and PAM sessions (any program) -----------------------------------------------

_CRON_RULES: tuple[Rule, ...] = (
    (
        re.compile(r"^\((?P<username>[^)]+)\) CMD \((?P<command>.*)\)$"),
        lambda found: {"username": found["username"], "command": found["command"]},
    ),
)


def _pam_session(found: re.Match[str]) -> Details:
    return {"username": found["user"], "session": found["state"], "by": found["by"] or None}


def _pam_auth_failure(found: re.Match[str]) -> Details:
    return {"sourceipaddress": found["rhost"], "username": found["user"], "success": False}


_PAM_RULES: tuple[Rule, ...] = (
    (
        re.compile(
            r"^pam_unix\([^)]*\): session (?P<state>opened|closed) for user (?P<user>\S+)"
            r"(?: by (?P<by>[^\s(]*)\(uid=\d+\))?"
        ),
        _pam_session,
    ),
    (
        re.compile(
            r"(?:authentication failures?;|more authentication failures;).*?rhost=(?P<rhost>\S*)"
            r"(?:\s+user=(?P<user>\S+))?"
        ),
        _pam_auth_failure,
    ),
)

_LOGIND_RULES: tuple[Rule, ...] = (
    (
        re.compile(r"^New session (?P<sessionid>\S+) of user (?P<username>[^\s.]+)"),
        lambda found: found.groupdict(),
    ),
)

_RULES: dict[str, tuple[Rule, ...]] = {
    "systemd-logind": _LOGIND_RULES,
    "sshd": _SSHD_RULES,
    "sudo": _SUDO_RULES,
    "su": _SU_RULES,
    "useradd": _USERADD_RULES,
    "groupadd": (_GROUP_ADDED,),
    "usermod": _USERMOD_RULES,
    "chpasswd": _PASSWORD_RULES,
    "passwd": _PASSWORD_RULES,
    "cron": _CRON_RULES,
}
