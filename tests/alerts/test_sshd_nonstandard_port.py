"""Tests of the one-alert-per-event sshd port alert (alerts/sshd_nonstandard_port.py).

Events are the fields of real lines of auth.log (host ip-10-77-20-248), where the
administrator moved sshd from port 22 to 222 and then to 2222:
    Mar 27 13:06:56 ip-10-77-20-248 sshd[1291]: Server listening on 0.0.0.0 port 22.
    Mar 28 19:02:28 ip-10-77-20-248 sshd[1291]: Received signal 15; terminating.
    Mar 28 19:02:28 ip-10-77-20-248 sshd[29531]: Server listening on 0.0.0.0 port 222.
    Mar 28 19:13:44 ip-10-77-20-248 sshd[29615]: Server listening on 0.0.0.0 port 2222.
    Mar 28 19:13:44 ip-10-77-20-248 sshd[29615]: Server listening on :: port 2222.
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import HOST, auth_event
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase


def sshd_line(pid, summary, minutes_ago=1):
    """An sshd line as an event, `minutes_ago` before the frozen clock."""
    return auth_event("sshd", pid, summary, {}, 60 * minutes_ago)


LISTENING_22 = sshd_line("1291", "Server listening on 0.0.0.0 port 22.")
LISTENING_22_V6 = sshd_line("1291", "Server listening on :: port 22.")
TERMINATING = sshd_line("1291", "Received signal 15; terminating.")
LISTENING_222 = sshd_line("29531", "Server listening on 0.0.0.0 port 222.")
LISTENING_2222 = sshd_line("29615", "Server listening on 0.0.0.0 port 2222.")
LISTENING_2222_V6 = sshd_line("29615", "Server listening on :: port 2222.")


def alert_for(port, address):
    """The alert for sshd listening on `address` port `port`."""
    return {
        "category": "sshd",
        "severity": "WARNING",
        "summary": f"sshd on {HOST} is listening on non-standard port {port} ({address})",
        "tags": ["ssh", "sshd", "configuration"],
    }


class TestAlertSshdNonstandardPort(AlertTestSuite):
    alert_filename = "sshd_nonstandard_port"
    # One alert per event: each alert lists exactly the one event it is about.
    num_samples = 1

    default_event = LISTENING_2222
    default_alert = alert_for("2222", "0.0.0.0")

    test_cases = []

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with sshd listening on 0.0.0.0 port 2222",
            events=[LISTENING_2222],
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with sshd listening on :: port 2222",
            events=[LISTENING_2222_V6],
            expected_alert=alert_for("2222", "::"),
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with port 222, which starts like 22",
            events=[LISTENING_222],
            expected_alert=alert_for("222", "0.0.0.0"),
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with a restart from port 22 to 2222: only the "
            "2222 line alerts",
            events=[LISTENING_22, LISTENING_22_V6, TERMINATING, LISTENING_2222],
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with both listening lines of port 2222: one alert each",
            events=[LISTENING_2222, LISTENING_2222_V6],
            expected_alert={
                "category": "sshd",
                "severity": "WARNING",
                "tags": ["ssh", "sshd", "configuration"],
            },
        )
    )

    events = [AlertTestSuite.create_event(LISTENING_2222)]
    events[0]["_source"]["utctimestamp"] = AlertTestSuite.subtract_from_timestamp_lambda(
        {"minutes": 15}
    )
    events[0]["_source"]["receivedtimestamp"] = events[0]["_source"]["utctimestamp"]
    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the event exactly 15 minutes old (inside the window)",
            events=events,
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with sshd listening on port 22",
            events=[LISTENING_22, LISTENING_22_V6],
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with sshd terminating",
            events=[TERMINATING],
        )
    )

    events = [AlertTestSuite.create_event(LISTENING_2222)]
    events[0]["_source"]["alert_names"] = ["AlertSshdNonstandardPort"]
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the port 2222 line already alerted on",
            events=events,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with the port 2222 line 16 minutes old",
            events=[sshd_line("29615", "Server listening on 0.0.0.0 port 2222.", 16)],
        )
    )

    events = [AlertTestSuite.create_event(LISTENING_2222)]
    events[0]["_source"]["details"]["program"] = "dropbear"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with another program listening on port 2222",
            events=events,
        )
    )
