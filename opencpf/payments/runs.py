"""Payment runs: pay providers what validated dossiers (and advances) are owed, in small committed steps.

1. plan (one transaction): select every payable dossier not held, one item per dossier amount (advance or
   balance; unique per dossier and kind), one line per provider less its outstanding recoveries, dossiers'
   `paid_cents` raised. At most one run is `planned`: a re-run resumes it instead of planning another.
2. ledger (one transaction per chunk of lines): each line posted once, key `payment:<line key>`, and marked.
3. file (one transaction): the pain.001 file written from the stored lines only (same bytes every time),
   dossiers moved toBill -> billed and depositWait -> depositPaid, run -> file_generated.
Then a payment officer marks the run sent, and confirmed (billed -> paid).

Killing the process anywhere leaves either nothing (a step's transaction rolled back) or a committed step that
the next run continues; the unique (dossier, kind) item and the ledger keys make a second payment impossible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q

from opencpf.catalogue.models import Provider
from opencpf.core import calendar, clock
from opencpf.core.audit import audit_record
from opencpf.enrolment.enums import BillingState, CancellationOutcome, ControlState, DossierState
from opencpf.enrolment.models import Dossier
from opencpf.payments import sepa
from opencpf.payments.advice import notify_run_confirmed
from opencpf.payments.exceptions import PaymentRunStateError
from opencpf.payments.holds import held_dossier_ids, held_provider_ids
from opencpf.payments.models import (
    BankAccountStatus,
    HoldSource,
    PaymentItem,
    PaymentItemKind,
    PaymentLine,
    PaymentRun,
    PaymentRunState,
    ProviderBankAccount,
    ProviderRecovery,
    RecoveryDeduction,
)
from opencpf.rights.enums import AccountKind, TransactionKind
from opencpf.rights.ledger import PlatformRef, platform_account, post

LEDGER_CHUNK = 200
RECOVERIES_REF = "provider_recoveries"  # operator_funding account that receives sanctions recovered on payments
CRASH_ENV = "OPENCPF_PAYMENT_RUN_CRASH_AT"  # tests only: SIGKILL this process at the named checkpoint

# Why a payable dossier is left out of a run (French, shown to agents and in the command's output).
SKIP_DOSSIER_HOLD = "Blocage de paiement sur le dossier"
SKIP_PROVIDER_HOLD = "Blocage de paiement sur l'organisme"
SKIP_CONTROL = "Contrôle en cours sur le dossier"
SKIP_NO_ACCOUNT = "Aucune coordonnée bancaire validée"
SKIP_IBAN_CHANGE = "Changement récent de coordonnées bancaires"


def _checkpoint(name: str) -> None:
    """Crash-test hook: with OPENCPF_PAYMENT_RUN_CRASH_AT=<name>, die here as a `kill -9` would."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _throttle() -> None:
    pause = int(os.environ.get("OPENCPF_PAYMENT_RUN_THROTTLE_MS", "0") or 0)
    if pause:
        time.sleep(pause / 1000)


@dataclass
class RunOutcome:
    runs: list[PaymentRun] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def _debtor() -> sepa.Debtor:
    return sepa.Debtor(
        name=settings.PAYMENTS_DEBTOR_NAME, iban=settings.PAYMENTS_DEBTOR_IBAN, bic=settings.PAYMENTS_DEBTOR_BIC
    )


def payable_balance_filter() -> Q:
    """Dossiers whose balance is payable: service done validated, or a late cancellation's compensation."""
    return Q(billing_state=BillingState.TO_BILL) & (
        Q(state=DossierState.SERVICE_DONE_VALIDATED)
        | Q(cancellation_outcome=CancellationOutcome.FORFEIT, compensation_cents__gt=0)
    )


def payable_advance_filter() -> Q:
    return Q(billing_state=BillingState.DEPOSIT_WAIT, advance_cents__gt=0)


