"""Payment runs: what is paid, once; advances, recoveries, holds; sent and confirmed; the pain.001 file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree

from opencpf.core import clock
from opencpf.enrolment.enums import BillingState, ControlState
from opencpf.enrolment.models import Dossier
from opencpf.payments import runs
from opencpf.payments.exceptions import PaymentRunStateError
from opencpf.payments.holds import lift_hold, place_hold
from opencpf.payments.models import (
    HoldSource,
    PaymentItem,
    PaymentItemKind,
    PaymentLine,
    PaymentRun,
    PaymentRunState,
    ProviderRecovery,
)
from opencpf.rights.enums import AccountKind
from opencpf.rights.selectors import ledger_verify
from tests.enrolment.conftest import account_total
from tests.payments.helpers import AFTER, advance_waiting, bank_account, entered, provider_with_staff, validated

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"
XSD = Path(settings.BASE_DIR).parent / "shared" / "data" / "sepa" / "pain.001.001.09.xsd"


def state(*dossiers: Dossier) -> list[tuple]:
    return [
        tuple(Dossier.objects.filter(pk=d.pk).values_list("billing_state", "paid_cents", "advance_cents").get())
        for d in dossiers
    ]


def test_run_pays_every_validated_dossier_once(buyer, staff, provider):
    bank_account(provider, staff)
    first = validated(entered(buyer, staff, provider))
    second = validated(entered(buyer, staff, provider, price=80_000), due=60_000)
    in_training = entered(buyer, staff, provider)
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 380_000

    outcome = runs.payment_run()
    (run,) = outcome.runs
    assert run.state == PaymentRunState.FILE_GENERATED and run.reference == "PR20260601-001"
    assert run.execution_date == dt.date(2026, 6, 2)
    line = PaymentLine.objects.get(run=run)
    assert (line.gross_cents, line.recovered_cents, line.amount_cents) == (210_000, 0, 210_000)
    assert line.end_to_end_id == f"{run.reference}-{provider.pk}" and line.ledger_posted_at is not None
    assert state(first, second, in_training) == [
        (BillingState.BILLED, 150_000, 0),
        (BillingState.BILLED, 60_000, 0),
        (BillingState.NOT_BILLABLE, 0, 0),
    ]
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 380_000 - 210_000
    assert account_total(AccountKind.PROVIDER_PAID) == 210_000
    assert ledger_verify() == []

    # A second run finds nothing; the database refuses a second balance item for a dossier.
    again = runs.payment_run()
    assert again.runs == [] and PaymentRun.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentItem.objects.create(line=line, run=run, dossier=first, kind=PaymentItemKind.BALANCE, amount_cents=1)
    assert account_total(AccountKind.PROVIDER_PAID) == 210_000


def test_sent_then_confirmed_marks_dossiers_paid(buyer, staff, provider, agent):
    bank_account(provider, staff)
    dossier = validated(entered(buyer, staff, provider))
    (run,) = runs.payment_run().runs
    before = state(dossier)
    with pytest.raises(PaymentRunStateError):
        runs.payment_run_confirm(run=run.reference)
    assert state(dossier) == before and PaymentRun.objects.get().state == PaymentRunState.FILE_GENERATED
    runs.payment_run_mark_sent(run=run.reference, by=agent)
    runs.payment_run_mark_sent(run=run.reference, by=agent)  # idempotent
    confirmed = runs.payment_run_confirm(run=run.pk, by=agent)
    assert confirmed.state == PaymentRunState.CONFIRMED and confirmed.confirmed_by == agent
    assert state(dossier) == [(BillingState.PAID, 150_000, 0)]
    with pytest.raises(PaymentRunStateError):
        runs.payment_run_confirm(run="PR-unknown")


def test_advance_then_balance_and_advance_excess_recovered_on_next_payment(buyer, staff, provider):
    bank_account(provider, staff)
    long_one = advance_waiting(entered(buyer, staff, provider), advance=45_000)
    (run1,) = runs.payment_run().runs
    assert state(long_one) == [(BillingState.DEPOSIT_PAID, 45_000, 45_000)]
    assert PaymentItem.objects.get(run=run1).kind == PaymentItemKind.ADVANCE
    assert runs.payment_run().runs == []  # the advance is paid once

    # The holder abandoned: 25 % of the price is owed, less than the advance paid. Another dossier is validated.
    validated(long_one, due=37_500)
    other = validated(entered(buyer, staff, provider, price=100_000))
    (run2,) = runs.payment_run().runs
    recovery = ProviderRecovery.objects.get(key=f"advance-excess:{long_one.number}")
    assert (recovery.amount_cents, recovery.recovered_cents, recovery.source) == (7_500, 7_500, HoldSource.ADVANCE)
    line = PaymentLine.objects.get(run=run2)
    assert (line.gross_cents, line.recovered_cents, line.amount_cents) == (100_000, 7_500, 92_500)
    assert state(long_one, other) == [(BillingState.BILLED, 45_000, 45_000), (BillingState.BILLED, 100_000, 0)]
    assert PaymentItem.objects.get(run=run2, dossier=long_one).amount_cents == 0
    # Money out: advance 45 000 + 92 500; what the provider owes back was offset, not wired.
    assert account_total(AccountKind.PROVIDER_PAID) == 137_500
    assert ledger_verify() == []


def test_sanction_recovery_is_deducted_and_kept_by_the_operator(buyer, staff, provider):
    bank_account(provider, staff)
    ProviderRecovery.objects.create(
        provider=provider,
        key="sanction:1",
        amount_cents=200_000,
        source=HoldSource.SANCTION,
        source_ref="S1",
        reason="Sanction",
        created_at=clock.now(),
    )
    validated(entered(buyer, staff, provider))
    (run,) = runs.payment_run().runs
    line = PaymentLine.objects.get(run=run)
    assert (line.gross_cents, line.recovered_cents, line.amount_cents) == (150_000, 150_000, 0)
    assert ProviderRecovery.objects.get(key="sanction:1").recovered_cents == 150_000
    assert run.file_xml is None and run.state == PaymentRunState.FILE_GENERATED  # nothing wired
    assert account_total(AccountKind.OPERATOR_FUNDING, runs.RECOVERIES_REF) == 150_000
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 0
    assert ledger_verify() == []


def test_held_dossiers_and_providers_are_skipped_with_a_reason(buyer, staff, provider, agent):
    bank_account(provider, staff)
    b, b_staff = provider_with_staff("35600000000048", "Autre OF")
    c, c_staff = provider_with_staff("44306184100047", "Troisième OF")
    bank_account(c, c_staff, held_until=timezone.make_aware(AFTER + dt.timedelta(days=10)))
    held = validated(entered(buyer, staff, provider))
    controlled = validated(entered(buyer, staff, provider))
    Dossier.objects.filter(pk=controlled.pk).update(control_state=ControlState.IN_CONTROL)
    no_account = validated(entered(buyer, b_staff, b))
    iban_change = validated(entered(buyer, c_staff, c))
    hold = place_hold(source=HoldSource.CONTROL, source_ref="C1", reason="Contrôle", dossier=held, by=agent)
    before = state(held, controlled, no_account, iban_change)

    outcome = runs.payment_run()
    assert outcome.runs == [] and PaymentRun.objects.count() == 0
    assert outcome.skipped == {
        runs.SKIP_DOSSIER_HOLD: 1,
        runs.SKIP_CONTROL: 1,
        runs.SKIP_NO_ACCOUNT: 1,
        runs.SKIP_IBAN_CHANGE: 1,
    }
    assert state(held, controlled, no_account, iban_change) == before

    place_hold(source=HoldSource.SANCTION, source_ref="S1", reason="Suspension", provider=provider, by=agent)
    lift_hold(hold=hold, by=agent, reason="Levée")
    assert runs.payment_run().skipped[runs.SKIP_PROVIDER_HOLD] == 2

    clock.move(dt.timedelta(days=11))
    (run,) = runs.payment_run().runs
    assert list(PaymentLine.objects.filter(run=run).values_list("provider_id", flat=True)) == [c.pk]


def test_file_is_valid_pain_001_and_rebuilt_identically(buyer, staff, provider):
    bank_account(provider, staff)
    b, b_staff = provider_with_staff("35600000000048", "Autre OF")
    bank_account(b, b_staff)
    validated(entered(buyer, staff, provider))
    validated(entered(buyer, b_staff, b, price=90_000))
    (run,) = runs.payment_run().runs
    content = bytes(run.file_xml)
    assert runs.run_file(run) == content  # deterministic: from stored data only
    root = etree.fromstring(content)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=ns) == run.reference
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "2400.00"
    ids = root.xpath("//p:EndToEndId/text()", namespaces=ns)
    assert sorted(ids) == sorted(PaymentLine.objects.values_list("end_to_end_id", flat=True))
    if not XSD.exists():
        pytest.skip("the shared pain.001.001.09 schema is not available here")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(root), schema.error_log


def test_command_runs_sends_and_confirms(buyer, staff, provider, capsys):
    bank_account(provider, staff)
    validated(entered(buyer, staff, provider))
    call_command("payment_run")
    out = capsys.readouterr().out
    assert "Campagne PR20260601-001 : 1 organisme(s), 1 montant(s) de dossiers" in out
    call_command("payment_run", sent="PR20260601-001")
    call_command("payment_run", confirm="PR20260601-001")
    assert PaymentRun.objects.get().state == PaymentRunState.CONFIRMED
    call_command("payment_run")
    assert "Aucun dossier à payer." in capsys.readouterr().out


def test_planned_run_left_by_a_crash_is_resumed(buyer, staff, provider):
    bank_account(provider, staff)
    validated(entered(buyer, staff, provider))
    run, _ = runs.plan_run()  # as if the process died right after step 1
    assert run is not None and PaymentLine.objects.get().ledger_posted_at is None
    validated(entered(buyer, staff, provider, price=50_000))
    outcome = runs.payment_run()
    assert outcome.resumed == [run.reference]
    assert [r.state for r in outcome.runs] == [PaymentRunState.FILE_GENERATED] * 2
    assert account_total(AccountKind.PROVIDER_PAID) == 200_000
    assert ledger_verify() == []


def test_daily_task_is_scheduled_and_pays(buyer, staff, provider):
    from opencpf.payments.tasks import payment_run_task

    assert settings.CELERY_BEAT_SCHEDULE["payments.payment_run"]["task"] == payment_run_task.name
    bank_account(provider, staff)
    validated(entered(buyer, staff, provider))
    result = payment_run_task.delay().get()
    assert result["runs"] == ["PR20260601-001"] and result["resumed"] == []


def test_a_second_planner_waits_its_turn(buyer, staff, provider):
    bank_account(provider, staff)
    validated(entered(buyer, staff, provider))
    run, _ = runs.plan_run()
    validated(entered(buyer, staff, provider, price=50_000))
    with pytest.raises(PaymentRunStateError):
        runs.plan_run()  # the planned run must be finished first (payment_run does it)
    assert PaymentRun.objects.count() == 1 and PaymentItem.objects.count() == 1
