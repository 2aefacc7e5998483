from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from opencpf.core import clock
from opencpf.support.models import Dispute, DisputeStatus, Report, Ticket, TicketStatus


def tickets_of(user: Any) -> QuerySet[Ticket]:
    return Ticket.objects.filter(author=user).order_by("-updated_at")


def ticket_for(user: Any, number: str) -> Ticket | None:
    """A ticket its author may read (None otherwise: callers answer 404, never 403, to hide existence)."""
    return Ticket.objects.filter(author=user, number=number).prefetch_related("messages").first()


def agent_queue(*, status: str | None = None) -> QuerySet[Ticket]:
    """Open tickets, most urgent first, then oldest first."""
    qs = Ticket.objects.select_related("author", "assigned_to")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=TicketStatus.CLOSED).exclude(status=TicketStatus.ANSWERED)
    return qs.order_by("-priority", "created_at")


def age_label(created_at: dt.datetime) -> str:
    hours = int((clock.now() - created_at).total_seconds() // 3600)
    if hours < 1:
        return "moins d'une heure"
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} jours"


def reports_for_provider(provider: Any) -> QuerySet[Report]:
    return Report.objects.filter(provider=provider).order_by("-created_at")


def report_counts_by_provider(*, since: dt.date) -> dict[int, int]:
    """Reports per provider since a date: an input of the trust signals."""
    rows = (
        Report.objects.filter(provider__isnull=False, created_at__date__gte=since)
        .values("provider_id")
        .annotate(n=Count("id"))
    )
    return {r["provider_id"]: r["n"] for r in rows}


def disputes_for(user: Any) -> QuerySet[Dispute]:
    """The disputes a holder or a provider's staff member may read (their dossiers'), newest first."""
    from opencpf.identity.models import ProviderMembership, UserKind

    qs = Dispute.objects.select_related("dossier__training", "dossier__provider")
    kind = getattr(user, "kind", None)
    if kind == UserKind.HOLDER:
        qs = qs.filter(dossier__holder__user_id=user.pk)
    elif kind == UserKind.PROVIDER:
        qs = qs.filter(
            dossier__provider_id__in=ProviderMembership.objects.filter(user_id=user.pk).values("provider_id")
        )
    elif kind != UserKind.AGENT:
        return qs.none()
    return qs.order_by("-updated_at", "-id")


def dispute_for(user: Any, reference: str) -> Dispute | None:
    """One dispute the user may read (None otherwise: callers answer 404)."""
    return (
        disputes_for(user)
        .select_related("dossier__holder", "opened_by")
        .prefetch_related("messages", "events__actor")
        .filter(reference=reference)
        .first()
    )


def dispute_queue(*, status: str | None = None) -> QuerySet[Dispute]:
    """Disputes not closed, the nearest decision deadline first."""
    qs = Dispute.objects.select_related("dossier__provider", "assigned_to")
    qs = qs.filter(status=status) if status else qs.exclude(status=DisputeStatus.CLOSED)
    return qs.order_by("decide_by", "created_at", "id")
