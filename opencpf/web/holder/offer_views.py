"""The public page of an offer: what it is, where, when, who runs it, its rating, and what it costs me."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.catalogue.models import Offer
from opencpf.core import clock
from opencpf.core.exceptions import DomainError
from opencpf.enrolment import ports
from opencpf.search.documents import offer_rating


def offer(request: HttpRequest, offer_id: int) -> HttpResponse:
    found = (
        Offer.objects.select_related("training__provider", "training__certification")
        .filter(pk=offer_id, is_published=True)
        .first()
    )
    if found is None:
        raise Http404
    sessions = list(
        found.sessions.filter(start_date__gt=clock.today(), is_recruiting=True).order_by("start_date", "id")[:12]
    )
    split, split_error = None, ""
    is_holder = getattr(request.user, "kind", None) == "holder"
    if is_holder:
        try:
            split = ports.quote_for(
                holder=request.user.holder,  # type: ignore[union-attr]
                training=found.training,
                price_cents=found.price_incl_tax_cents,
            )
        except DomainError as exc:
            split_error = exc.message
    context = {
        "title": found.training.title,
        "offer": found,
        "training": found.training,
        "provider": found.training.provider,
        "sessions": sessions,
        "rating": offer_rating(found.pk),
        "split": split,
        "split_error": split_error,
        "is_holder": is_holder,
    }
    return render(request, "holder/catalogue/offer.html", context)
