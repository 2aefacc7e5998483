"""Periodic jobs of the enrolment domain."""

from __future__ import annotations

from celery import shared_task

from opencpf.enrolment.services import expire_deadlines


@shared_task(name="enrolment.expire_deadlines")
def expire_deadlines_task() -> dict[str, int]:
    """Apply every lapsed deadline once and send the reminders due (idempotent)."""
    return expire_deadlines()


@shared_task(name="enrolment.validate_service_done")
def validate_service_done_task() -> dict[str, int]:
    """Validate service done 5 business days after the declaration unless a control is open (idempotent).

    `enrolment.expire_deadlines` (hourly) validates them too; this task is for a separate schedule if wanted.
    """
    from opencpf.enrolment.services import validate_service_done

    return validate_service_done()
