"""Tests of the distributed SSH brute force by user name alert (alerts/ssh_bruteforce_user.py).

Events are the fields of real lines of auth.log (host ip-10-77-20-248), in the shape
`vigil ingest` gives them; "message repeated 5 times: [ ... ]" counts as five events of
the repeated line, as `vigil ingest` counts it. Two real distributed attacks:

root, Mar 30 (lines 3398-3433), six attempts from each of two addresses, 6m47s apart:
    Mar 30 21:54:04 ip-10-77-20-248 sshd[16330]: Failed password for root from 181.25.201.155 port 49532 ssh2
    Mar 30 21:54:16 ip-10-77-20-248 sshd[16330]: message repeated 5 times: [ Failed password for root from 181.25.201.155 port 49532 ssh2]
    Mar 30 22:00:40 ip-10-77-20-248 sshd[16384]: Failed password for root from 111.40.168.90 port 49781 ssh2
    Mar 30 22:00:51 ip-10-77-20-248 sshd[16384]: message repeated 5 times: [ Failed password for root from 111.40.168.90 port 49781 ssh2]

admin, Apr 14 (lines 6442-6471), six attempts from each of two addresses, 9m58s apart:
    Apr 14 05:01:34 ip-10-77-20-248 sshd[27914]: Failed password for invalid user admin from 178.219.248.139 port 3242 ssh2
    (...05:01:36, :38, :40, :42, :43, then from sshd[27916]:)
    Apr 14 05:11:20 ip-10-77-20-248 sshd[27916]: Failed password for invalid user admin from 177.38.145.209 port 58255 ssh2
    (...05:11:23, :26, :28, :30, :32)
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import accepted, failed_password
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase


def root_attack(first=6, second=6, shift=1):
    """The root attack: `first` attempts from 181.25.201.155, `second` from 111.40.168.90."""
    # seconds before 22:00:51: 21:54:04 is 407, 21:54:16 is 395, 22:00:40 is 11
    first_times = [407] + [395] * 5
    second_times = [11] + [0] * 5
    return [
        failed_password("16330", "root", "181.25.201.155", "49532", t + shift)
        for t in first_times[:first]
    ] + [
        failed_password("16384", "root", "111.40.168.90", "49781", t + shift)
        for t in second_times[:second]
    ]


def admin_attack(shift=1):
    """The admin attack, 12 attempts; seconds before 05:11:32, plus `shift`."""
    first_times = [598, 596, 594, 592, 590, 589]
    second_times = [12, 9, 6, 4, 2, 0]
    return [
        failed_password("27914", "admin", "178.219.248.139", "3242", t + shift, invalid=True)
        for t in first_times
    ] + [
        failed_password("27916", "admin", "177.38.145.209", "58255", t + shift, invalid=True)
        for t in second_times
    ]


# Mar 29 14:15:41 ip-10-77-20-248 sshd[2414]: Failed password for invalid user pi from 181.25.206.27 port 50378 ssh2
# (twelve attempts from this one address within 42 seconds, lines 1813-1858)
ONE_ADDRESS = [
    failed_password("2414", "pi", "181.25.206.27", "50378", t, invalid=True)
    for t in (43, 41, 40, 37, 34, 32, 12, 10, 8, 5, 3, 1)
]

# Mar 29 11:52:58 ip-10-77-20-248 sshd[1857]: Accepted password for elastic_user_0 from 85.245.107.41 port 50797 ssh2
# Mar 29 15:41:09 ip-10-77-20-248 sshd[4037]: Accepted password for elastic_user_0 from 24.151.103.17 port 49521 ssh2
ACCEPTED = [
    accepted("1857", "elastic_user_0", "85.245.107.41", "50797", 30),
    accepted("4037", "elastic_user_0", "24.151.103.17", "49521", 30),
]


def alert_for(count, user, sources):
    """The alert for `count` failures against `user` from `sources` [(address, hits)]."""
    listed = ", ".join(f"{address} ({hits})" for address, hits in sources)
    return {
        "category": "bruteforce",
        "severity": "WARNING",
        "summary": f"{count} failed ssh logins for user {user} from {len(sources)} "
        f"addresses: {listed}",
        "tags": ["ssh", "bruteforce", "username"],
    }


ROOT_ALERT = alert_for(12, "root", [("111.40.168.90", 6), ("181.25.201.155", 6)])


class TestAlertSshBruteforceUser(AlertTestSuite):
    alert_filename = "ssh_bruteforce_user"
    # The alert keeps ten sample events; every positive case has ten or more attempts.
    num_samples = 10

    default_event = failed_password("16384", "root", "111.40.168.90", "49781", 1)
    default_alert = ROOT_ALERT

    test_cases = []

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the real root attack: 12 attempts from 2 addresses",
            events=root_attack(),
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with exactly the threshold: 6 and 4 attempts",
            events=root_attack(6, 4),
            expected_alert=alert_for(10, "root", [("181.25.201.155", 6), ("111.40.168.90", 4)]),
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the real admin attack, 9 minutes 59 seconds "
            "from first to last attempt (inside the 10 minute window)",
            events=admin_attack(shift=1),
            expected_alert=alert_for(12, "admin", [("177.38.145.209", 6), ("178.219.248.139", 6)]),
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the root attack next to a one-address attack "
            "on pi: only root, attacked from two addresses, alerts",
            events=root_attack() + ONE_ADDRESS + ACCEPTED,
            expected_alert=default_alert,
        )
    )

    events = admin_attack()
    for event in events:
        event["_source"]["alert_names"] = ["AlertSshBruteforceUser"]
    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the admin attack already alerted on and the "
            "root attack new: only root alerts",
            events=events + root_attack(),
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 9 attempts from 2 addresses, one under the threshold",
            events=root_attack(6, 3),
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 attempts on one user from a single address",
            events=ONE_ADDRESS,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the admin attack 8 seconds later: its 3 oldest "
            "attempts leave the window, 9 remain",
            events=admin_attack(shift=8),
        )
    )

    events = root_attack()
    for event in events:
        event["_source"]["alert_names"] = ["AlertSshBruteforceUser"]
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the root attack already alerted on",
            events=events,
        )
    )

    events = root_attack()
    for number, event in enumerate(events):
        event["_source"]["details"]["username"] = f"user{number}"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 attempts from 2 addresses on 12 user names",
            events=events,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 successful logins of one user from 2 addresses",
            events=AlertTestSuite.create_events(ACCEPTED[0], 6)
            + AlertTestSuite.create_events(ACCEPTED[1], 6),
        )
    )

    events = root_attack()
    for event in events:
        event["_source"]["details"]["username"] = None
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with 12 failures without a user name",
            events=events,
        )
    )
