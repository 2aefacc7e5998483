"""Periodic jobs of the catalogue (Celery)."""

from __future__ import annotations

from celery import shared_task

from opencpf.catalogue.services import offers_enforce_compliance


@shared_task(name="catalogue.enforce_compliance")
def enforce_compliance() -> dict[str, int]:
    """Daily: unpublish offers whose provider, Qualiopi certificate, permission or certification lapsed."""
    return offers_enforce_compliance()
