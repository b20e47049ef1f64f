"""Schedule ticks: every time a celery schedule is due between two instants (UTC).

Backfill replays an alert at exactly these times. The rules are the ones the live
scheduler follows (see `lib.runlock.tick_for`): an interval (`timedelta` or celery's
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

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_DAY = timedelta(days=1)


def ticks(schedule: Any, start: datetime, end: datetime) -> Iterator[datetime]:
    """Yield the due times of `schedule` in [start, end], in order."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if isinstance(schedule, timedelta):
        yield from interval_ticks(schedule, start, end)
    elif isinstance(schedule, crontab):
        yield from crontab_ticks(schedule, start, end)
    elif isinstance(schedule, interval):
        yield from interval_ticks(schedule.run_every, start, end)
    else:
        raise ConfigError(f"cannot enumerate the ticks of schedule {schedule!r}")


def interval_ticks(period: timedelta, start: datetime, end: datetime) -> Iterator[datetime]:
    """Whole multiples of `period` since the epoch, in [start, end]."""
    if period <= timedelta(0):
        raise ConfigError(f"schedule interval must be positive, got {period}")
    steps = -((EPOCH - start) // period)  # ceiling of (start - EPOCH) / period
    tick = EPOCH + steps * period
    while tick <= end:
        yield tick
        tick += period


def crontab_ticks(cron: crontab, start: datetime, end: datetime) -> Iterator[datetime]:
    """The minutes in [start, end] that `cron` matches."""
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    hours, minutes = sorted(cron.hour), sorted(cron.minute)
    while day <= end:
        if _day_matches(cron, day):
            for hour in hours:
                for minute in minutes:
                    tick = day.replace(hour=hour, minute=minute)
                    if start <= tick <= end:
                        yield tick
        day += ONE_DAY


def _day_matches(cron: crontab, day: datetime) -> bool:
    return (
        day.month in cron.month_of_year
        and day.day in cron.day_of_month
        and day.isoweekday() % 7 in cron.day_of_week
    )
