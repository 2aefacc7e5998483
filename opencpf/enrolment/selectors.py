"""Reads on dossiers, scoped to who asks: a holder sees theirs, a provider's staff their provider's, agents all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet

from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.exceptions import DossierNotFound
from opencpf.enrolment.models import Dossier, DossierTransition, Message
from opencpf.identity.models import ProviderMembership, UserKind

_RELATED = ("holder", "provider", "training", "offer", "session")


def dossiers_for_holder(user: Any) -> QuerySet[Dossier]:
    return Dossier.objects.filter(holder__user_id=user.pk).select_related(*_RELATED).order_by("-requested_at", "-id")


def dossiers_for_provider_user(
    user: Any,
    *,
    state: str | None = None,
    due_before: dt.date | None = None,
    query: str = "",
) -> QuerySet[Dossier]:
    """The provider's dossiers, the ones with the nearest deadline first (no deadline last)."""
    provider_ids = ProviderMembership.objects.filter(user_id=user.pk).values("provider_id")
    qs = Dossier.objects.filter(provider_id__in=provider_ids).select_related(*_RELATED)
    if state:
        qs = qs.filter(state=state)
    if due_before:
        qs = qs.filter(deadline_on__lte=due_before)
    if query:
        qs = qs.filter(number__startswith=query.strip()) | qs.filter(training__title__icontains=query.strip())
    return qs.order_by(F("deadline_on").asc(nulls_last=True), "requested_at", "id")


def dossier_for(user: Any, *, number: str | None = None, pk: int | None = None) -> Dossier:
    """One dossier the user may see, or DossierNotFound (never tells another's dossier exists)."""
    kind = getattr(user, "kind", None)
    if kind == UserKind.HOLDER:
        qs = dossiers_for_holder(user)
    elif kind == UserKind.PROVIDER:
        qs = dossiers_for_provider_user(user)
    elif kind == UserKind.AGENT:
        qs = Dossier.objects.select_related(*_RELATED)
    else:
        raise DossierNotFound()
    found = qs.filter(number=number).first() if number is not None else qs.filter(pk=pk or 0).first()
    if found is None:
        raise DossierNotFound()
    return found


def timeline(dossier: Dossier) -> list[DossierTransition]:
    return list(dossier.transitions.select_related("actor").order_by("at", "id"))


def flagged_dossiers() -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(flagged_at__isnull=False, state__in=(DossierState.ACCEPTED, DossierState.IN_TRAINING))
        .select_related(*_RELATED)
        .order_by("flagged_at", "id")
    )


def messages_for(user: Any, *, limit: int = 50) -> list[Message]:
    return list(Message.objects.filter(recipient_id=user.pk).select_related("dossier")[:limit])
