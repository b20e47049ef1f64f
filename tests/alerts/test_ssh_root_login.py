"""Tests of the root-login-over-SSH alert (alerts/ssh_root_login.py), on real auth.log lines.

The log has no accepted root login (a security engineer would expect none: root's
password is only ever guessed at); the positive cases use the log's own accepted-login
lines with root as the user.
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import already_alerted, auth_event
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase


def login(outcome, user, address, port, method="password", seconds_ago=10):
    """`sshd[1361]: Accepted publickey for ubuntu from 85.245.107.41 port 54259 ssh2` (and Failed ...)."""
    details = {
        "sourceipaddress": address,
        "sourceport": port,
        "username": user,
        "success": outcome == "Accepted",
        "authmethod": method,
        "invaliduser": False,
    }
    summary = f"{outcome} {method} for {user} from {address} port {port} ssh2"
    return auth_event("sshd", "1361", summary, details, seconds_ago)


ROOT_LOGIN = login("Accepted", "root", "85.245.107.41", "54259", method="publickey")


class TestAlertSshRootLogin(AlertTestSuite):
    default_alert = {
        "category": "authentication",
        "tags": ["ssh", "root"],
        "severity": "WARNING",
        "summary": "Root login over SSH to ip-10-77-20-248 as root from 85.245.107.41 (publickey)",
    }

    test_cases = [
        PositiveAlertTestCase(
            description="root logs in with a key",
            events=[ROOT_LOGIN],
            expected_alert=default_alert,
        ),
        PositiveAlertTestCase(
            description="root logs in with a password",
            events=[login("Accepted", "root", "24.151.103.17", "57668")],
            expected_alert={
                **default_alert,
                "summary": "Root login over SSH to ip-10-77-20-248 as root from 24.151.103.17 (password)",
            },
        ),
        NegativeAlertTestCase(
            description="failed root passwords (auth.log, Mar 28 21:25:01) are brute force, not a login",
            events=[login("Failed", "root", "122.163.61.218", "51574")],
        ),
        NegativeAlertTestCase(
            description="the administrator's own login as ubuntu",
            events=[login("Accepted", "ubuntu", "85.245.107.41", "54259", method="publickey")],
        ),
        NegativeAlertTestCase(
            description="older than the 5 minute window",
            events=[login("Accepted", "root", "85.245.107.41", "54259", seconds_ago=301)],
        ),
        NegativeAlertTestCase(
            description="already alerted on",
            events=[already_alerted(ROOT_LOGIN, "AlertSshRootLogin")],
        ),
    ]
