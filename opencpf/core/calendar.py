"""French business days: weekends and public holidays excluded (Alsace-Moselle's two extra days optional)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _holidays_for(year: int, subdiv: str | None) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("FR", subdiv=subdiv, years=year).keys())


def _subdiv(subdiv: str | None) -> str | None:
    return subdiv if subdiv is not None else settings.BUSINESS_CALENDAR_SUBDIV


def is_holiday(day: dt.date, *, subdiv: str | None = None) -> bool:
    return day in _holidays_for(day.year, _subdiv(subdiv))


def is_business_day(day: dt.date, *, subdiv: str | None = None) -> bool:
    return day.weekday() < 5 and not is_holiday(day, subdiv=subdiv)


def add_business_days(start: dt.date, n: int, *, subdiv: str | None = None) -> dt.date:
    """The date n business days after `start` (start itself not counted). n=0 returns start."""
    if isinstance(start, dt.datetime):
        start = start.date()
    step = ONE_DAY if n >= 0 else -ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_business_day(day, subdiv=subdiv):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, *, subdiv: str | None = None) -> int:
    """Business days in (start, end]: how many business days have passed from start to end.

    Negative when end is before start.
    """
    if end < start:
        return -business_days_between(end, start, subdiv=subdiv)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if is_business_day(day, subdiv=subdiv):
            count += 1
    return count
