"""Tests of the query-string alert on sshd's "maximum authentication attempts exceeded".

Events are the fields of real lines of auth.log (host ip-10-77-20-248). The attack
from 190.178.62.6 (lines 322-332), five connections cut within 31 seconds:
    Mar 27 18:27:18 ip-10-77-20-248 sshd[14924]: error: maximum authentication attempts exceeded for root from 190.178.62.6 port 56562 ssh2 [preauth]
    Mar 27 18:27:18 ip-10-77-20-248 sshd[14924]: Disconnecting: Too many authentication failures [preauth]
    Mar 27 18:27:19 ... sshd[14926]: ... for root from 190.178.62.6 port 56567 ...
    Mar 27 18:27:21 ... sshd[14928]: ... for invalid user support from 190.178.62.6 port 56573 ...
    Mar 27 18:27:25 ... sshd[14930]: ... for root from 190.178.62.6 port 56589 ...
    Mar 27 18:27:49 ... sshd[14932]: ... for root from 190.178.62.6 port 56711 ...
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import HOST, auth_event, max_auth_exceeded
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

# Each cut placed its seconds before the last one, at 18:27:49.
ATTACK = [
    max_auth_exceeded("14924", "root", "190.178.62.6", "56562", 31),
    max_auth_exceeded("14926", "root", "190.178.62.6", "56567", 30),
    max_auth_exceeded("14928", "support", "190.178.62.6", "56573", 28, invalid=True),
    max_auth_exceeded("14930", "root", "190.178.62.6", "56589", 24),
    max_auth_exceeded("14932", "root", "190.178.62.6", "56711", 0),
]

DISCONNECTING = [
    auth_event("sshd", pid, "Disconnecting: Too many authentication failures [preauth]", {}, t)
    for t, pid in ((31, "14924"), (30, "14926"), (28, "14928"), (24, "14930"), (0, "14932"))
]


# Three lone cuts from three addresses, hours apart in the log (lines 86, 98, 103):
#   Mar 27 14:01:39 ... sshd[2938]: error: maximum authentication attempts exceeded for root from 122.176.37.221 port 37107 ssh2 [preauth]
#   Mar 27 14:54:58 ... sshd[2967]: ... for invalid user support from 95.152.57.58 port 53679 ...
#   Mar 27 15:46:53 ... sshd[2996]: ... for root from 90.144.183.19 port 57648 ...
def lone_cuts(*seconds_ago):
    """The three lone cuts, placed `seconds_ago` before the frozen clock."""
    first, second, third = seconds_ago
    return [
        max_auth_exceeded("2938", "root", "122.176.37.221", "37107", first),
        max_auth_exceeded("2967", "support", "95.152.57.58", "53679", second, invalid=True),
        max_auth_exceeded("2996", "root", "90.144.183.19", "57648", third),
    ]


def alert_for(count, users=" (users: root, support)"):
    """The alert for `count` cut connections on HOST."""
    return {
        "category": "bruteforce",
        "severity": "NOTICE",
        "summary": f"{count} ssh connections on {HOST} exceeded the maximum authentication "
        f"attempts in 10 minutes{users}",
        "tags": ["ssh"],
    }


class TestAlertSshMaxAuthExceeded(AlertTestSuite):
    alert_filename = "ssh_max_auth_exceeded"

    default_event = ATTACK[0]
    default_alert = alert_for(5)

    test_cases = []

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the real attack: 5 connections cut in 31 seconds",
            events=ATTACK,
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with exactly the threshold: the attack's first 3 cuts",
            events=ATTACK[:3],
            expected_alert=alert_for(3),
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with 3 lone cuts from 3 addresses within 10 minutes, "
            "the oldest exactly 10 minutes old",
            events=lone_cuts(600, 300, 1),
            expected_alert=alert_for(3),
        )
    )

    events = AlertTestSuite.create_events(ATTACK[0], 4)
    for event in events:
        event["_source"]["details"]["username"] = None
    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with 4 cuts whose user name was not parsed",
            events=events,
            expected_alert=alert_for(4, users=""),
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 2 cuts, one under the threshold",
            events=ATTACK[:2],
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 3 lone cuts, the oldest 10 minutes and 1 second old",
            events=lone_cuts(601, 300, 1),
        )
    )

    events = AlertTestSuite.copy(ATTACK)
    for event in events:
        event["_source"]["alert_names"] = ["AlertSshMaxAuthExceeded"]
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the attack already alerted on",
            events=events,
        )
    )

    events = AlertTestSuite.copy(ATTACK)
    for number, event in enumerate(events):
        event["_source"]["hostname"] = f"ip-10-77-20-{number + 1}"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the 5 cuts spread over 5 hosts",
            events=events,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the attack's Disconnecting lines only",
            events=DISCONNECTING,
        )
    )

    events = AlertTestSuite.copy(ATTACK)
    for event in events:
        event["_source"]["details"]["program"] = "dropbear"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the same message from another program",
            events=events,
        )
    )
