"""Periodic jobs of the support domain."""

from __future__ import annotations

from celery import shared_task

from opencpf.support.disputes import disputes_end_exchanges


@shared_task(name="support.disputes_end_exchanges")
def disputes_end_exchanges_task() -> int:
    """Disputes past their exchange deadline go to review (idempotent, daily is enough; run hourly)."""
    return disputes_end_exchanges()
