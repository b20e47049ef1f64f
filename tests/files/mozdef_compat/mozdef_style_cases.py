# The MozDef-style test module of proxy_blocked_downloads.py; test_mozdef_compat.py copies
# it to tests/alerts/test_proxy_blocked_downloads.py of a MozDef-shaped tree. Written
# against MozDef's harness API only, including a setup() override that calls super():
# the override seeds one earlier blocked download, without which the positive cases
# stay below the threshold of 3 and fail.

from .alert_test_suite import AlertTestSuite
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase


class TestAlertProxyBlockedDownloads(AlertTestSuite):
    default_event = {
        "_source": {
            "category": "proxy",
            "summary": "download blocked: http://evil.example.com/payload.exe",
            "details": {
                "sourceipaddress": "1.2.3.4",
                "host": "evil.example.com",
                "proxyaction": "TCP_DENIED",
            },
        }
    }

    default_alert = {
        "category": "proxy",
        "severity": "WARNING",
        "summary": "3 blocked downloads by 1.2.3.4 from evil.example.com,seeded.example.com since 00:50",
        "tags": ["proxy", "download"],
    }

    # Two posted events plus the one setup() seeds.
    num_samples = 3

    def setup(self):
        super().setup()
        seeded = AlertTestSuite.create_event(self.default_event)["_source"]
        seeded["details"]["host"] = "seeded.example.com"
        seeded["utctimestamp"] = AlertTestSuite.subtract_from_timestamp({"minutes": 10})
        seeded["receivedtimestamp"] = seeded["utctimestamp"]
        self.populate_test_event(seeded)
        self.refresh("events")

    test_cases = []

    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test case with two blocked downloads after the seeded one",
            events=AlertTestSuite.create_events(default_event, 2),
            expected_alert=default_alert,
        )
    )

    events = AlertTestSuite.create_events(default_event, 2)
    for event in events:
        event["_source"]["utctimestamp"] = AlertTestSuite.subtract_from_timestamp_lambda(
            {"minutes": 14}
        )
        event["_source"]["receivedtimestamp"] = AlertTestSuite.subtract_from_timestamp_lambda(
            {"minutes": 14}
        )
    alert = AlertTestSuite.create_alert(default_alert)
    alert["summary"] = (
        "3 blocked downloads by 1.2.3.4 from evil.example.com,seeded.example.com since 00:46"
    )
    test_cases.append(
        PositiveAlertTestCase(
            description="Positive test case with events inside the window's edge",
            events=events,
            expected_alert=alert,
        )
    )

    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test case with one blocked download after the seeded one",
            events=[AlertTestSuite.create_event(default_event)],
        )
    )

    events = AlertTestSuite.create_events(default_event, 2)
    for event in events:
        event["_source"]["utctimestamp"] = AlertTestSuite.subtract_from_timestamp_lambda(
            {"minutes": 16}
        )
        event["_source"]["receivedtimestamp"] = AlertTestSuite.subtract_from_timestamp_lambda(
            {"minutes": 16}
        )
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test case with events older than the window",
            events=events,
        )
    )

    events = AlertTestSuite.create_events(default_event, 2)
    for event in events:
        event["_source"]["details"]["proxyaction"] = "TCP_MISS"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test case with downloads the proxy let through",
            events=events,
        )
    )

    events = AlertTestSuite.create_events(default_event, 2)
    for event in events:
        event["_source"]["summary"] = "blocked download: http://evil.example.com/payload.exe"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test case with the words of the phrase out of order",
            events=events,
        )
    )

    events = AlertTestSuite.create_events(default_event, 2)
    for event in events:
        event["_source"]["details"]["sourceipaddress"] = "5.6.7.8"
    test_cases.append(
        NegativeAlertTestCase(
            description="Negative test case with the downloads from another address",
            events=events,
        )
    )
