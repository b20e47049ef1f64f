"""Tests of the root-login-over-SSH alert (alerts/ssh_root_login.py), on real auth.log lines.

The log has no accepted root login (a security engineer would expect none: root's
password is only ever guessed at); the positive cases use the log's own accepted-login
lines with root as the user.
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import accepted, already_alerted, failed_password
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

# sshd[1361]: Accepted publickey for ubuntu from 85.245.107.41 port 54259 ssh2, as root
ROOT_LOGIN = accepted("1361", "root", "85.245.107.41", "54259", 10, method="publickey")


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
            events=[accepted("1361", "root", "24.151.103.17", "57668", 10)],
            expected_alert={
                **default_alert,
                "summary": "Root login over SSH to ip-10-77-20-248 as root from 24.151.103.17 (password)",
            },
        ),
        NegativeAlertTestCase(
            description="failed root passwords (auth.log, Mar 28 21:25:01) are brute force, not a login",
            events=[failed_password("1361", "root", "122.163.61.218", "51574", 10)],
        ),
        NegativeAlertTestCase(
            description="the administrator's own login as ubuntu",
            events=[accepted("1361", "ubuntu", "85.245.107.41", "54259", 10, method="publickey")],
        ),
        NegativeAlertTestCase(
            description="older than the 5 minute window",
            events=[accepted("1361", "root", "85.245.107.41", "54259", 301)],
        ),
        NegativeAlertTestCase(
            description="already alerted on",
            events=[already_alerted(ROOT_LOGIN, "AlertSshRootLogin")],
        ),
    ]
