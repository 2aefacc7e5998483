"""Reads of the agents' console: audited holder search, a holder's file, a provider's file.

Every look-up of a holder is audited with the reason the agent gives; the NIR is only hashed (search) or masked
(display), never logged. What each section shows depends on the agent's permissions (the caller passes `user`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q

from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError, PermissionDenied
from opencpf.core.models import AuditEvent
from opencpf.enrolment.models import Dossier, DossierTransition, Message
from opencpf.identity import nir as nir_lib
from opencpf.identity.models import Holder
from opencpf.support.models import Dispute, Report, Ticket

SEARCH_KINDS = {"nir": "Numéro de sécurité sociale", "name": "Nom (et prénom)", "dossier": "Numéro de dossier"}
MAX_RESULTS = 50


class SearchInvalid(DomainError):
    code = "console_search_invalid"
    message = "La recherche est incomplète."


def holder_search(*, agent: Any, kind: str, query: str, reason: str, request: Any = None) -> list[Holder]:
    """Find holders by NIR (hashed), name or dossier number; audited with the agent's reason, never the query."""
    if getattr(agent, "kind", None) != "agent" or not agent.has_perm("support.search_holders"):
        raise PermissionDenied("Votre rôle ne permet pas de rechercher un titulaire.")
    reason = (reason or "").strip()
    query = (query or "").strip()
    if len(reason) < 5:
        raise SearchInvalid("Indiquez le motif de la recherche (au moins 5 caractères) : il est enregistré.")
    if kind not in SEARCH_KINDS or not query:
        raise SearchInvalid("Choisissez le critère et saisissez la recherche.")
    qs = Holder.objects.select_related("user")
    if kind == "nir":
        compact = nir_lib.validate(query)  # InvalidNir: a French message, no echo of the number
        found = list(qs.filter(nir_hash=nir_lib.nir_hash(compact)))
    elif kind == "dossier":
        found = list(qs.filter(dossiers__number=re.sub(r"\s", "", query)).distinct())
    else:
        words = query.split()
        if len(words[0]) < 2:
            raise SearchInvalid("Saisissez au moins 2 lettres du nom.")
        cond = Q(birth_name__iexact=words[0]) | Q(usage_name__iexact=words[0])
        for word in words[1:]:
            cond &= Q(first_names__icontains=word)
        found = list(qs.filter(cond).order_by("birth_name", "first_names", "pk")[:MAX_RESULTS])
    audit_record(
        action="support.console.holder_search",
        actor=agent,
        request=request,
        reason=reason,
        data={"by": kind, "results": [h.pk for h in found]},
    )
    return found


def masked_name(holder: Holder) -> str:
    name = holder.usage_name or holder.birth_name
    return f"{holder.first_names[:1]}. {name[:1]}{'•' * max(len(name) - 1, 2)}"


@dataclass
class HolderFile:
    holder: Holder
    masked_name: str
    nir_masked: str
    birth_year: int
    balances: Any = None
    statement: list = field(default_factory=list)
    topups: list = field(default_factory=list)
    dossiers: list = field(default_factory=list)
    security: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    tickets: list = field(default_factory=list)
    disputes: list = field(default_factory=list)
    adjustments: list = field(default_factory=list)
    reports: list = field(default_factory=list)


def holder_file(*, holder_id: int, user: Any) -> HolderFile | None:
    from opencpf.rights import selectors as rights_selectors
    from opencpf.rights.enums import AccountKind
    from opencpf.rights.models import Account, Adjustment

    holder = Holder.objects.select_related("user").filter(pk=holder_id).first()
    if holder is None:
        return None
    data = HolderFile(
        holder=holder, masked_name=masked_name(holder), nir_masked=holder.nir_masked, birth_year=holder.birth_date.year
    )
    data.balances = rights_selectors.balances(nir_hash=holder.nir_hash)
    data.statement = list(reversed(rights_selectors.statement(nir_hash=holder.nir_hash)))[:50]
    data.topups = list(
        Account.objects.filter(kind=AccountKind.TOPUP, nir_hash=holder.nir_hash).select_related("funder").order_by("pk")
    )
    data.dossiers = list(
        Dossier.objects.filter(holder=holder)
        .select_related("provider", "training")
        .prefetch_related(Prefetch("transitions", queryset=DossierTransition.objects.order_by("at", "id")))
        .order_by("-requested_at")[:50]
    )
    if user.has_perm("identity.view_holder_personal_data"):
        data.security = list(
            AuditEvent.objects.filter(
                Q(object_type="identity.user", object_id=str(holder.user_id))
                | Q(object_type="identity.holder", object_id=str(holder.pk))
            ).order_by("-at")[:50]
        )
    if user.has_perm("support.view_ticket"):
        data.messages = list(Message.objects.filter(recipient_id=holder.user_id).select_related("dossier")[:20])
        data.tickets = list(Ticket.objects.filter(author_id=holder.user_id).order_by("-updated_at")[:20])
    if user.has_perm("support.view_dispute"):
        data.disputes = list(Dispute.objects.filter(dossier__holder=holder).select_related("dossier").order_by("-id"))
    if user.has_perm("rights.view_adjustment"):
        data.adjustments = list(
            Adjustment.objects.filter(holder=holder).select_related("proposed_by", "decided_by").order_by("-id")
        )
    if user.has_perm("support.view_report"):
        data.reports = list(Report.objects.filter(reporter_id=holder.user_id).order_by("-created_at")[:20])
    return data


