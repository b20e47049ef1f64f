"""Each of MozDef's faults that DESIGN.md lists as "fixed on purpose", pinned by a test."""

from __future__ import annotations

from typing import Any

import celery
import pytest
from freezegun import freeze_time

import lib.alerttask
from lib.alerttask import AlertTask
from lib.errors import QueryError
from lib.query_models import SearchQuery, TermMatch
from lib.store.base import EventStore

from .conftest import count_store_calls, load_events, make_event
from .sample_alerts import (
    AlertBroken,
    AlertFailedSsh,
    AlertFailedSshByTag,
    AlertSshEvent,
    AlertSshSilent,
)

pytestmark = pytest.mark.usefixtures("frozen")

MOST_STORE_CALLS_PER_RUN = 6


def tagged_count(store: EventStore, alert_name: str) -> int:
    query = {"query": {"term": {"alert_names": alert_name}}, "size": 0, "track_total_hits": True}
    return store.search("events", query)["hits"]["total"]["value"]


# -- counts and allevents are exact at any number of hits ----------------------------------------


@pytest.mark.parametrize("hits", [1_500, 10_500], ids=["past-1000", "past-10000"])
def test_counts_and_allevents_are_exact_at_any_number_of_hits(settings, store, hits):
    load_events(store, [make_event() for _ in range(hits)])
    load_events(store, [make_event(details={"sourceipaddress": "5.6.7.8"}) for _ in range(3)])
    alert = AlertFailedSsh()
    alert.run()

    top, second = alert.aggregations
    assert (top["value"], top["count"], len(top["allevents"])) == ("1.2.3.4", hits, hits)
    assert (second["value"], second["count"], len(second["allevents"])) == ("5.6.7.8", 3, 3)
    assert len(top["events"]) == 3  # samplesLimit
    assert len({event["_id"] for event in top["allevents"]}) == hits
    assert tagged_count(store, "AlertFailedSsh") == hits + 3
    alert.run()
    assert alert.alert_ids == []  # every one of them was tagged


# -- execute twice does not stack windows ------------------------------------------------------


class AlertSearchingTwice(AlertTask):
    """Searches twice with the same query in one run (MozDef stacked a window per call)."""

    def main(self) -> None:
        query = SearchQuery(minutes=20)
        query.add_must(TermMatch("processname", "sshd"))
        self.filtersManual(query)
        self.first_body = query.request_body()
        self.searchEventsSimple()
        self.first = len(self.events)
        self.searchEventsSimple()
        self.second_body = query.request_body()


def test_executing_a_query_twice_does_not_stack_windows(settings, store):
    load_events(store, [make_event(), make_event()])
    alert = AlertSearchingTwice()
    alert.run()
    assert alert.first == len(alert.events) == 2
    assert alert.first_body == alert.second_body
    window = alert.first_body["query"]["bool"]["filter"][0]
    assert len(alert.first_body["query"]["bool"]["filter"]) == 2  # one window, one clause set
    assert "utctimestamp" in str(window)


def test_a_reused_task_slides_its_window_with_the_clock(settings, store):
    load_events(store, [make_event(hostname="early")])
    alert = AlertSshEvent()
    with freeze_time("2017-01-01 01:30:00", tz_offset=0):
        alert.run()
    assert alert.events == []  # 00:59 is outside [01:10, 01:30]
    alert.run()
    assert len(alert.alert_ids) == 1


# -- tagging is one bulk write and one refresh ---------------------------------------------------


def run_counting(store: EventStore, alert: AlertTask) -> dict[str, int]:
    calls = count_store_calls(store)
    alert.run()
    return dict(calls)


@pytest.mark.parametrize("per_ip", [10, 100], ids=["30-events", "300-events"])
def test_tagging_is_one_bulk_write_and_one_refresh_per_run(settings, store, per_ip):
    for address in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        load_events(store, [make_event(details={"sourceipaddress": address})] * per_ip)
    alert = AlertFailedSsh()
    calls = run_counting(store, alert)

    assert len(alert.alert_ids) == 3
    assert tagged_count(store, "AlertFailedSsh") == 3 * per_ip
    assert calls.get("bulk") == 2  # the run's alerts, then every event's tags
    assert calls.get("refresh") == 1
    assert calls.get("index", 0) == 0  # never one write per event or per alert
    assert sum(calls.values()) <= MOST_STORE_CALLS_PER_RUN, calls


def test_store_calls_per_run_do_not_grow_with_matches(settings, store):
    load_events(store, [make_event() for _ in range(5)])
    small = run_counting(store, AlertFailedSsh())
    load_events(store, [make_event(details={"sourceipaddress": "7.7.7.7"}) for _ in range(500)])
    large = run_counting(store, AlertFailedSsh())
    assert small == large


def test_event_alerts_are_saved_and_tagged_in_one_bulk_write_each(settings, store):
    load_events(store, [make_event(hostname=f"host-{n}") for n in range(20)])
    alert = AlertSshEvent()
    calls = run_counting(store, alert)
    assert len(alert.alert_ids) == 20
    assert calls.get("bulk") == 2
    assert calls.get("refresh") == 1
    assert sum(calls.values()) <= MOST_STORE_CALLS_PER_RUN, calls


# -- plugins and hookAfterInsertion run on every emit path -------------------------------------

STAMP_PLUGIN = """
class message:
    registration = ["*"]

    def onMessage(self, alert):
        alert["stamped_by_plugin"] = True
        return alert
"""


