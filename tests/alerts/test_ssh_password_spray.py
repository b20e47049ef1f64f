"""Tests of the SSH password spray alert (alerts/ssh_password_spray.py), on real auth.log lines."""

from .alert_test_suite import AlertTestSuite
from .auth_events import already_alerted, auth_event
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

SPRAYER = "91.197.232.109"


def invalid_user(name, pid, seconds_ago, address=SPRAYER):
    """`Mar 28 06:29:51 ip-10-77-20-248 sshd[21731]: Invalid user 0 from 91.197.232.109`."""
    details = {"sourceipaddress": address, "username": name, "success": False, "invaliduser": True}
    return auth_event("sshd", pid, f"Invalid user {name} from {address}", details, seconds_ago)


def failed_password(name, pid, port, seconds_ago, address=SPRAYER):
    summary = f"Failed password for invalid user {name} from {address} port {port} ssh2"
    details = {
        "sourceipaddress": address,
        "sourceport": port,
        "username": name,
        "success": False,
        "authmethod": "password",
        "invaliduser": True,
    }
    return auth_event("sshd", pid, summary, details, seconds_ago)


# Mar 28 06:29:51 .. 06:30:08: one address tries 0, 0000, 010101, 1111, 1234, admin, api.
SPRAY = [
    invalid_user("0", "21731", 17),
    invalid_user("0000", "21759", 17),
    invalid_user("010101", "21835", 16),
    invalid_user("1111", "21837", 16),
    invalid_user("1234", "21926", 13),
    invalid_user("admin", "21928", 12),
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
            events=SPRAY[:5] + [invalid_user("0", "21900", 15), invalid_user("1111", "21901", 14)],
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
                failed_password("admin", "21950", "50980", 599),
                failed_password("test", "21951", "50981", 30),
                failed_password("guest", "21952", "50982", 20),
                failed_password("oracle", "21953", "50983", 10),
                failed_password("ubnt", "21954", "50984", 1),
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
            events=SPRAY[:4] + [invalid_user("admin", "21000", 601)],
        ),
        NegativeAlertTestCase(
            description="five names but from two addresses (no single address sprays)",
            events=SPRAY[:3] + [invalid_user(n, "22000", 5, address="1.2.3.4") for n in ("a", "b")],
        ),
        NegativeAlertTestCase(
            description="an empty user name is not a name",
            events=SPRAY[:4] + [invalid_user("", "21990", 3)],
        ),
        NegativeAlertTestCase(
            description="successful logins are not guesses",
            events=SPRAY[:4]
            + [
                auth_event(
                    "sshd",
                    "20001",
                    f"Accepted password for elastic_user_0 from {SPRAYER} port 1 ssh2",
                    {
                        "sourceipaddress": SPRAYER,
                        "username": "elastic_user_0",
                        "success": True,
                        "authmethod": "password",
                    },
                    2,
                )
            ],
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
