"""Periodic jobs of the payments domain."""

from __future__ import annotations

from celery import shared_task

from opencpf.payments.runs import payment_run


@shared_task(name="payments.payment_run")
def payment_run_task() -> dict[str, object]:
    """Finish a run left planned by a crash, then pay what became payable (idempotent, crash-safe)."""
    outcome = payment_run()
    return {"runs": [r.reference for r in outcome.runs], "resumed": outcome.resumed, "skipped": outcome.skipped}