@pytest.mark.parametrize(
    ("alert_class", "events"),
    [(AlertSshEvent, 1), (AlertFailedSsh, 2), (AlertSshSilent, 0)],
    ids=["event", "aggregation", "no-event"],
)
def test_plugins_and_the_hook_run_on_every_emit_path(
    settings, store, plugin_dir, monkeypatch, alert_class, events, alert_queue
):
    monkeypatch.setattr(lib.alerttask, "ALERT_PLUGINS", [plugin_dir("stamp", STAMP_PLUGIN)])
    load_events(store, [make_event() for _ in range(events)])
    alert = alert_class()
    alert.run()

    (alert_id,) = alert.alert_ids
    (hooked,) = alert.hooked
    assert hooked["stamped_by_plugin"] is True
    (message,) = alert_queue.drain()
    assert message["_id"] == alert_id
    assert message["_source"]["stamped_by_plugin"] is True


# -- per-run state is fresh on every run ---------------------------------------------------------


def test_per_run_state_starts_fresh_on_every_run(settings, store):
    load_events(store, [make_event() for _ in range(3)])
    alert = AlertFailedSsh()
    alert.run()
    first_query = alert.main_query
    assert len(alert.alert_ids) == 1
    assert len(alert.aggregations) == 1

    alert.run()
    assert alert.alert_ids == []
    assert alert.aggregations == []
    assert alert.main_query is not first_query
    assert alert.unpublished_count == 0


def test_state_of_a_failed_run_does_not_leak_into_the_next(settings, store):
    class AlertFailingOnce(AlertSshEvent):
        fail = True

        def main(self) -> None:
            super().main()
            if self.fail:
                raise RuntimeError("after emitting")

    load_events(store, [make_event()])
    alert = AlertFailingOnce()
    with pytest.raises(RuntimeError):
        alert.run()
    assert len(alert.alert_ids) == 1
    alert.fail = False
    alert.run()
    assert alert.alert_ids == []
    assert not hasattr(alert, "error_thrown")


# -- an exception fails the task visibly -----------------------------------------------------


def test_an_exception_fails_the_task_and_is_still_recorded(settings):
    alert = AlertBroken()
    with pytest.raises(RuntimeError, match="own bug"):
        alert.run()
    assert isinstance(alert.error_thrown, RuntimeError)
    app = celery.Celery("vigil-test", set_as_current=False)
    assert app.register_task(AlertBroken()).apply().state == "FAILURE"


def test_a_store_failure_while_searching_fails_the_run(settings, store, monkeypatch):
    """MozDef logged search errors and went on with empty results."""

    class AlertBadQuery(AlertTask):
        def main(self) -> None:
            query = SearchQuery(minutes=20)
            query.add_must(TermMatch("utctimestamp", "not a date at all"))
            self.filtersManual(query)
            self.searchEventsSimple()
            self.walkEvents()

    load_events(store, [make_event()])
    alert = AlertBadQuery()
    with pytest.raises(QueryError) as raised:
        alert.run()
    assert alert.error_thrown is raised.value
    assert alert.alert_ids == []


# -- list-valued aggregation fields give one bucket per element ----------------------------------


def test_list_valued_fields_give_one_bucket_per_element(settings, store):
    """As Elasticsearch's terms aggregation: a document counts once in each of its values' buckets.

    Elasticsearch reference, "Terms aggregation" (bucket per unique value; array fields
    contribute each value).
    """
    load_events(
        store,
        [
            make_event(tags=["syslog", "ssh"]),
            make_event(tags=["syslog", "ssh", "ssh"]),
            make_event(tags=["syslog"]),
            make_event(tags="auth"),
        ],
    )
    alert = AlertFailedSshByTag()
    alert.run()

    buckets: dict[Any, Any] = {b["value"]: b for b in alert.aggregations}
    assert [(b["value"], b["count"]) for b in alert.aggregations] == [
        ("syslog", 3),
        ("ssh", 2),
        ("auth", 1),
    ]
    assert len(buckets["ssh"]["allevents"]) == 2
    assert len(alert.alert_ids) == 3
    for event in store.scan("events", {"query": {"match_all": {}}}):
        assert event["_source"]["alert_names"] == ["AlertFailedSshByTag"]
        tags = event["_source"]["tags"]
        distinct = set(tags) if isinstance(tags, list) else {tags}
        assert len(event["_source"]["alerts"]) == len(distinct)  # one alert per bucket it is in


# -- two alerts tagging the same events at once keep both tags -----------------------------------


class AlertFailedSshByHost(AlertFailedSsh):
    """Another alert over the same failed logins (aggregated by host)."""

    path = "hostname"


class AlertFailedSshRacing(AlertFailedSsh):
    """Searches, then lets another alert search, fire and tag the same events before it
    walks: its tags are built from a read older than the other alert's tags (two workers)."""

    def searchEventsAggregated(self, aggregationPath: str, samplesLimit: int = 5) -> None:
        super().searchEventsAggregated(aggregationPath, samplesLimit)
        self.rival = AlertFailedSshByHost()
        self.rival.run()


def test_two_alerts_tagging_the_same_events_at_once_keep_both_tags(settings, store):
    """MozDef rebuilt `alert_names` from the event as the alert had read it, so the later of
    two concurrent alerts erased the other's tag, and that alert fired again on the same
    events. Tags are added by a stored script that reads the event as it is when it runs."""
    load_events(store, [make_event() for _ in range(3)])
    racing = AlertFailedSshRacing()
    racing.run()
    assert len(racing.alert_ids) == len(racing.rival.alert_ids) == 1
    hits = store.search("events", {"size": 10})["hits"]["hits"]
    assert [sorted(hit["_source"]["alert_names"]) for hit in hits] == [
        ["AlertFailedSshByHost", "AlertFailedSshRacing"]
    ] * 3
    assert all(len(hit["_source"]["alerts"]) == 2 for hit in hits)
    again = AlertFailedSshByHost()
    again.run()
    assert again.alert_ids == []  # its events are still tagged: no second alert
