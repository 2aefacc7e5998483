"""Payments endpoints for providers' software (provider API key): amounts due, held, paid, and transfers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from opencpf.api.auth import provider_key_auth
from opencpf.payments import selectors

router = Router(auth=provider_key_auth)


class HeldOut(Schema):
    dossier_number: str
    kind: str
    amount_cents: int
    reasons: list[str]


class PaymentItemOut(Schema):
    dossier_number: str
    kind: str
    amount_cents: int


class TransferOut(Schema):
    end_to_end_id: str
    run_reference: str
    run_state: str
    execution_date: dt.date
    gross_cents: int
    recovered_cents: int
    amount_cents: int
    rejected_at: dt.datetime | None = None  # the bank rejected the transfer: its dossiers are payable again
    rejection_code: str = ""  # ISO 20022 reason code (e.g. AC04)
    rejection_label: str = ""  # the reason, in French
    items: list[PaymentItemOut]


class PaymentsOut(Schema):
    due_cents: int
    held_cents: int
    in_progress_cents: int
    paid_cents: int
    recovery_cents: int
    rejected_cents: int
    provider_hold_reason: str | None
    held: list[HeldOut]
    transfers: list[TransferOut]


@router.get("/provider/payments", response=PaymentsOut, summary="Paiements de l'organisme (dû, bloqué, versé)")
def provider_payments(request: HttpRequest) -> Any:
    provider = request.provider  # type: ignore[attr-defined]
    summary = selectors.provider_payments(provider)
    lines = list(selectors.provider_payment_lines(provider).prefetch_related("items__dossier")[:100])
    return {
        "due_cents": summary.due_cents,
        "held_cents": summary.held_cents,
        "in_progress_cents": summary.in_progress_cents,
        "paid_cents": summary.paid_cents,
        "recovery_cents": summary.recovery_cents,
        "rejected_cents": summary.rejected_cents,
        "provider_hold_reason": summary.provider_reason,
        "held": [
            {"dossier_number": h.dossier.number, "kind": h.kind, "amount_cents": h.amount_cents, "reasons": h.reasons}
            for h in summary.held
        ],
        "transfers": [
            {
                "end_to_end_id": line.end_to_end_id,
                "run_reference": line.run.reference,
                "run_state": line.run.state,
                "execution_date": line.run.execution_date,
                "gross_cents": line.gross_cents,
                "recovered_cents": line.recovered_cents,
                "amount_cents": line.amount_cents,
                "rejected_at": line.rejected_at,
                "rejection_code": line.rejection_code,
                "rejection_label": line.rejection_label,
                "items": [
                    {"dossier_number": i.dossier.number, "kind": i.kind, "amount_cents": i.amount_cents}
                    for i in line.items.all()
                ],
            }
            for line in lines
        ],
    }
