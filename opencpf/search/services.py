"""Writes of the search domain: the change log the per-process indexes follow."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from opencpf.core import clock
from opencpf.search.models import OfferChange

CHANGE_LOG_RETENTION = dt.timedelta(days=2)


@transaction.atomic
def offer_change_record(*, offer_id: int) -> OfferChange:
    return OfferChange.objects.create(offer_id=offer_id)


@transaction.atomic
def offer_changes_prune(*, older_than: dt.timedelta = CHANGE_LOG_RETENTION) -> int:
    """Forget changes every running index has certainly seen (an index is rebuilt at least daily)."""
    deleted, _ = OfferChange.objects.filter(created_at__lt=clock.now() - older_than).delete()
    return deleted
