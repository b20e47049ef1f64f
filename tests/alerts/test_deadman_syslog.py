"""Tests of the deadman alert for a silent syslog source (alerts/deadman_syslog.py).

The live event is a real line of auth.log (host ip-10-77-20-248), cron's hourly run:
    Mar 27 13:17:01 ip-10-77-20-248 CRON[2623]: pam_unix(cron:session): session opened for user root by (uid=0)
"""

from .alert_test_suite import AlertTestSuite
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase

CRON_LINE = {
    "_source": {
        "category": "syslog",
        "hostname": "ip-10-77-20-248",
        "processname": "CRON",
        "processid": "2623",
        "severity": "INFO",
        "source": "/var/log/auth.log",
        "tags": ["syslog"],
        "summary": "pam_unix(cron:session): session opened for user root by (uid=0)",
        "details": {"program": "CRON"},
    }
}


def minutes_ago(minutes):
    """A timestamp `minutes` before the frozen clock, evaluated when the event is stored."""
    return AlertTestSuite.subtract_from_timestamp_lambda({"minutes": minutes})


def cron_event(minutes):
    """The cron line as an event, `minutes` before the frozen clock."""
    event = AlertTestSuite.create_event(CRON_LINE)
    event["_source"]["utctimestamp"] = minutes_ago(minutes)
    event["_source"]["receivedtimestamp"] = minutes_ago(minutes)
    return event


class TestAlertDeadmanSyslog(AlertTestSuite):
    alert_filename = "deadman_syslog"
    deadman = True

    default_event = CRON_LINE

    default_alert = {
        "category": "deadman",
        "severity": "ERROR",
        "summary": "Deadman check failed: no syslog events in the past 90 minutes",
        "tags": ["deadman", "syslog"],
    }

    test_cases = []

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with a store that has never received an event",
            events=[],
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the last syslog events 91 minutes and 3 hours old",
            events=[cron_event(91), cron_event(180)],
            expected_alert=default_alert,
        )
    )

    events = [cron_event(1)]
    events[0]["_source"]["utctimestamp"] = minutes_ago(90 + 1 / 60)
    events[0]["_source"]["receivedtimestamp"] = minutes_ago(90 + 1 / 60)
    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with the last syslog event 90 minutes and 1 second old",
            events=events,
            expected_alert=default_alert,
        )
    )

    events = AlertTestSuite.create_events(default_event, 3)
    for event in events:
        event["_source"]["category"] = "authentication"
    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test with recent events of another category only",
            events=events,
            expected_alert=default_alert,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with a syslog event a minute ago",
            events=[cron_event(1)],
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with a syslog event exactly 90 minutes old "
            "(the window includes its start)",
            events=[cron_event(90)],
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with one recent syslog event among old ones",
            events=[cron_event(300), cron_event(200), cron_event(30)],
        )
    )

    events = [cron_event(5)]
    events[0]["_source"]["alert_names"] = ["AlertBruteforceSsh"]
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with a recent syslog event another alert already "
            "alerted on: the source is alive",
            events=events,
        )
    )

    events = [cron_event(300)]
    events[0]["_source"]["receivedtimestamp"] = minutes_ago(2)
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test with an old syslog event received 2 minutes ago "
            "(the window matches utctimestamp or receivedtimestamp)",
            events=events,
        )
    )
