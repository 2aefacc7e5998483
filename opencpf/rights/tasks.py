"""Background jobs of the rights domain (Celery; eager in the embedded default)."""

from __future__ import annotations

from celery import shared_task

from opencpf.rights.crediting import credit_year


@shared_task(acks_late=True)
def credit_year_task(year: int) -> dict[str, int]:
    """The yearly crediting as a job: safe to retry (each chunk is posted once, diffs recomputed from the ledger)."""
    result = credit_year(year=year)
    return {"holders": result.holders, "credited_accounts": result.credited_accounts, "total_cents": result.total_cents}