def in_a_run(kind: str) -> Exists:
    """The dossier's amount of this kind is in a run (an item the bank returned does not count)."""
    return Exists(PaymentItem.objects.filter(dossier=OuterRef("pk"), kind=kind, returned_at__isnull=True))


def owed_cents(*, state: str, due_cents: int, compensation_cents: int) -> int:
    """The total owed to the provider for a dossier whose balance is payable."""
    return due_cents if state == DossierState.SERVICE_DONE_VALIDATED else compensation_cents


def _skip_reason(
    dossier_id: int,
    provider_id: int,
    control_state: str,
    *,
    held_dossiers: set[int],
    held_providers: set[int],
    accounts: dict[int, ProviderBankAccount],
    now: dt.datetime,
) -> str | None:
    if dossier_id in held_dossiers:
        return SKIP_DOSSIER_HOLD
    if provider_id in held_providers:
        return SKIP_PROVIDER_HOLD
    if control_state == ControlState.IN_CONTROL:
        return SKIP_CONTROL
    account = accounts.get(provider_id)
    if account is None:
        return SKIP_NO_ACCOUNT
    if account.payments_held_until and account.payments_held_until > now:
        return SKIP_IBAN_CHANGE
    return None


def _new_reference(today: dt.date) -> str:
    prefix = f"PR{today:%Y%m%d}"
    count = PaymentRun.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}-{count + 1:03d}"


