"""Trust jobs: screening runs on the workers in production (eager, in-process, in the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="trust.screen_offer", acks_late=True)
def screen_offer(offer_id: int) -> int:
    """Screen one offer's texts; returns how many alerts it has (raising is idempotent per fingerprint)."""
    from opencpf.trust.hooks import screen_offer_now

    return len(screen_offer_now(offer_id))
