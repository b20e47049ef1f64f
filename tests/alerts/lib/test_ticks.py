"""Schedule ticks (lib/ticks.py): when celery runs an alert, and which tick a run belongs to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from celery.schedules import crontab, schedule

from lib.errors import ConfigError
from lib.ticks import tick_for, ticks

START = datetime(2017, 3, 27, 13, 7, 30, tzinfo=UTC)


def celery_due_times(cron: crontab, start: datetime, end: datetime) -> list[datetime]:
    """The oracle: celery's own crontab arithmetic (`remaining_estimate`), one due time after another."""
    due, moment = [], start - timedelta(microseconds=1)
    while True:
        cron.nowfun = lambda moment=moment: moment
        moment = moment + cron.remaining_estimate(moment)
        if moment > end:
            return due
        due.append(moment)


@pytest.mark.parametrize(
    "cron",
    [
        crontab(minute="*/1"),
        crontab(minute="*/15", hour="1-3"),
        crontab(minute=0, hour="*/6", day_of_week="mon,thu"),
        crontab(minute=30, hour=2, day_of_month="1,15"),
        crontab(minute=0, hour=0, day_of_month="1", day_of_week="sat"),
    ],
    ids=[
        "every-minute",
        "quarters-early-hours",
        "six-hourly-mon-thu",
        "1st-and-15th",
        "dom-and-dow",
    ],
)
def test_crontab_ticks_are_celerys_due_times(cron):
    end = (
        START + timedelta(days=40) if cron.minute != set(range(60)) else START + timedelta(hours=3)
    )
    expected = celery_due_times(cron, START, end)
    assert expected, "the oracle found no due time; widen the range"
    assert list(ticks(cron, START, end)) == expected


def test_both_ends_are_included():
    start, end = datetime(2017, 3, 27, 13, 0, tzinfo=UTC), datetime(2017, 3, 27, 13, 3, tzinfo=UTC)
    assert [tick.minute for tick in ticks(crontab(minute="*/1"), start, end)] == [0, 1, 2, 3]


def test_intervals_are_multiples_of_the_period_since_the_epoch():
    every_5m = list(ticks(timedelta(minutes=5), START, START + timedelta(minutes=20)))
    assert every_5m == [datetime(2017, 3, 27, 13, m, tzinfo=UTC) for m in (10, 15, 20, 25)]
    assert (
        list(ticks(schedule(timedelta(minutes=5)), START, START + timedelta(minutes=20)))
        == every_5m
    )


def test_an_interval_tick_exactly_at_start_is_included():
    start = datetime(2017, 3, 27, 13, 0, tzinfo=UTC)
    assert next(ticks(timedelta(minutes=1), start, start)) == start


def test_other_zones_are_read_as_the_same_instant():
    from zoneinfo import ZoneInfo

    local = START.astimezone(ZoneInfo("America/New_York"))
    assert list(ticks(timedelta(minutes=1), local, local + timedelta(minutes=2))) == list(
        ticks(timedelta(minutes=1), START, START + timedelta(minutes=2))
    )


@pytest.mark.parametrize("bad", [timedelta(0), timedelta(seconds=-5), "*/1", None])
def test_bad_schedules_are_config_errors(bad):
    with pytest.raises(ConfigError):
        list(ticks(bad, START, START + timedelta(minutes=1)))


# -- tick_for: the due time a run sent at an instant belongs to (the run lock claims it) ----

NOON = datetime(2026, 3, 4, 12, 7, 31, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sched", "expected"),
    [
        pytest.param(
            timedelta(minutes=1), datetime(2026, 3, 4, 12, 7, tzinfo=UTC), id="every-minute"
        ),
        pytest.param(
            timedelta(seconds=20), datetime(2026, 3, 4, 12, 7, 20, tzinfo=UTC), id="every-20s"
        ),
        pytest.param(
            schedule(timedelta(hours=1)), datetime(2026, 3, 4, 12, tzinfo=UTC), id="celery-interval"
        ),
        pytest.param(
            crontab(minute="*/1"), datetime(2026, 3, 4, 12, 7, tzinfo=UTC), id="cron-every-minute"
        ),
        pytest.param(
            crontab(minute="*/5"), datetime(2026, 3, 4, 12, 5, tzinfo=UTC), id="cron-every-5"
        ),
        pytest.param(
            crontab(minute=30, hour=3), datetime(2026, 3, 4, 3, 30, tzinfo=UTC), id="cron-daily"
        ),
        pytest.param(
            crontab(minute=0, hour=13), datetime(2026, 3, 3, 13, 0, tzinfo=UTC), id="cron-yesterday"
        ),
        pytest.param(
            crontab(minute=0, hour=0, day_of_week="sunday"),
            datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
            id="cron-weekly",
        ),
        pytest.param(
            crontab(minute=0, hour=0, day_of_month=1, month_of_year=1),
            datetime(2026, 1, 1, tzinfo=UTC),
            id="cron-yearly",
        ),
    ],
)
def test_tick_is_the_latest_due_time_at_or_before_the_send(sched, expected):
    assert tick_for(sched, NOON) == expected


def test_two_beats_sending_a_moment_apart_agree_on_the_tick():
    early, late = NOON.replace(second=0, microsecond=1000), NOON.replace(second=2)
    assert tick_for(crontab(minute="*/1"), early) == tick_for(crontab(minute="*/1"), late)


def test_a_crontab_without_a_due_time_in_the_last_decade_is_a_config_error():
    leap_sunday = crontab(minute=0, hour=0, day_of_month=29, month_of_year=2, day_of_week=0)
    with pytest.raises(ConfigError, match="no due time"):
        tick_for(leap_sunday, NOON)


@pytest.mark.parametrize(
    "sched",
    [timedelta(minutes=7), crontab(minute="*/15", hour="1-3"), crontab(minute=0, hour="*/6")],
    ids=["every-7m", "quarters-early-hours", "six-hourly"],
)
def test_tick_for_and_ticks_agree(sched):
    """Every instant belongs to the latest tick `ticks` yields at or before it."""
    start = datetime(2017, 3, 27, 0, 0, tzinfo=UTC)
    due = list(ticks(sched, start, start + timedelta(days=2)))
    for tick, following in zip(due, due[1:], strict=False):
        assert tick_for(sched, tick) == tick
        assert tick_for(sched, following - timedelta(seconds=1)) == tick
