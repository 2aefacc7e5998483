from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from opencpf.catalogue.models import Offer
from opencpf.core import clock
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.selectors import dossiers_for_provider_user, messages_for
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
    # One query for the three lists (requests to answer, entries and exits to declare), nearest deadline first.
    due = dossiers_for_provider_user(request.user).filter(
        Q(state=DossierState.NOT_PROCESSED)
        | Q(state=DossierState.ACCEPTED, start_date__lte=today)
        | Q(state=DossierState.IN_TRAINING, end_date__lt=today)
    )[:200]
    to_process: list[tuple[Any, int]] = []
    entries_due, exits_due = [], []
    for d in due:
        if d.state == DossierState.NOT_PROCESSED and d.deadline_on is not None:
            to_process.append((d, (d.deadline_on - today).days))
        elif d.state == DossierState.ACCEPTED:
            entries_due.append(d)
        elif d.state == DossierState.IN_TRAINING:
            exits_due.append(d)
    provider_ids = ProviderMembership.objects.filter(user=request.user).values("provider_id")  # type: ignore[misc]
    offers = Offer.objects.filter(training__provider_id__in=provider_ids).aggregate(
        total=Count("id"), published=Count("id", filter=Q(is_published=True))
    )
    context = {
        "title": "Espace organismes de formation",
        "to_process": to_process[:20],
        "entries_due": entries_due[:20],
        "exits_due": exits_due[:20],
        "offers_published": offers["published"],
        "offers_total": offers["total"],
        "payments_url": _url_or_none("provider:payments"),
    }
    return render(request, "provider/home.html", context)


@provider_required
def messages(request: HttpRequest) -> HttpResponse:
    """The staff member's in-app messages: dossiers, payments (remittance advice, bank returns), controls."""
    return render(request, "provider/messages.html", {"title": "Messages", "inbox": messages_for(request.user)})
