"""Schedule ticks: the times a celery schedule is due (UTC), and the tick an instant belongs to.

The one place that knows when an alert is due. The live scheduler asks `tick_for` which
due time a run belongs to (`lib.runlock` claims it); backfill replays an alert at every
time `ticks` yields. The rules are the scheduler's: an interval (`timedelta` or celery's
`schedule`) is due at whole multiples of its period since the Unix epoch; a `crontab`
is due at every minute whose minute, hour, day of month, month and day of week are all
in the crontab's sets (celery matches the day of month AND the day of week).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.schedules import crontab
from celery.schedules import schedule as interval

from lib.errors import ConfigError
from lib.utctime import EPOCH

ONE_DAY = timedelta(days=1)
# How far back `tick_for` looks for a crontab's due time: a little over a decade.
CRON_LOOKBACK_DAYS = 3700


def ticks(schedule: Any, start: datetime, end: datetime) -> Iterator[datetime]:
    """Yield the due times of `schedule` in [start, end], in order."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if isinstance(schedule, crontab):
        yield from crontab_ticks(schedule, start, end)
        return
    period = _period(schedule)
    if period is None:
        raise ConfigError(f"cannot enumerate the ticks of schedule {schedule!r}")
    yield from interval_ticks(period, start, end)


def tick_for(schedule: Any, when: datetime) -> datetime:
    """The due time (UTC) that a run sent at `when` belongs to: the latest one at or before it.

    A schedule of another kind (e.g. celery's `solar`) belongs to `when`'s whole minute.
    """
    when = when.astimezone(UTC)
    if isinstance(schedule, crontab):
        return _latest_cron_tick(schedule, when)
    period = _period(schedule)
    if period is None:
        return when.replace(second=0, microsecond=0)
    return _interval_floor(period, when)


def interval_ticks(period: timedelta, start: datetime, end: datetime) -> Iterator[datetime]:
    """Whole multiples of `period` since the epoch, in [start, end]."""
    tick = _interval_floor(period, start)
    if tick < start:
        tick += period
    while tick <= end:
        yield tick
        tick += period


def crontab_ticks(cron: crontab, start: datetime, end: datetime) -> Iterator[datetime]:
    """The minutes in [start, end] that `cron` matches."""
    day = _midnight(start)
    while day <= end:
        yield from (tick for tick in _day_ticks(cron, day) if start <= tick <= end)
        day += ONE_DAY


def _latest_cron_tick(cron: crontab, when: datetime) -> datetime:
    day = _midnight(when)
    for _ in range(CRON_LOOKBACK_DAYS):
        due = [tick for tick in _day_ticks(cron, day) if tick <= when]
        if due:
            return due[-1]
        day -= ONE_DAY
    raise ConfigError(f"crontab {cron} has no due time in the years before {when.isoformat()}")


def _day_ticks(cron: crontab, day: datetime) -> list[datetime]:
    """The due times of `cron` on the day starting at midnight `day`, in order."""
    if not (
        day.month in cron.month_of_year
        and day.day in cron.day_of_month
        and day.isoweekday() % 7 in cron.day_of_week
    ):
        return []
    return [
        day.replace(hour=hour, minute=minute)
        for hour in sorted(cron.hour)
        for minute in sorted(cron.minute)
    ]


def _period(schedule: Any) -> timedelta | None:
    """The period of an interval schedule (checked positive), or None for other kinds."""
    if isinstance(schedule, interval):
        schedule = schedule.run_every
    if not isinstance(schedule, timedelta):
        return None
    if schedule <= timedelta(0):
        raise ConfigError(f"schedule interval must be positive, got {schedule}")
    return schedule


def _interval_floor(period: timedelta, when: datetime) -> datetime:
    return EPOCH + ((when - EPOCH) // period) * period


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
