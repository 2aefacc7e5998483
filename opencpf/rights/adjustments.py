"""Corrections of a holder's rights by agents (two-person rule) and refunds decided after a dispute.

Both post through `ledger.post` with a key derived from their own row (`adjustment:<id>`,
`dispute_refund:<key>`), so a retried approval or decision never moves money twice.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Sum

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.rights.enums import ADJUSTABLE_KINDS, AccountKind, AdjustmentStatus, ReservationStatus, TransactionKind
from opencpf.rights.exceptions import (
    AdjustmentClosed,
    AdjustmentInvalid,
    AdjustmentNotAllowed,
    AdjustmentOwnProposal,
    RefundInvalid,
    ReservationNotFound,
)
from opencpf.rights.ledger import Line, PlatformRef, holder_account, post, with_platform_accounts
from opencpf.rights.models import Account, Adjustment, LedgerTransaction, Reservation

ADJUSTMENTS_SOURCE = "adjustments"  # the operator's funding account that corrections come from and go back to
MAX_ADJUSTMENT_CENTS = 10_000_000  # a typing guard (100 000 €), not a rule of law


def _is_agent_with(user: Any, perm: str) -> bool:
    return getattr(user, "kind", None) == "agent" and bool(user.is_active) and bool(user.has_perm(perm))


@transaction.atomic
def adjustment_propose(*, holder: Any, agent: Any, account_kind: str, amount_cents: int, reason: str) -> Adjustment:
    """An agent proposes to add (positive) or withdraw (negative) an amount on a holder's rights or DIF account."""
    if not _is_agent_with(agent, "rights.propose_adjustment"):
        raise AdjustmentNotAllowed()
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise AdjustmentInvalid("Indiquez le motif de la régularisation (au moins 5 caractères).")
    if account_kind not in ADJUSTABLE_KINDS:
        raise AdjustmentInvalid("Choisissez le compte à régulariser : droits CPF ou heures DIF.")
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents == 0:
        raise AdjustmentInvalid("Le montant doit être différent de zéro.")
    if abs(amount_cents) > MAX_ADJUSTMENT_CENTS:
        raise AdjustmentInvalid("Le montant est trop élevé pour une régularisation.")
    adjustment = Adjustment.objects.create(
        nir_hash=holder.nir_hash,
        holder=holder,
        account_kind=account_kind,
        amount_cents=amount_cents,
        reason=reason[:500],
        proposed_by=agent,
        proposed_at=clock.now(),
    )
    audit_record(
        action="rights.adjustment.proposed",
        actor=agent,
        obj=adjustment,
        reason=reason,
        data={"amount_cents": amount_cents, "account": account_kind},
    )
    return adjustment


def adjustment_decide(*, adjustment_id: int, agent: Any, approve: bool, reason: str = "") -> Adjustment:
    """Another agent approves (the movement is posted, keyed by the adjustment) or refuses a pending proposal."""
    if not _is_agent_with(agent, "rights.approve_adjustment"):
        raise AdjustmentNotAllowed()

    def run() -> Adjustment:
        with transaction.atomic():
            adjustment = Adjustment.objects.select_for_update(of=("self",)).filter(pk=adjustment_id).first()
            if adjustment is None or adjustment.status != AdjustmentStatus.PENDING:
                raise AdjustmentClosed()
            if adjustment.proposed_by_id == agent.pk:
                raise AdjustmentOwnProposal()
            if not approve and len((reason or "").strip()) < 5:
                raise AdjustmentInvalid("Indiquez le motif du refus (au moins 5 caractères).")
            if approve:
                account = holder_account(adjustment.account_kind, adjustment.nir_hash)
                amount = adjustment.amount_cents
                txn, _ = post(
                    key=f"adjustment:{adjustment.pk}",
                    kind=TransactionKind.ADJUSTMENT,
                    lines=[(PlatformRef(AccountKind.OPERATOR_FUNDING, ADJUSTMENTS_SOURCE), -amount), (account, amount)],
                    reference=f"regularisation-{adjustment.pk}",
                    label=f"Régularisation : {adjustment.reason}"[:200],
                    actor=agent,
                )
                adjustment.transaction = txn
                adjustment.status = AdjustmentStatus.APPROVED
            else:
                adjustment.status = AdjustmentStatus.REFUSED
            adjustment.decided_by = agent
            adjustment.decided_at = clock.now()
            adjustment.decision_reason = (reason or "").strip()[:500]
            adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "transaction"])
            audit_record(
                action=f"rights.adjustment.{adjustment.status}",
                actor=agent,
                obj=adjustment,
                reason=reason,
                data={"amount_cents": adjustment.amount_cents},
            )
            return adjustment

    return with_platform_accounts(run)


def refunded_cents(order_ref: str) -> int:
    total = LedgerTransaction.objects.filter(kind=TransactionKind.DISPUTE_REFUND, reference=order_ref).aggregate(
        s=Sum("amount_cents")
    )["s"]
    return int(total or 0)


def dispute_refund(*, order_ref: str, amount_cents: int, key: str, actor: Any, label: str = "") -> LedgerTransaction:
    """Give back to the holder's accounts (last used first) part of what was debited for an order: the money
    comes from what the operator owes the provider (PROVIDER_PAYABLE). Idempotent on `key`; the total refunded
    never exceeds the captured amount."""
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise RefundInvalid("Le montant à rembourser doit être positif.")

    def run() -> LedgerTransaction:
        with transaction.atomic():
            reservation = Reservation.objects.select_for_update(of=("self",)).filter(order_ref=order_ref).first()
            if reservation is None:
                raise ReservationNotFound()
            known = LedgerTransaction.objects.filter(idempotency_key=f"dispute_refund:{key}").first()
            if known is not None:
                return known
            if reservation.status != ReservationStatus.CAPTURED:
                raise RefundInvalid("Rien n'a encore été débité pour ce dossier : annulez-le plutôt.")
            if refunded_cents(order_ref) + amount_cents > reservation.captured_cents:
                raise RefundInvalid()
            lines: list[Line] = [(PlatformRef(AccountKind.PROVIDER_PAYABLE, reservation.provider_ref), -amount_cents)]
            rest = amount_cents
            for alloc in reversed(reservation.allocations):
                if rest <= 0:
                    break
                back = min(rest, int(alloc["amount_cents"]))
                kind = (
                    AccountKind.RIGHTS
                    if alloc["category"] == "rights"
                    else (AccountKind.DIF if alloc["category"] == "dif" else AccountKind.TOPUP)
                )
                lines.append((Account(pk=alloc["account"], kind=kind), back))
                rest -= back
            if rest > 0:
                raise RefundInvalid()
            txn, _ = post(
                key=f"dispute_refund:{key}",
                kind=TransactionKind.DISPUTE_REFUND,
                lines=lines,
                reference=order_ref,
                label=label or f"Remboursement après litige, dossier {order_ref}",
                actor=actor,
            )
            audit_record(
                action="rights.dispute_refund",
                actor=actor,
                obj=txn,
                data={"order": order_ref, "amount_cents": amount_cents},
            )
            return txn

    return with_platform_accounts(run)
