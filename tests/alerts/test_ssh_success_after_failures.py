"""Tests of the SSH login-after-failures alert (alerts/ssh_success_after_failures.py).

Built on real auth.log lines: on Mar 30, 24.151.103.17 failed 147 times as
elastic_user_0 between 15:54 and 16:01:35, then logged in at 16:01:36.
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import accepted, already_alerted, failed_password, pam_auth_failure
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

ATTACKER = "24.151.103.17"
ADMIN = "85.245.107.41"


def failed(port, seconds_ago, address=ATTACKER):
    """`Mar 30 16:01:32 ... sshd[14716]: Failed password for elastic_user_0 from 24.151.103.17 port 57666 ssh2`."""
    return failed_password("14716", "elastic_user_0", address, port, seconds_ago)


def login(port, seconds_ago):
    """`Mar 30 16:01:36 ... sshd[14720]: Accepted password for elastic_user_0 from 24.151.103.17 port 57668 ssh2`."""
    return accepted("14720", "elastic_user_0", ATTACKER, port, seconds_ago)


def pam_failure(seconds_ago):
    """`pam_unix(sshd:auth): authentication failure; ... rhost=24.151.103.17  user=elastic_user_0`."""
    return pam_auth_failure("14718", ATTACKER, seconds_ago, user="elastic_user_0")


# 16:01:20 .. 16:01:35: five failures, 3 seconds apart, then the login at 16:01:36.
FAILURES = [failed(str(57659 + n), 16 - 3 * n) for n in range(5)]
LOGIN = login("57668", 0)


class TestAlertSshSuccessAfterFailures(AlertTestSuite):
    default_alert = {
        "category": "authentication",
        "tags": ["ssh", "bruteforce"],
        "severity": "CRITICAL",
        "summary": "SSH login as elastic_user_0 from 24.151.103.17 (password) after 5 failed attempts",
    }

    test_cases = [
        PositiveAlertTestCase(
            description="a login right after five failures from the same address",
            events=FAILURES + [LOGIN],
            expected_alert=default_alert,
        ),
        PositiveAlertTestCase(
            description="failures up to ten minutes before the login count",
            events=[failed(str(57000 + n), 599 - n) for n in range(5)] + [LOGIN],
            expected_alert=default_alert,
        ),
        NegativeAlertTestCase(
            description="pam_unix lines are not attempts: four Failed lines and their pam lines",
            events=FAILURES[:4] + [pam_failure(16 - 3 * n) for n in range(5)] + [LOGIN],
        ),
        NegativeAlertTestCase(
            description="four failures are below the threshold of five",
            events=FAILURES[:4] + [LOGIN],
        ),
        NegativeAlertTestCase(
            description="failures after the login do not make it suspicious",
            events=[login("57600", 30)] + FAILURES,
        ),
        NegativeAlertTestCase(
            description="failures older than the 10 minute window",
            events=[failed(str(57000 + n), 601 + n) for n in range(5)] + [LOGIN],
        ),
        NegativeAlertTestCase(
            description="failures from another address (the administrator's) do not count",
            events=[failed(str(50690 + n), 20 - n, address=ADMIN) for n in range(5)] + [LOGIN],
        ),
        NegativeAlertTestCase(
            description="many failures and no login at all",
            events=FAILURES * 3,
        ),
        NegativeAlertTestCase(
            description="a login after failures that were already alerted on",
            events=[already_alerted(e, "AlertSshSuccessAfterFailures") for e in FAILURES + [LOGIN]],
        ),
    ]
