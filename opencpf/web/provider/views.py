from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from opencpf.catalogue.models import Offer
from opencpf.core import clock
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.selectors import dossiers_for_provider_user
from opencpf.identity.models import ProviderMembership
from opencpf.web.access import provider_required


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@provider_required
def home(request: HttpRequest) -> HttpResponse:
    """The work of the day: dossiers to process, nearest deadline first with the days left; declarations due."""
    today = clock.today()
    to_process: list[tuple[Any, int]] = [
        (d, (d.deadline_on - today).days)
        for d in dossiers_for_provider_user(request.user, state=DossierState.NOT_PROCESSED)[:20]
        if d.deadline_on is not None
    ]
    entries_due = list(
        dossiers_for_provider_user(request.user, state=DossierState.ACCEPTED).filter(start_date__lte=today)[:20]
    )
    exits_due = list(
        dossiers_for_provider_user(request.user, state=DossierState.IN_TRAINING).filter(end_date__lt=today)[:20]
    )
    provider_ids = ProviderMembership.objects.filter(user=request.user).values("provider_id")  # type: ignore[misc]
    offers = Offer.objects.filter(training__provider_id__in=provider_ids)
    context = {
        "title": "Espace organismes de formation",
        "to_process": to_process,
        "entries_due": entries_due,
        "exits_due": exits_due,
        "offers_published": offers.filter(is_published=True).count(),
        "offers_total": offers.count(),
        "payments_url": _url_or_none("provider:payments"),
    }
    return render(request, "provider/home.html", context)
