"""Legal deadlines, all from the business-day calendar and the dated parameters in force on the day."""

from __future__ import annotations

import datetime as dt

from opencpf.core.calendar import add_business_days
from opencpf.core.params import param


def provider_answer_deadline(requested_on: dt.date, *, has_prerequisites: bool) -> dt.date:
    """Last day for the provider to answer: 2 business days, or 30 calendar days with prerequisites."""
    if has_prerequisites:
        return requested_on + dt.timedelta(days=param("provider_answer_prerequisites_days", on=requested_on))
    return add_business_days(requested_on, param("provider_answer_business_days", on=requested_on))


def holder_acceptance_deadline(proposed_on: dt.date) -> dt.date:
    return add_business_days(proposed_on, param("holder_acceptance_business_days", on=proposed_on))


def earliest_start(proposed_on: dt.date) -> dt.date:
    """The first start date a proposal made on `proposed_on` may carry (11 business days later)."""
    return add_business_days(proposed_on, param("min_business_days_before_start", on=proposed_on))


def cooling_off_until(accepted_on: dt.date) -> dt.date:
    return add_business_days(accepted_on, param("cooling_off_business_days", on=accepted_on))


def entry_declaration_deadline(start_date: dt.date) -> dt.date:
    return add_business_days(start_date, param("entry_declaration_business_days", on=start_date))


def exit_declaration_deadline(end_date: dt.date) -> dt.date:
    """Last day for the provider to declare exit (service done): 3 business days after the session's end."""
    return add_business_days(end_date, param("exit_declaration_business_days", on=end_date))


def service_validation_deadline(declared_on: dt.date) -> dt.date:
    """Service done is validated automatically once this day is over (5 business days after the declaration)."""
    return add_business_days(declared_on, param("service_done_validation_business_days", on=declared_on))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter: 31 January + 1 = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def is_long_training(start_date: dt.date, end_date: dt.date, *, on: dt.date) -> bool:
    """More than `advance_min_duration_months` (3) months from start to end: an advance is owed at entry."""
    return end_date > add_months(start_date, param("advance_min_duration_months", on=on))


def reminder_day(deadline: dt.date) -> dt.date:
    """The business day before a deadline, when the party who must act is reminded."""
    return add_business_days(deadline, -1)


def is_free_cancellation(*, on: dt.date, cooling_off_end: dt.date | None, start_date: dt.date) -> bool:
    """Holder cancels for free within the cooling-off period and more than N days before the start."""
    if cooling_off_end is None or on > cooling_off_end:
        return False
    return (start_date - on).days > param("free_cancellation_min_days_before_start", on=on)
