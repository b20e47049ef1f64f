"""Tests of the SSH brute force by source address alert (alerts/bruteforce_ssh.py).

Events are the fields of real lines of auth.log (../shared/data/auth.log, host
ip-10-77-20-248), in the shape `vigil ingest` gives them, moved in time so that the
attack ends just before the harness's frozen clock. The attack used throughout:

    Mar 29 14:15:41 ip-10-77-20-248 sshd[2414]: Failed password for invalid user pi from 181.25.206.27 port 50378 ssh2
    (six attempts for "pi" on port 50378 between 14:15:41 and 14:15:52, then six for
    "cloud" from sshd[2475] on port 50538 between 14:16:12 and 14:16:23; lines 1813-1858)
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import (
    HOST,
    accepted,
    auth_event,
    failed_password,
    invalid_user,
    max_auth_exceeded,
    pam_auth_failure,
)
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

ATTACKER = "181.25.206.27"
ADMIN = "85.245.107.41"

# (seconds before the last attempt at 14:16:23, sshd pid, user, source port)
BURST = [
    (42, "2414", "pi", "50378"),  # 14:15:41
    (40, "2414", "pi", "50378"),  # 14:15:43
    (39, "2414", "pi", "50378"),  # 14:15:44
    (36, "2414", "pi", "50378"),  # 14:15:47
    (33, "2414", "pi", "50378"),  # 14:15:50
    (31, "2414", "pi", "50378"),  # 14:15:52
    (11, "2475", "cloud", "50538"),  # 14:16:12
    (9, "2475", "cloud", "50538"),  # 14:16:14
    (7, "2475", "cloud", "50538"),  # 14:16:16
    (4, "2475", "cloud", "50538"),  # 14:16:19
    (2, "2475", "cloud", "50538"),  # 14:16:21
    (0, "2475", "cloud", "50538"),  # 14:16:23
]


def burst(count=12, shift=1):
    """The attack's first `count` attempts, each `shift` seconds older than in BURST."""
    return [
        failed_password(pid, user, ATTACKER, port, offset + shift, invalid=True)
        for offset, pid, user, port in BURST[:count]
    ]


def alert_for(count):
    """The alert for `count` attempts from the attacker, all on HOST."""
    return {
        "category": "bruteforce",
        "severity": "NOTICE",
        "summary": f"{count} ssh bruteforce attempts by {ATTACKER} {HOST} ({count} hits)",
        "tags": ["ssh"],
    }


# The lines around the attempts: the same attack, but not one more attempt each.
#   Mar 29 14:15:38 ... sshd[2414]: Invalid user pi from 181.25.206.27
#   Mar 29 14:15:38 ... sshd[2414]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=181.25.206.27
#   Mar 29 14:15:52 ... sshd[2414]: error: maximum authentication attempts exceeded for invalid user pi from 181.25.206.27 port 50378 ssh2 [preauth]
#   Mar 29 14:15:52 ... sshd[2414]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=181.25.206.27
COMPANIONS = [
    invalid_user("2414", "pi", ATTACKER, 46),
    pam_auth_failure("2414", ATTACKER, 46),
    max_auth_exceeded("2414", "pi", ATTACKER, "50378", 32, invalid=True),
    auth_event(
        "sshd",
        "2414",
        f"PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost={ATTACKER}",
        {"sourceipaddress": ATTACKER, "success": False},
        32,
    ),
]

# The administrator's own mistakes (lines 1786, 1799, 1889):
#   Mar 29 13:07:15 ... sshd[2257]: Failed password for elastic_user_0 from 85.245.107.41 port 51401 ssh2
ADMIN_FAILURES = [
    failed_password("2257", "elastic_user_0", ADMIN, "51401", 30),
    failed_password("2328", "elastic_user_2", ADMIN, "51707", 20),
    failed_password("3679", "elastic_user_2", ADMIN, "52498", 10),
]

# Mar 27 13:08:09 ... sshd[1361]: Accepted publickey for ubuntu from 85.245.107.41 port 54259 ssh2: RSA SHA256:Kl8kPGZrTiz7g4FO1hyqHdsSBBb5Fge6NWOobN03XJg
ADMIN_LOGIN = accepted(
    "1361",
    "ubuntu",
    ADMIN,
    "54259",
    5,
    method="publickey",
    key="RSA SHA256:Kl8kPGZrTiz7g4FO1hyqHdsSBBb5Fge6NWOobN03XJg",
)

# Mar 29 10:42:45 ... sshd[1193]: Failed password for elastic_user_7 from 127.0.0.1 port 52942 ssh2
LOCAL_FAILURE = failed_password("1193", "elastic_user_7", "127.0.0.1", "52942", 5)


class TestAlertBruteforceSsh(AlertTestSuite):
    alert_filename = "bruteforce_ssh"
    # The alert keeps ten sample events; every positive case has ten or more attempts.
    num_samples = 10

    default_event = failed_password("2414", "pi", ATTACKER, "50378", 1, invalid=True)

    default_alert = alert_for(12)

    test_cases = []

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the 12 attempts of the real attack within 42 seconds",
            events=burst(),
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with exactly the threshold: the first 10 attempts",
            events=burst(10),
            expected_alert=alert_for(10),
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the oldest of 10 attempts exactly 2 minutes old "
            "(the window includes its start)",
            events=burst(10, shift=120 - 42),
            expected_alert=alert_for(10),
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the attack among the administrator's failures, "
            "login and a local failure: only the attacker's address alerts",
            events=burst() + ADMIN_FAILURES + [ADMIN_LOGIN, LOCAL_FAILURE],
            expected_alert=default_alert,
        )
    )

    events = burst()
    for event in events:
        event["_source"]["alert_names"] = ["AlertBruteforceSsh"]
    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test counting only attempts not already alerted on: "
            "12 old ones alerted, 10 new ones",
            events=events + burst(10),
            expected_alert=alert_for(10),
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 9 attempts, one under the threshold",
            events=burst(9),
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 attempts over 2 minutes and 6 seconds: "
            "only 9 inside the window",
            events=burst(12, shift=84),
        )
    )

    events = burst()
    for event in events:
        event["_source"]["alert_names"] = ["AlertBruteforceSsh"]
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 attempts this alert already alerted on",
            events=events,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 9 attempts and the attack's Invalid user, "
            "pam_unix and maximum-attempts lines, which are not attempts of their own",
            events=burst(9) + COMPANIONS,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 failures from 127.0.0.1 (skiphosts 127.0.0.0/8)",
            events=AlertTestSuite.create_events(LOCAL_FAILURE, 12),
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 successful logins of the administrator",
            events=AlertTestSuite.create_events(ADMIN_LOGIN, 12),
        )
    )

    events = burst()
    for number, event in enumerate(events):
        event["_source"]["details"]["sourceipaddress"] = f"181.25.206.{number + 1}"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 attempts from 12 different addresses",
            events=events,
        )
    )

    events = burst()
    for event in events:
        event["_source"]["details"]["sourceipaddress"] = None
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 attempts without a source address",
            events=events,
        )
    )

    events = burst()
    for event in events:
        event["_source"]["details"]["program"] = "vsftpd"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 failures of another program than sshd",
            events=events,
        )
    )