@dataclass
class ProviderFile:
    provider: Any
    qualiopi: list = field(default_factory=list)
    permissions: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    trainings: list = field(default_factory=list)
    dossier_counts: list = field(default_factory=list)
    dossiers: list = field(default_factory=list)
    ratings: dict | None = None
    holds: list = field(default_factory=list)
    recoveries: list = field(default_factory=list)
    bank_accounts: list = field(default_factory=list)
    alerts: list | None = None
    controls: list | None = None
    reports: list | None = None
    disputes: list | None = None
    show_payments: bool = False


def provider_file(*, provider_id: int, user: Any) -> ProviderFile | None:
    from opencpf.catalogue.models import Provider, Training
    from opencpf.enrolment.enums import DossierState
    from opencpf.payments.models import PaymentHold, ProviderBankAccount, ProviderRecovery

    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        return None
    data = ProviderFile(provider=provider)
    data.qualiopi = list(provider.qualiopi_certificates.order_by("-expires_on"))
    data.permissions = list(provider.permissions.select_related("certification").order_by("certification__code"))
    data.decisions = list(provider.referencing_decisions.order_by("-decided_at")[:20])
    data.trainings = list(
        Training.objects.filter(provider=provider)
        .select_related("certification")
        .annotate(
            n_offers=Count("offers", distinct=True),
            n_published=Count("offers", filter=Q(offers__is_published=True), distinct=True),
        )
        .order_by("title")[:100]
    )
    labels = dict(DossierState.choices)
    counts = Dossier.objects.filter(provider=provider).values("state").annotate(n=Count("id")).order_by("state")
    data.dossier_counts = [(labels.get(r["state"], r["state"]), r["n"]) for r in counts]
    data.dossiers = list(
        Dossier.objects.filter(provider=provider).select_related("training").order_by("-requested_at")[:50]
    )
    data.ratings = _ratings(provider)
    if user.has_perm("payments.view_providerbankaccount"):
        data.show_payments = True
        data.holds = list(PaymentHold.objects.filter(Q(provider=provider) | Q(dossier__provider=provider))[:50])
        data.recoveries = list(ProviderRecovery.objects.filter(provider=provider)[:50])
        data.bank_accounts = list(ProviderBankAccount.objects.filter(provider=provider).order_by("-requested_at"))
    if user.has_perm("trust.view_alert"):
        from opencpf.trust.models import Alert

        data.alerts = list(
            Alert.objects.filter(subject_type="provider", subject_id=provider.pk).order_by("-created_at")[:50]
        )
        from opencpf.trust.models import Control

        data.controls = list(Control.objects.filter(provider=provider).order_by("-pk")[:50])
    if user.has_perm("support.view_report"):
        data.reports = list(Report.objects.filter(provider=provider).order_by("-created_at")[:50])
    if user.has_perm("support.view_dispute"):
        data.disputes = list(
            Dispute.objects.filter(dossier__provider=provider).select_related("dossier").order_by("-id")[:50]
        )
    return data


def _ratings(provider: Any) -> dict:
    """Count, average and distribution (each rating's rounded average) of a provider's ratings."""
    from opencpf.reviews.enums import CRITERIA_NAMES
    from opencpf.reviews.models import Rating
    from opencpf.reviews.selectors import provider_summary

    summary = provider_summary(provider.pk)
    distribution = dict.fromkeys(range(1, 6), 0)
    for rating in Rating.objects.filter(provider=provider).only(*CRITERIA_NAMES):
        distribution[max(1, min(5, round(rating.average)))] += 1
    return {
        "count": summary.count if summary else 0,
        "average": summary.average if summary else None,
        "distribution": sorted(distribution.items()),
    }
