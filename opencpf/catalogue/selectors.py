"""Reads of the catalogue. Provider-facing reads are always scoped to one provider."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from opencpf.catalogue.exceptions import OfferNotFound
from opencpf.catalogue.models import Offer, OfferChange, Provider, ProviderStatus, Session
from opencpf.core import clock
from opencpf.core.calendar import business_days_between


def provider_offers(
    provider: Provider,
    *,
    q: str = "",
    published: bool | None = None,
    modality: str = "",
    certification: str = "",
    city: str = "",
) -> QuerySet[Offer]:
    qs = (
        Offer.objects.filter(training__provider=provider)
        .select_related("training", "training__certification")
        .annotate(session_count=Count("sessions"))
        .order_by("-updated_at", "-pk")
    )
    if q:
        qs = qs.filter(
            Q(training__title__icontains=q) | Q(reference__icontains=q) | Q(training__reference__icontains=q)
        )
    if published is not None:
        qs = qs.filter(is_published=published)
    if modality:
        qs = qs.filter(modality=modality)
    if certification:
        qs = qs.filter(training__certification__code__iexact=certification.strip())
    if city:
        qs = qs.filter(city__icontains=city)
    return qs


def offer_for_provider(provider: Provider, offer_id: int) -> Offer:
    offer = (
        Offer.objects.select_related("training", "training__certification", "training__provider")
        .filter(pk=offer_id, training__provider=provider)
        .first()
    )
    if offer is None:
        raise OfferNotFound()
    return offer


def session_for_provider(provider: Provider, session_id: int) -> Session:
    session = (
        Session.objects.select_related("offer__training")
        .filter(pk=session_id, offer__training__provider=provider)
        .first()
    )
    if session is None:
        raise OfferNotFound("Cette session est introuvable.", code="session_not_found")
    return session


def offer_sessions(offer: Offer) -> QuerySet[Session]:
    return offer.sessions.order_by("start_date", "pk")


def offer_history(offer: Offer, *, limit: int = 50) -> list[OfferChange]:
    return list(offer.changes.order_by("-at", "-pk")[:limit])


def referencing_queue(*, status: str = ProviderStatus.PENDING, q: str = "") -> QuerySet[Provider]:
    qs = Provider.objects.all().order_by("check_deadline", "pk")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(siret__startswith=q.replace(" ", "")))
    return qs


def deadline_state(provider: Provider, *, on: dt.date | None = None) -> dict[str, Any]:
    """The 11-business-day check deadline as agents see it: date, business days left, overdue flag."""
    day = on or clock.today()
    if provider.check_deadline is None:
        return {"deadline": None, "days_left": None, "overdue": False}
    left = business_days_between(day, provider.check_deadline)
    return {
        "deadline": provider.check_deadline,
        "days_left": left,
        "overdue": left < 0 and provider.status == ProviderStatus.PENDING,
    }
