"""Writes of the rights domain: top-ups, DIF hours, and (re-exported) paying for a training.

Yearly crediting lives in `crediting.py`, declaration import in `declarations.py`.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction

from opencpf.catalogue.models import Certification
from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.params import param
from opencpf.identity import nir as nir_lib
from opencpf.identity.models import Holder
from opencpf.rights.enums import AccountKind, DifStatus, FunderKind, TransactionKind
from opencpf.rights.exceptions import (
    CorrectiveTopupNotOwed,
    DifAlreadyClaimed,
    DifClaimClosed,
    DifInvalidHours,
    HolderMismatch,
    InvalidAmountForRights,
    UnknownCertification,
)
from opencpf.rights.ledger import holder_account, platform_account, post
from opencpf.rights.models import DifClaim, Funder, LedgerTransaction
from opencpf.rights.payment import Quote, capture, quote, release, reserve

__all__ = [
    "Quote",
    "capture",
    "dif_claim_decide",
    "dif_claim_submit",
    "funder_api_key_issue",
    "funder_create",
    "quote",
    "release",
    "reserve",
    "topup_add",
]

MAX_DIF_DECLARED_HOURS = 9_999


def _normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(c for c in decomposed if c.isalnum())
    return letters.upper()


def funder_create(*, name: str, kind: str, reference: str, headcount: int | None = None) -> Funder:
    if kind not in FunderKind.values:
        raise ValueError(f"unknown funder kind {kind}")
    return Funder.objects.create(name=name, kind=kind, reference=reference, headcount=headcount)


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def funder_api_key_issue(*, funder: Funder) -> str:
    """A new API key for the funder (shown once; only its hash is stored)."""
    key = "fnd_" + secrets.token_urlsafe(32)
    funder.api_key_hash = api_key_hash(key)
    funder.save(update_fields=["api_key_hash"])
    return key


def topup_add(
    *,
    funder: Funder,
    nir: str,
    birth_name: str,
    amount_cents: int | None,
    idempotency_key: str,
    certification_code: str = "",
    corrective: bool = False,
    actor: Any = None,
) -> tuple[LedgerTransaction, bool]:
    """A funder adds money for a holder (NIR + birth name), optionally earmarked to one certification.

    `corrective=True` posts the corrective top-up (its amount is the dated parameter; only employers of 50+).
    Returns (transaction, created); the same idempotency key for the same funder never posts twice.
    """
    compact = nir_lib.validate(nir)
    nir_hash = nir_lib.nir_hash(compact)
    known = Holder.objects.filter(nir_hash=nir_hash).values_list("birth_name", flat=True).first()
    if known is not None and _normalise_name(known) != _normalise_name(birth_name):
        raise HolderMismatch()
    if corrective:
        if funder.kind != FunderKind.EMPLOYER or (funder.headcount is not None and funder.headcount < 50):
            raise CorrectiveTopupNotOwed()
        amount_cents = param("corrective_topup_cents", on=clock.today())
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise InvalidAmountForRights()
    certification_code = (certification_code or "").strip().upper()
    if certification_code and not Certification.objects.filter(code=certification_code).exists():
        raise UnknownCertification()
    with transaction.atomic():
        pool = holder_account(AccountKind.TOPUP, nir_hash, funder_id=funder.pk, certification_code=certification_code)
        source = platform_account(AccountKind.FUNDER, funder.reference)
        kind = TransactionKind.CORRECTIVE_TOPUP if corrective else TransactionKind.TOPUP
        label = ("Abondement correctif" if corrective else "Abondement") + f" de {funder.name}"
        if certification_code:
            label += f" (fléché {certification_code})"
        txn, created = post(
            key=f"topup:{funder.pk}:{idempotency_key}",
            kind=kind,
            lines=[(source, -amount_cents), (pool, amount_cents)],
            reference=funder.reference,
            label=label,
            actor=actor,
        )
        if created:
            audit_record(
                action="rights.topup",
                actor=actor,
                obj=txn,
                data={"funder": funder.pk, "amount_cents": amount_cents, "earmark": certification_code},
            )
        return txn, created


def dif_claim_submit(*, nir_hash: str, hours: int, proof: File) -> DifClaim:
    """The holder declares legacy DIF hours with a proof; once (a refused claim may be declared again)."""
    if not isinstance(hours, int) or not 1 <= hours <= MAX_DIF_DECLARED_HOURS:
        raise DifInvalidHours()
    if DifClaim.objects.filter(nir_hash=nir_hash, status__in=[DifStatus.PENDING, DifStatus.ACCEPTED]).exists():
        raise DifAlreadyClaimed()
    try:
        with transaction.atomic():
            claim = DifClaim(nir_hash=nir_hash, hours=hours, submitted_at=clock.now())
            claim.proof.save(proof.name or "justificatif", proof, save=False)
            claim.save()
    except IntegrityError as exc:
        raise DifAlreadyClaimed() from exc
    return claim


def dif_claim_decide(*, claim_id: int, agent: Any, accept: bool, reason: str = "") -> DifClaim:
    """An agent accepts (credit 15 €/h, 120 h at most, once per holder) or refuses a DIF claim."""
    with transaction.atomic():
        claim = DifClaim.objects.select_for_update(of=("self",)).filter(pk=claim_id).first()
        if claim is None or claim.status != DifStatus.PENDING:
            raise DifClaimClosed()
        today = clock.today()
        claim.decided_at = clock.now()
        claim.decided_by = agent
        claim.decision_reason = reason[:300]
        if accept:
            hours = min(claim.hours, param("dif_max_hours", on=today))
            amount = hours * param("dif_hour_value_cents", on=today)
            post(
                key=f"dif:{claim.nir_hash}",
                kind=TransactionKind.DIF,
                lines=[
                    (platform_account(AccountKind.OPERATOR_FUNDING, "dif"), -amount),
                    (holder_account(AccountKind.DIF, claim.nir_hash), amount),
                ],
                reference=f"dif-{claim.pk}",
                label=f"Reprise de {hours} heures DIF",
                actor=agent,
            )
            claim.status = DifStatus.ACCEPTED
            claim.credited_cents = amount
        else:
            claim.status = DifStatus.REFUSED
        claim.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "credited_cents"])
        audit_record(action=f"rights.dif.{claim.status}", actor=agent, obj=claim, reason=reason)
        return claim
