"""Periodic jobs of the enrolment domain."""

from __future__ import annotations

from celery import shared_task

from opencpf.enrolment.services import expire_deadlines


@shared_task(name="enrolment.expire_deadlines")
def expire_deadlines_task() -> dict[str, int]:
    """Apply every lapsed deadline once and send the reminders due (idempotent)."""
    return expire_deadlines()
