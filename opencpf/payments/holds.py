"""Payment holds: placed by controls, disputes, alerts (an agent's decision) and sanctions; read by payment runs.

`holds_for(dossier)` is the one answer to "may this dossier be paid now?": active holds on the dossier or
its provider, an open control on the dossier, and a recent change of the provider's bank details.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.payments.models import BankAccountStatus, PaymentHold, ProviderBankAccount


def place_hold(
    *,
    source: str,
    source_ref: str,
    reason: str,
    by: Any = None,
    provider: Any = None,
    dossier: Any = None,
) -> PaymentHold:
    """Hold a provider's or a dossier's payments. Idempotent: the same active (source, ref, target) is returned."""
    if provider is None and dossier is None:
        raise ValueError("a hold needs a provider or a dossier")
    lookup = {
        "source": source,
        "source_ref": source_ref,
        "provider": provider,
        "dossier": dossier,
        "lifted_at__isnull": True,
    }
    existing = PaymentHold.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            hold = PaymentHold.objects.create(
                provider=provider,
                dossier=dossier,
                source=source,
                source_ref=source_ref,
                reason=reason,
                placed_by=by if getattr(by, "pk", None) else None,
                placed_at=clock.now(),
            )
    except IntegrityError:
        return PaymentHold.objects.get(**lookup)
    audit_record(
        actor=by,
        action="payments.hold_placed",
        obj=hold,
        reason=reason,
        data={"source": source, "source_ref": source_ref},
    )
    return hold


def lift_hold(*, hold: PaymentHold, by: Any, reason: str) -> PaymentHold:
    """Lift an active hold (recorded, never deleted). Lifting a lifted hold changes nothing."""
    updated = PaymentHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
        lifted_at=clock.now(), lifted_by=by if getattr(by, "pk", None) else None, lift_reason=reason
    )
    hold.refresh_from_db()
    if updated:
        audit_record(actor=by, action="payments.hold_lifted", obj=hold, reason=reason)
    return hold


def lift_holds(*, source: str, source_ref: str, by: Any, reason: str) -> int:
    """Lift every active hold placed by one origin (a control closed, a dispute settled)."""
    holds = list(PaymentHold.objects.filter(source=source, source_ref=source_ref, lifted_at__isnull=True))
    for hold in holds:
        lift_hold(hold=hold, by=by, reason=reason)
    return len(holds)


def holds_for(dossier: Any) -> list[str]:
    """French reasons why the dossier may not be paid now; empty when it may."""
    reasons: list[str] = []
    active = PaymentHold.objects.filter(lifted_at__isnull=True).filter(
        Q(dossier_id=dossier.pk) | Q(provider_id=dossier.provider_id)
    )
    reasons.extend(f"{h.get_source_display()} : {h.reason}" for h in active)
    if getattr(dossier, "control_state", "") == "inControl":
        reasons.append("Contrôle en cours sur le dossier")
    now = clock.now()
    if ProviderBankAccount.objects.filter(
        provider_id=dossier.provider_id, status=BankAccountStatus.ACTIVE, payments_held_until__gt=now
    ).exists():
        reasons.append("Changement récent de coordonnées bancaires")
    return reasons


def held_provider_ids() -> set[int]:
    """Providers with an active provider-wide hold (for batch runs: one query instead of one per dossier)."""
    return set(
        PaymentHold.objects.filter(lifted_at__isnull=True, provider__isnull=False, dossier__isnull=True).values_list(
            "provider_id", flat=True
        )
    )


def held_dossier_ids() -> set[int]:
    return set(
        PaymentHold.objects.filter(lifted_at__isnull=True, dossier__isnull=False).values_list("dossier_id", flat=True)
    )
