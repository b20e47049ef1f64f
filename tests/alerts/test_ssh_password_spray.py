"""Tests of the SSH password spray alert (alerts/ssh_password_spray.py), on real auth.log lines."""

from .alert_test_suite import AlertTestSuite
from .auth_events import accepted, already_alerted, failed_password, invalid_user
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

SPRAYER = "91.197.232.109"


def tried(name, pid, seconds_ago, address=SPRAYER):
    """`Mar 28 06:29:51 ip-10-77-20-248 sshd[21731]: Invalid user 0 from 91.197.232.109`."""
    return invalid_user(pid, name, address, seconds_ago)


def guessed(name, pid, port, seconds_ago):
    """`sshd[PID]: Failed password for invalid user NAME from 91.197.232.109 port PORT ssh2`."""
    return failed_password(pid, name, SPRAYER, port, seconds_ago, invalid=True)


# Mar 28 06:29:51 .. 06:30:08: one address tries 0, 0000, 010101, 1111, 1234, admin, api.
SPRAY = [
    tried("0", "21731", 17),
    tried("0000", "21759", 17),
    tried("010101", "21835", 16),
    tried("1111", "21837", 16),
    tried("1234", "21926", 13),
    tried("admin", "21928", 12),
]


class TestAlertSshPasswordSpray(AlertTestSuite):
    default_alert = {
        "category": "bruteforce",
        "tags": ["ssh", "passwordspray"],
        "severity": "NOTICE",
        "summary": (
            "SSH password spray from 91.197.232.109: 6 user names tried in 6 failed attempts "
            "(0, 0000, 010101, 1111, 1234, admin)"
        ),
    }

    test_cases = [
        PositiveAlertTestCase(
            description="six different user names from one address within seconds",
            events=SPRAY,
            expected_alert=default_alert,
        ),
        PositiveAlertTestCase(
            description="exactly the threshold: five names, repeated names counted once",
            events=SPRAY[:5] + [tried("0", "21900", 15), tried("1111", "21901", 14)],
            expected_alert={
                **default_alert,
                "summary": (
                    "SSH password spray from 91.197.232.109: 5 user names tried in 7 failed "
                    "attempts (0, 0000, 010101, 1111, 1234)"
                ),
            },
        ),
        PositiveAlertTestCase(
            description="Failed password lines count as well, the oldest just inside 10 minutes",
            events=[
                guessed("admin", "21950", "50980", 599),
                guessed("test", "21951", "50981", 30),
                guessed("guest", "21952", "50982", 20),
                guessed("oracle", "21953", "50983", 10),
                guessed("ubnt", "21954", "50984", 1),
            ],
            expected_alert={
                **default_alert,
                "summary": (
                    "SSH password spray from 91.197.232.109: 5 user names tried in 5 failed "
                    "attempts (admin, guest, oracle, test, ubnt)"
                ),
            },
        ),
        NegativeAlertTestCase(
            description="four different names are below the threshold of five",
            events=SPRAY[:4] * 3,
        ),
        NegativeAlertTestCase(
            description="the fifth name is older than the 10 minute window",
            events=SPRAY[:4] + [tried("admin", "21000", 601)],
        ),
        NegativeAlertTestCase(
            description="five names but from two addresses (no single address sprays)",
            events=SPRAY[:3] + [tried(n, "22000", 5, address="1.2.3.4") for n in ("a", "b")],
        ),
        NegativeAlertTestCase(
            description="an empty user name is not a name",
            events=SPRAY[:4] + [tried("", "21990", 3)],
        ),
        NegativeAlertTestCase(
            description="successful logins are not guesses",
            events=SPRAY[:4] + [accepted("20001", "elastic_user_0", SPRAYER, "1", 2)],
        ),
        NegativeAlertTestCase(
            description="events already alerted on do not alert again",
            events=[already_alerted(event, "AlertSshPasswordSpray") for event in SPRAY],
        ),
        NegativeAlertTestCase(
            description="a fifth name already alerted on does not count again",
            events=SPRAY[:4] + [already_alerted(SPRAY[4], "AlertSshPasswordSpray")],
        ),
    ]
