"""Index layout: write routing and the managed aliases (MozDef's events/alerts layout)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from lib.errors import StoreError
from lib.store.layout import (
    daily_events_date,
    is_layout_index,
    managed_aliases,
    uses_default_template,
    validate_index_name,
    write_target,
)


@freeze_time("2024-03-01 23:59:59")
def test_events_write_goes_to_the_daily_index_of_the_utc_write_date():
    assert write_target("events") == "events-20240301"


@freeze_time("2024-03-01 23:59:59")
def test_alerts_write_goes_to_the_monthly_index():
    assert write_target("alerts") == "alerts-202403"


def test_write_date_is_utc_whatever_the_offset_of_now():
    late_evening_in_new_york = datetime.fromisoformat("2024-03-01T21:00:00-05:00")
    assert write_target("events", late_evening_in_new_york) == "events-20240302"


def test_other_names_are_concrete_indices():
    assert write_target("events-20240101") == "events-20240101"
    assert write_target("my-index") == "my-index"


def test_naive_now_is_read_as_utc():
    assert write_target("events", datetime(2024, 1, 2, 3, 4)) == "events-20240102"


@pytest.mark.parametrize(
    "name",
    [
        "Upper",
        "a b",
        "a,b",
        "a*b",
        "a?b",
        'a"b',
        "a<b",
        "a|b",
        "a/b",
        "a\\b",
        "a#b",
        "_a",
        "-a",
        "+a",
        ".",
        "..",
        "",
        "x" * 256,
    ],
)
def test_invalid_index_names_are_refused_as_elasticsearch_does(name):
    """Rules from Elasticsearch's "Create index API" page (path parameters, <index>)."""
    with pytest.raises(StoreError, match="invalid_index_name_exception"):
        validate_index_name(name)


def test_valid_index_names_pass():
    for name in ("events-20240101", "alerts-202401", "a.b", "a_b", "x" * 255):
        validate_index_name(name)


def test_events_alias_is_the_newest_daily_index():
    names = ["events-20240101", "events-20240103", "events-20240102"]
    assert managed_aliases(names)["events"] == ["events-20240103"]


def test_events_previous_is_the_day_before_the_newest_only_if_it_exists():
    assert managed_aliases(["events-20240102", "events-20240103"])["events-previous"] == [
        "events-20240102"
    ]
    assert "events-previous" not in managed_aliases(["events-20240101", "events-20240103"])


def test_events_weekly_covers_the_seven_days_ending_with_the_newest():
    names = [f"events-202401{day:02d}" for day in range(1, 11)]
    assert managed_aliases(names)["events-weekly"] == [
        f"events-202401{day:02d}" for day in range(4, 11)
    ]


def test_events_weekly_crosses_month_and_year_boundaries():
    names = ["events-20231225", "events-20231226", "events-20240101"]
    assert managed_aliases(names)["events-weekly"] == ["events-20231226", "events-20240101"]


def test_alerts_alias_covers_every_monthly_alerts_index():
    names = ["alerts-202401", "alerts-202312", "alerts-extra", "events-20240101"]
    assert managed_aliases(names)["alerts"] == ["alerts-202312", "alerts-202401"]


def test_no_aliases_without_layout_indices():
    assert managed_aliases(["foo", "events-2024", "events-20241340"]) == {}


def test_aliases_depend_on_existing_indices_not_on_the_clock():
    with freeze_time("2030-01-01"):
        later = managed_aliases(["events-20240101"])
    assert later["events"] == ["events-20240101"]


def test_daily_events_date_rejects_impossible_dates():
    assert daily_events_date("events-20240230") is None
    assert daily_events_date("events-20240229") == datetime(2024, 2, 29, tzinfo=UTC).date()


def test_is_layout_index():
    assert is_layout_index("events-20240101") and is_layout_index("alerts-202401")
    assert not is_layout_index("events") and not is_layout_index("alerts-2024")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("events-20240101", True, id="daily-events"),
        pytest.param("alerts-202401", True, id="monthly-alerts"),
        pytest.param("events-anything", True, id="any-name-matching-events-star"),
        pytest.param("events", False, id="events-alone-does-not-match-events-star"),
        pytest.param("my-events-20240101", False, id="patterns-anchor-at-the-start"),
        pytest.param("vigil-auto", False, id="other-names"),
    ],
)
def test_default_template_applies_to_its_index_patterns_only(name, expected):
    """Index templates: "applied to any index name that matches" its index_patterns
    (events-*, alerts-*), https://www.elastic.co/guide/en/elasticsearch/reference/current/index-templates.html
    """
    assert uses_default_template(name) is expected
