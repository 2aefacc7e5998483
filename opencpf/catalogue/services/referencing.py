"""Provider referencing: application, agents' decisions (a declared state machine), compliance sweep."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from stdnum.fr import siret as stdnum_siret

from opencpf.catalogue.exceptions import InvalidApplication, InvalidTransition, ReasonRequired
from opencpf.catalogue.models import (
    Certification,
    CertificationKind,
    Certifier,
    CertifierPermission,
    Offer,
    Provider,
    ProviderStatus,
    QualiopiCertificate,
    ReferencingDecision,
)
from opencpf.catalogue.services.offers import offers_unpublish_where
from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.calendar import add_business_days
from opencpf.core.params import param

S = ProviderStatus


@dataclass(frozen=True)
class Transition:
    event: str
    source: tuple[str, ...]
    target: str
    label: str


TRANSITIONS = [
    Transition("reference", (S.PENDING, S.REFUSED), S.REFERENCED, "Référencer"),
    Transition("refuse", (S.PENDING,), S.REFUSED, "Refuser"),
    Transition("suspend", (S.REFERENCED,), S.SUSPENDED, "Suspendre"),
    Transition("reinstate", (S.SUSPENDED,), S.REFERENCED, "Lever la suspension"),
    Transition("delist", (S.REFERENCED, S.SUSPENDED), S.DELISTED, "Déréférencer"),
    Transition("reapply", (S.REFUSED, S.DELISTED), S.PENDING, "Nouvelle demande"),
]
TRANSITIONS_BY_EVENT = {t.event: t for t in TRANSITIONS}


def can_decide(provider: Provider, event: str) -> bool:
    t = TRANSITIONS_BY_EVENT.get(event)
    return t is not None and provider.status in t.source


def available_events(provider: Provider) -> list[Transition]:
    return [t for t in TRANSITIONS if provider.status in t.source and t.event != "reapply"]


@dataclass(frozen=True)
class PermissionInput:
    certification_code: str
    certifier_name: str = ""
    reference: str = ""
    valid_until: dt.date | None = None


def _check_nda(nda: str) -> str:
    compact = re.sub(r"\s", "", nda or "")
    if not re.fullmatch(r"\d{11}", compact):
        raise InvalidApplication("Le numéro de déclaration d'activité (NDA) doit comporter 11 chiffres.")
    return compact


def _check_siret(siret: str) -> str:
    compact = stdnum_siret.compact(siret or "")
    if not stdnum_siret.is_valid(compact):
        raise InvalidApplication("Le SIRET doit comporter 14 chiffres et sa clé de contrôle doit être juste.")
    return compact


def check_deadline_from(day: dt.date) -> dt.date:
    return add_business_days(day, param("referencing_check_business_days", on=day))


@transaction.atomic
def provider_apply(
    *,
    name: str,
    siret: str,
    nda: str,
    qualiopi_number: str,
    qualiopi_expires_on: dt.date,
    permissions: list[PermissionInput],
    directors_declaration: bool,
    email: str = "",
    phone: str = "",
    address: str = "",
    postcode: str = "",
    city: str = "",
    qualiopi_body: str = "",
    actor: Any = None,
) -> Provider:
    """A provider applies for referencing (or applies again after a refusal or a delisting)."""
    siret = _check_siret(siret)
    nda = _check_nda(nda)
    today = clock.today()
    if not directors_declaration:
        raise InvalidApplication("La déclaration sur l'honneur concernant les dirigeants est obligatoire.")
    if not qualiopi_number.strip():
        raise InvalidApplication("Le numéro du certificat Qualiopi est obligatoire.")
    if qualiopi_expires_on < today:
        raise InvalidApplication("Le certificat Qualiopi est expiré.")
    certs = {}
    for p in permissions:
        cert = Certification.objects.filter(code=p.certification_code.strip().upper()).first()
        if cert is None:
            raise InvalidApplication(f"La certification « {p.certification_code} » est inconnue du répertoire.")
        certs[p.certification_code] = cert
    provider = Provider.objects.select_for_update().filter(siret=siret).first()
    now = clock.now()
    if provider is not None and provider.status not in TRANSITIONS_BY_EVENT["reapply"].source:
        raise InvalidApplication("Une demande de référencement existe déjà pour ce SIRET.")
    previous = provider.status if provider else ""
    if provider is None:
        provider = Provider(siret=siret)
    provider.name, provider.nda, provider.email, provider.phone = name.strip(), nda, email, phone
    provider.address, provider.postcode, provider.city = address, postcode, city
    provider.status = S.PENDING
    provider.applied_at = provider.status_changed_at = now
    provider.check_deadline = check_deadline_from(today)
    provider.status_reason = ""
    provider.directors_declaration, provider.directors_declared_at = True, now
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError as exc:  # the same SIRET applied concurrently
        raise InvalidApplication("Une demande de référencement existe déjà pour ce SIRET.") from exc
    QualiopiCertificate.objects.update_or_create(
        provider=provider,
        number=qualiopi_number.strip(),
        defaults={"expires_on": qualiopi_expires_on, "certifying_body": qualiopi_body},
    )
    for p in permissions:
        certifier = None
        if p.certifier_name:
            certifier, _ = Certifier.objects.get_or_create(name=p.certifier_name.strip()[:300])
        CertifierPermission.objects.update_or_create(
            provider=provider,
            certification=certs[p.certification_code],
            defaults={
                "certifier": certifier,
                "reference": p.reference,
                "valid_until": p.valid_until,
                "granted_on": today,
                "withdrawn_at": None,
                "withdrawal_reason": "",
            },
        )
    ReferencingDecision.objects.create(
        provider=provider,
        from_status=previous,
        to_status=S.PENDING,
        event="apply" if not previous else "reapply",
        reason="Demande de référencement déposée",
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_at=now,
    )
    return provider


@transaction.atomic
def provider_decide(*, provider: Provider, event: str, actor: Any, reason: str, request: Any = None) -> Provider:
    """An agent's referencing decision. Suspension and delisting unpublish the provider's offers."""
    if not reason or not reason.strip():
        raise ReasonRequired()
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    t = TRANSITIONS_BY_EVENT.get(event)
    if t is None or provider.status not in t.source:
        raise InvalidTransition(
            f"Impossible de « {t.label.lower() if t else event} » un organisme au statut "
            f"« {ProviderStatus(provider.status).label} »."
        )
    now = clock.now()
    previous = provider.status
    provider.status = t.target
    provider.status_changed_at = now
    provider.status_reason = reason.strip()[:500]
    if t.target == S.REFERENCED and provider.referenced_at is None:
        provider.referenced_at = now
    provider.save(update_fields=["status", "status_changed_at", "status_reason", "referenced_at"])
    ReferencingDecision.objects.create(
        provider=provider,
        from_status=previous,
        to_status=t.target,
        event=event,
        reason=reason.strip()[:1000],
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_at=now,
    )
    audit_record(
        action=f"catalogue.provider.{event}",
        actor=actor,
        obj=provider,
        request=request,
        reason=reason,
        data={"from": previous, "to": t.target},
    )
    if t.target in (S.SUSPENDED, S.DELISTED):
        ids = list(Offer.objects.filter(training__provider=provider, is_published=True).values_list("pk", flat=True))
        offers_unpublish_where(
            offer_ids=ids, actor=actor, reason=f"organisme {ProviderStatus(t.target).label.lower()} : {reason}"
        )
    return provider


@transaction.atomic
def permission_withdraw(*, permission: CertifierPermission, actor: Any, reason: str) -> int:
    """A certifier withdraws a permission: the provider's offers for that certification are unpublished."""
    if not reason.strip():
        raise ReasonRequired()
    permission = CertifierPermission.objects.select_for_update().get(pk=permission.pk)
    permission.withdrawn_at = clock.now()
    permission.withdrawal_reason = reason[:500]
    permission.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    ids = list(
        Offer.objects.filter(
            training__provider_id=permission.provider_id,
            training__certification_id=permission.certification_id,
            is_published=True,
        ).values_list("pk", flat=True)
    )
    return offers_unpublish_where(
        offer_ids=ids, actor=actor, reason=f"habilitation retirée par le certificateur : {reason}"
    )


