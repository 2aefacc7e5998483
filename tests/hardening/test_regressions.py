"""Regressions found by the hardening tests (fuzzing, faults), kept here with the scenario that found them."""

from __future__ import annotations

import pytest

from opencpf.catalogue.models import Offer
from opencpf.search import runtime
from opencpf.search.selectors import SearchParams, search_offers
from opencpf.web import demo

pytestmark = pytest.mark.django_db


def test_an_offer_moving_to_a_new_group_does_not_hang_the_index_refresh() -> None:
    """Found by the API fuzz on PostgreSQL: an offer whose price changes leaves its group but keeps its anchor
    there; choosing a new anchor looped forever (and grew a set without end) in `SearchIndex._group_for`."""
    demo.load()
    runtime.warm()
    moved = list(Offer.objects.filter(is_published=True).order_by("pk")[:3])
    for offer in moved:
        offer.price_incl_tax_cents += 1_234
        offer.save(update_fields=["price_incl_tax_cents", "updated_at"])
    rt = runtime.current()
    rt.stale = True
    runtime.current()  # applies the three changed offers: returned at all is the regression
    rt = runtime.current()
    assert len(set(rt.index.anchor.tolist())) == len(rt.index.anchor), "two groups share an anchor"
    out = search_offers(SearchParams(text="", page_size=100), client_ip="127.0.0.1")
    assert out.total >= len(moved)