def plan_run(*, by: Any = None, execution_date: dt.date | None = None) -> tuple[PaymentRun | None, dict[str, int]]:
    """Step 1: one transaction. Returns (run or None when nothing is payable, skipped counts by reason)."""
    with transaction.atomic():
        now = clock.now()
        today = now.date()
        # Creating the run row first serialises planners (unique "one planned run" index).
        try:
            with transaction.atomic():
                run = PaymentRun.objects.create(
                    reference=_new_reference(today),
                    execution_date=execution_date or calendar.add_business_days(today, 1),
                    created_at=now,
                    created_by=by if getattr(by, "pk", None) else None,
                )
        except IntegrityError:
            raise PaymentRunStateError("Une campagne de paiement est déjà en préparation : réessayez.") from None
        held_dossiers, held_providers = held_dossier_ids(), held_provider_ids()
        accounts = {
            a.provider_id: a
            for a in ProviderBankAccount.objects.filter(status=BankAccountStatus.ACTIVE).only(
                "provider_id", "iban", "bic", "account_holder", "payments_held_until"
            )
        }
        fields = ("id", "provider_id", "number", "state", "control_state", "due_cents", "compensation_cents")
        advances = (
            Dossier.objects.select_for_update(of=("self",))
            .filter(payable_advance_filter())
            .exclude(in_a_run(PaymentItemKind.ADVANCE))
            .order_by("id")
            .values_list(*fields, "advance_cents")
        )
        balances = (
            Dossier.objects.select_for_update(of=("self",))
            .filter(payable_balance_filter())
            .exclude(in_a_run(PaymentItemKind.BALANCE))
            .order_by("id")
            .values_list(*fields, "paid_cents")
        )
        skipped: Counter[str] = Counter()
        # provider_id -> [(dossier_id, kind, amount)]
        items: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
        excess: list[ProviderRecovery] = []
        for kind, rows in ((PaymentItemKind.ADVANCE, advances), (PaymentItemKind.BALANCE, balances)):
            for dossier_id, provider_id, number, state, control, due, compensation, extra in rows:
                why = _skip_reason(
                    dossier_id,
                    provider_id,
                    control,
                    held_dossiers=held_dossiers,
                    held_providers=held_providers,
                    accounts=accounts,
                    now=now,
                )
                if why:
                    skipped[why] += 1
                    continue
                if kind == PaymentItemKind.ADVANCE:
                    amount = extra
                else:
                    amount = owed_cents(state=state, due_cents=due, compensation_cents=compensation) - extra
                    if amount < 0:  # the advance paid exceeds what is owed: the provider owes the difference
                        excess.append(
                            ProviderRecovery(
                                provider_id=provider_id,
                                key=f"advance-excess:{number}",
                                amount_cents=-amount,
                                source=HoldSource.ADVANCE,
                                source_ref=number,
                                dossier_id=dossier_id,
                                reason=f"Avance versée supérieure au montant dû pour le dossier {number}",
                                created_at=now,
                            )
                        )
                        amount = 0
                items[provider_id].append((dossier_id, kind, amount))
        if not items:
            transaction.set_rollback(True)
            return None, dict(skipped)
        _checkpoint("plan_selected")
        ProviderRecovery.objects.bulk_create(excess, batch_size=2000)

        sirets = dict(Provider.objects.filter(pk__in=items).values_list("pk", "siret"))
        recoveries: dict[int, list[ProviderRecovery]] = defaultdict(list)
        for recovery in (
            ProviderRecovery.objects.select_for_update()
            .filter(provider_id__in=items, recovered_cents__lt=F("amount_cents"))
            .order_by("created_at", "id")
        ):
            recoveries[recovery.provider_id].append(recovery)
        lines: list[PaymentLine] = []
        deductions: list[tuple[int, ProviderRecovery, int]] = []  # (provider_id, recovery, amount)
        for provider_id in sorted(items):
            gross = sum(amount for _, _, amount in items[provider_id])
            remaining = gross
            for recovery in recoveries.get(provider_id, []):
                take = min(recovery.outstanding_cents, remaining)
                if take > 0:
                    recovery.recovered_cents += take
                    remaining -= take
                    deductions.append((provider_id, recovery, take))
            account = accounts[provider_id]
            key = f"{run.reference}:{sirets[provider_id]}"
            lines.append(
                PaymentLine(
                    run=run,
                    provider_id=provider_id,
                    key=key,
                    end_to_end_id=f"{run.reference}-{provider_id}",
                    gross_cents=gross,
                    recovered_cents=gross - remaining,
                    amount_cents=remaining,
                    iban=account.iban,
                    bic=account.bic,
                    account_holder=account.account_holder,
                )
            )
        PaymentLine.objects.bulk_create(lines, batch_size=2000)
        line_of = {line.provider_id: line for line in lines}
        PaymentItem.objects.bulk_create(
            (
                PaymentItem(line=line_of[p], run=run, dossier_id=d, kind=k, amount_cents=a)
                for p, rows in items.items()
                for d, k, a in rows
            ),
            batch_size=5000,
        )
        RecoveryDeduction.objects.bulk_create(
            [RecoveryDeduction(line=line_of[p], recovery=r, amount_cents=a) for p, r, a in deductions]
        )
        touched = {r.pk: r for _, r, _ in deductions}
        ProviderRecovery.objects.bulk_update(list(touched.values()), ["recovered_cents"], batch_size=1000)
        _raise_paid_cents(run)
        run.line_count = len(lines)
        run.item_count = sum(len(rows) for rows in items.values())
        run.total_cents = sum(line.amount_cents for line in lines)
        run.skipped = dict(skipped)
        run.save(update_fields=["line_count", "item_count", "total_cents", "skipped"])
        _checkpoint("plan_before_commit")
    _checkpoint("plan_committed")
    audit_record(actor=by, action="payments.run_planned", obj=run, data={"lines": run.line_count})
    return run, dict(skipped)


def _raise_paid_cents(run: PaymentRun) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE enrolment_dossier d SET paid_cents = d.paid_cents + s.total FROM ("
                " SELECT dossier_id, SUM(amount_cents) AS total FROM payments_paymentitem WHERE run_id = %s "
                " GROUP BY dossier_id) s WHERE d.id = s.dossier_id",
                [run.pk],
            )
        else:
            cursor.execute(
                "UPDATE enrolment_dossier SET paid_cents = paid_cents + (SELECT SUM(i.amount_cents) "
                "FROM payments_paymentitem i WHERE i.dossier_id = enrolment_dossier.id AND i.run_id = %s) "
                "WHERE id IN (SELECT dossier_id FROM payments_paymentitem WHERE run_id = %s)",
                [run.pk, run.pk],
            )