@transaction.atomic
def permission_grant(
    *,
    provider: Provider,
    certification: Certification,
    certifier_name: str = "",
    reference: str = "",
    valid_until: dt.date | None = None,
) -> CertifierPermission:
    """Record (or restore) a certifier's permission for a provider to prepare a certification."""
    certifier = (
        Certifier.objects.get_or_create(name=certifier_name.strip()[:300])[0] if certifier_name.strip() else None
    )
    permission, _ = CertifierPermission.objects.update_or_create(
        provider=provider,
        certification=certification,
        defaults={
            "certifier": certifier,
            "reference": reference,
            "valid_until": valid_until,
            "granted_on": clock.today(),
            "withdrawn_at": None,
            "withdrawal_reason": "",
        },
    )
    return permission


@transaction.atomic
def qualiopi_record(
    *, provider: Provider, number: str, expires_on: dt.date, certifying_body: str = ""
) -> QualiopiCertificate:
    cert, _ = QualiopiCertificate.objects.update_or_create(
        provider=provider,
        number=number.strip(),
        defaults={"expires_on": expires_on, "certifying_body": certifying_body},
    )
    return cert


def non_compliant_offer_ids(*, on: dt.date) -> dict[str, list[int]]:
    """Published offers that must come down today, grouped by reason."""
    published = Offer.objects.filter(is_published=True)
    valid_qualiopi = QualiopiCertificate.objects.filter(expires_on__gte=on).values("provider_id")
    out: dict[str, list[int]] = {}
    out["certificat Qualiopi expiré"] = list(
        published.exclude(training__provider_id__in=valid_qualiopi).values_list("pk", flat=True)
    )
    out["organisme non référencé"] = list(
        published.exclude(training__provider__status=S.REFERENCED).values_list("pk", flat=True)
    )
    out["certification inactive"] = list(
        published.filter(
            Q(training__certification__is_active=False) | Q(training__certification__valid_until__lt=on)
        ).values_list("pk", flat=True)
    )
    ok_permissions = CertifierPermission.objects.filter(withdrawn_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )
    needing = published.filter(training__certification__kind__in=[CertificationKind.RNCP, CertificationKind.RS])
    permitted_pairs = set(ok_permissions.values_list("provider_id", "certification_id"))
    out["habilitation retirée ou expirée"] = [
        pk
        for pk, prov, cert in needing.values_list("pk", "training__provider_id", "training__certification_id")
        if (prov, cert) not in permitted_pairs
    ]
    return out


def offers_enforce_compliance(*, on: dt.date | None = None) -> dict[str, int]:
    """Idempotent sweep (daily task): unpublish offers whose provider or certification no longer qualifies."""
    day = on or clock.today()
    done: set[int] = set()
    counts: dict[str, int] = {}
    for reason, ids in non_compliant_offer_ids(on=day).items():
        todo = [i for i in ids if i not in done]
        counts[reason] = offers_unpublish_where(offer_ids=todo, reason=reason) if todo else 0
        done.update(todo)
    return counts
