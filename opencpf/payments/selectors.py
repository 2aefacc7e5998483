"""Reads of the payments domain: a provider's amounts due, held and paid; runs; pending bank-detail changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum

from opencpf.catalogue.models import Provider
from opencpf.enrolment.enums import ControlState
from opencpf.enrolment.models import Dossier
from opencpf.payments.bank_details import active_bank_account, payments_held_reason
from opencpf.payments.holds import held_dossier_ids, held_provider_ids, holds_for
from opencpf.payments.models import (
    BankAccountStatus,
    PaymentItemKind,
    PaymentLine,
    PaymentRun,
    PaymentRunState,
    PaymentStatusReport,
    ProviderBankAccount,
    ProviderRecovery,
)
from opencpf.payments.runs import in_a_run, owed_cents, payable_advance_filter, payable_balance_filter

HELD_LIST_LIMIT = 200


@dataclass
class PayableDossier:
    dossier: Dossier
    kind: str  # PaymentItemKind
    amount_cents: int
    reasons: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(PaymentItemKind(self.kind).label)


@dataclass
class ProviderPayments:
    due_cents: int  # payable at the next run
    held_cents: int  # payable but held (reasons per dossier)
    held: list[PayableDossier]
    provider_reason: str | None  # no bank account, IBAN change: holds every payment
    in_progress_cents: int  # in a run not confirmed by the bank yet
    paid_cents: int  # in runs confirmed by the bank
    recovery_cents: int  # still to be offset on next payments
    lines: list[PaymentLine]
    rejected_cents: int = 0  # transfers the bank rejected (the dossiers are payable again)


def provider_payable(provider: Provider) -> list[PayableDossier]:
    """Every dossier amount of the provider that a run would pay now or once its holds are lifted."""
    out: list[PayableDossier] = []
    advances = Dossier.objects.filter(payable_advance_filter(), provider=provider).exclude(
        in_a_run(PaymentItemKind.ADVANCE)
    )
    for d in advances.order_by("id"):
        out.append(PayableDossier(d, PaymentItemKind.ADVANCE, d.advance_cents))
    balances = Dossier.objects.filter(payable_balance_filter(), provider=provider).exclude(
        in_a_run(PaymentItemKind.BALANCE)
    )
    for d in balances.order_by("id"):
        owed = owed_cents(state=d.state, due_cents=d.due_cents, compensation_cents=d.compensation_cents)
        out.append(PayableDossier(d, PaymentItemKind.BALANCE, max(owed - d.paid_cents, 0)))
    return out


def provider_payments(provider: Provider) -> ProviderPayments:
    payable = provider_payable(provider)
    provider_reason = payments_held_reason(provider)
    provider_held = provider.pk in held_provider_ids()
    held_dossiers = held_dossier_ids()
    due = held = 0
    held_list: list[PayableDossier] = []
    for item in payable:
        d = item.dossier
        if provider_held or d.pk in held_dossiers or d.control_state == ControlState.IN_CONTROL:
            # The French reasons, read only for held dossiers that are listed.
            item.reasons = holds_for(d) if len(held_list) < HELD_LIST_LIMIT else ["Paiement bloqué"]
        if provider_reason and not item.reasons:
            item.reasons = [provider_reason]
        if item.reasons:
            held += item.amount_cents
            if len(held_list) < HELD_LIST_LIMIT:
                held_list.append(item)
        else:
            due += item.amount_cents
    lines = list(provider_payment_lines(provider)[:100])
    totals = dict(
        PaymentLine.objects.filter(provider=provider, rejected_at__isnull=True)
        .values_list("run__state")
        .annotate(total=Sum("amount_cents"))
        .values_list("run__state", "total")
    )
    paid = int(totals.get(PaymentRunState.CONFIRMED, 0) or 0)
    in_progress = sum(int(v or 0) for k, v in totals.items() if k != PaymentRunState.CONFIRMED)
    recovery = sum(r.outstanding_cents for r in ProviderRecovery.objects.filter(provider=provider))
    rejected = PaymentLine.objects.filter(provider=provider, rejected_at__isnull=False).aggregate(s=Sum("amount_cents"))
    return ProviderPayments(
        due, held, held_list, provider_reason, in_progress, paid, recovery, lines, int(rejected["s"] or 0)
    )


def provider_payment_lines(provider: Provider) -> QuerySet[PaymentLine]:
    return (
        PaymentLine.objects.filter(provider=provider)
        .select_related("run")
        .annotate(dossier_count=Count("items"))
        .order_by("-run__created_at", "-id")
    )


def provider_payment_line(provider: Provider, line_id: int) -> PaymentLine | None:
    return (
        PaymentLine.objects.filter(provider=provider, pk=line_id)
        .select_related("run", "provider")
        .prefetch_related("items__dossier__training", "deductions__recovery")
        .first()
    )


def payment_runs() -> QuerySet[PaymentRun]:
    return PaymentRun.objects.defer("file_xml").order_by("-created_at", "-id")


def payment_run_detail(run_id: int) -> tuple[PaymentRun | None, list[Any]]:
    run = PaymentRun.objects.defer("file_xml").filter(pk=run_id).first()
    if run is None:
        return None, []
    lines = list(
        PaymentLine.objects.filter(run=run).select_related("provider").annotate(dossier_count=Count("items"))[:1000]
    )
    return run, lines


def run_status_reports(run: PaymentRun) -> QuerySet[PaymentStatusReport]:
    """The bank's status reports imported on a run (without the files)."""
    return PaymentStatusReport.objects.filter(run=run).defer("content").select_related("imported_by")


def pending_bank_changes() -> QuerySet[ProviderBankAccount]:
    return (
        ProviderBankAccount.objects.filter(status=BankAccountStatus.PENDING)
        .select_related("provider", "requested_by")
        .order_by("requested_at")
    )


def current_bank_account(provider: Provider) -> ProviderBankAccount | None:
    return active_bank_account(provider)


def pending_bank_change(provider: Provider) -> ProviderBankAccount | None:
    return ProviderBankAccount.objects.filter(provider=provider, status=BankAccountStatus.PENDING).first()
