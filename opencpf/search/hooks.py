"""Called by the catalogue after an offer change commits (registered in SearchConfig.ready)."""

from __future__ import annotations

from opencpf.search import runtime
from opencpf.search.services import offer_change_record


def offer_changed(offer_id: int) -> None:
    """Record the change for every worker and make this process's index catch up at its next search."""
    offer_change_record(offer_id=offer_id)
    runtime.mark_stale()