def post_run_ledger(run: PaymentRun) -> int:
    """Step 2: post every line not posted yet (key `payment:<line key>`), chunk by chunk. Returns lines posted."""
    paid = PlatformRef(AccountKind.PROVIDER_PAID, "")
    recovered = PlatformRef(AccountKind.OPERATOR_FUNDING, RECOVERIES_REF)
    platform_account(paid.kind, paid.reference)
    platform_account(recovered.kind, recovered.reference)
    # Sanctions and other recoveries are kept by the operator; advance excesses are already a negative payable.
    sanctions: dict[int, int] = defaultdict(int)
    for line_id, source, amount in RecoveryDeduction.objects.filter(line__run=run).values_list(
        "line_id", "recovery__source", "amount_cents"
    ):
        if source != HoldSource.ADVANCE:
            sanctions[line_id] += amount
    posted = 0
    while True:
        size = int(os.environ.get("OPENCPF_PAYMENT_RUN_LEDGER_CHUNK") or LEDGER_CHUNK)
        chunk = list(
            PaymentLine.objects.filter(run=run, ledger_posted_at__isnull=True)
            .select_related("provider")
            .order_by("id")[:size]
        )
        if not chunk:
            break
        for line in chunk:
            platform_account(AccountKind.PROVIDER_PAYABLE, line.provider.siret)
        with transaction.atomic():
            for line in chunk:
                kept = sanctions.get(line.pk, 0)
                entries = [
                    (PlatformRef(AccountKind.PROVIDER_PAYABLE, line.provider.siret), -(line.amount_cents + kept)),
                    (paid, line.amount_cents),
                    (recovered, kept),
                ]
                if line.amount_cents + kept:
                    post(
                        key=f"payment:{line.key}",
                        kind=TransactionKind.PROVIDER_PAYMENT,
                        lines=[(account, amount) for account, amount in entries if amount],
                        reference=line.end_to_end_id,
                        label=f"Virement {run.reference} à {line.provider.name}"[:200],
                    )
                _checkpoint(f"ledger_line_{posted}")
                posted += 1
                _throttle()
            PaymentLine.objects.filter(pk__in=[line.pk for line in chunk]).update(ledger_posted_at=clock.now())
        _checkpoint(f"ledger_chunk_committed_{posted}")
    if run.ledger_posted_at is None:
        PaymentRun.objects.filter(pk=run.pk, ledger_posted_at__isnull=True).update(ledger_posted_at=clock.now())
        run.refresh_from_db(fields=["ledger_posted_at"])
    return posted


def run_file(run: PaymentRun) -> bytes | None:
    """The pain.001.001.09 file of a run, from its stored lines only (deterministic); None if nothing is wired."""
    lines = list(PaymentLine.objects.filter(run=run, amount_cents__gt=0).annotate(n=Count("items")).order_by("id"))
    if not lines:
        return None
    transfers = [
        sepa.Transfer(
            end_to_end_id=line.end_to_end_id,
            creditor_name=line.account_holder,
            iban=line.iban,
            bic=line.bic or None,
            amount_cents=line.amount_cents,
            remittance=f"CPF {run.reference} {line.n} dossier(s)",
        )
        for line in lines
    ]
    return sepa.build_credit_transfer(
        debtor=_debtor(),
        transfers=transfers,
        message_id=run.reference,
        payment_info_id=run.reference,
        created_at=run.created_at,
        execution_date=run.execution_date,
    )


def generate_file(run: PaymentRun) -> PaymentRun:
    """Step 3: write the file and move the dossiers' billing states (one transaction). Idempotent."""
    if run.ledger_posted_at is None:
        post_run_ledger(run)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.state != PaymentRunState.PLANNED:
            return run
        content = run_file(run)
        run.file_xml = content
        run.file_sha256 = hashlib.sha256(content).hexdigest() if content else ""
        run.file_generated_at = clock.now()
        run.state = PaymentRunState.FILE_GENERATED
        run.save(update_fields=["file_xml", "file_sha256", "file_generated_at", "state"])
        balance_ids = PaymentItem.objects.filter(run=run, kind=PaymentItemKind.BALANCE).values("dossier_id")
        advance_ids = PaymentItem.objects.filter(run=run, kind=PaymentItemKind.ADVANCE).values("dossier_id")
        Dossier.objects.filter(pk__in=balance_ids, billing_state=BillingState.TO_BILL).update(
            billing_state=BillingState.BILLED
        )
        Dossier.objects.filter(pk__in=advance_ids, billing_state=BillingState.DEPOSIT_WAIT).update(
            billing_state=BillingState.DEPOSIT_PAID
        )
        _checkpoint("file_before_commit")
    _checkpoint("file_committed")
    return run


def payment_run(*, by: Any = None, execution_date: dt.date | None = None) -> RunOutcome:
    """Finish a run left planned by a crash, then plan, post and write a new one if anything is payable."""
    outcome = RunOutcome()
    pending = PaymentRun.objects.filter(state=PaymentRunState.PLANNED).first()
    if pending is not None:
        outcome.resumed.append(pending.reference)
        outcome.runs.append(generate_file(pending))
    run, outcome.skipped = plan_run(by=by, execution_date=execution_date)
    if run is not None:
        outcome.runs.append(generate_file(run))
    return outcome


def _locked_run(reference_or_id: str | int) -> PaymentRun:
    lookup = {"pk": reference_or_id} if str(reference_or_id).isdigit() else {"reference": reference_or_id}
    run = PaymentRun.objects.select_for_update().filter(**lookup).first()
    if run is None:
        raise PaymentRunStateError("Campagne de paiement introuvable.")
    return run


@transaction.atomic
def payment_run_mark_sent(*, run: str | int, by: Any = None, request: Any = None) -> PaymentRun:
    """The file was handed to the bank. Marking a sent run again changes nothing."""
    locked = _locked_run(run)
    if locked.state in (PaymentRunState.SENT, PaymentRunState.CONFIRMED):
        return locked
    if locked.state != PaymentRunState.FILE_GENERATED:
        raise PaymentRunStateError("Le fichier de virement de cette campagne n'est pas encore généré.")
    locked.state, locked.sent_at = PaymentRunState.SENT, clock.now()
    locked.sent_by = by if getattr(by, "pk", None) else None
    locked.save(update_fields=["state", "sent_at", "sent_by"])
    audit_record(actor=by, action="payments.run_sent", obj=locked, request=request)
    return locked


@transaction.atomic
def payment_run_confirm(*, run: str | int, by: Any = None, request: Any = None) -> PaymentRun:
    """The bank executed the transfers: balances paid (billed -> paid), each provider paid gets its remittance
    advice (in-app now, email after commit). Confirming again changes nothing and sends nothing."""
    locked = _locked_run(run)
    if locked.state == PaymentRunState.CONFIRMED:
        return locked
    if locked.state != PaymentRunState.SENT:
        raise PaymentRunStateError("Seule une campagne envoyée à la banque peut être confirmée.")
    locked.state, locked.confirmed_at = PaymentRunState.CONFIRMED, clock.now()
    locked.confirmed_by = by if getattr(by, "pk", None) else None
    locked.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    balance_ids = PaymentItem.objects.filter(run=locked, kind=PaymentItemKind.BALANCE, returned_at__isnull=True).values(
        "dossier_id"
    )
    Dossier.objects.filter(pk__in=balance_ids, billing_state=BillingState.BILLED).update(
        billing_state=BillingState.PAID
    )
    # One remittance advice per provider paid: recorded with the confirmation, emailed once it commits.
    notify_run_confirmed(locked)
    audit_record(actor=by, action="payments.run_confirmed", obj=locked, request=request)
    return locked
