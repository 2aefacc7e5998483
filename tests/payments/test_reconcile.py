"""reconcile: holders' money = owed to providers + refunds + forfeits; payments agree with dossiers and ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.enums import BillingState, CancellationOutcome
from opencpf.enrolment.models import Dossier
from opencpf.payments import runs
from opencpf.payments.reconcile import reconcile
from opencpf.rights.enums import AccountKind, TransactionKind
from opencpf.rights.ledger import platform_account, post
from tests.enrolment.conftest import MONDAY, make_session
from tests.payments.helpers import advance_waiting, bank_account, entered, validated

pytestmark = pytest.mark.django_db


def _world(buyer, staff, provider) -> list[Dossier]:  # type: ignore[no-untyped-def]
    bank_account(provider, staff)
    paid = validated(entered(buyer, staff, provider))
    advanced = advance_waiting(entered(buyer, staff, provider, price=90_000), advance=27_000)
    runs.payment_run()
    validated(advanced)
    to_pay = validated(entered(buyer, staff, provider, price=40_000))
    in_training = entered(buyer, staff, provider, price=30_000)  # not settled: left out of the identity
    return [paid, advanced, to_pay, in_training]


def test_clean_books_reconcile(buyer, staff, provider, capsys):
    _world(buyer, staff, provider)
    result = reconcile()
    assert result.problems == []
    assert result.dossiers == 3
    assert result.totals["captured"] == 150_000 + 90_000 + 40_000
    assert result.totals["paid"] == 150_000 + 27_000
    assert result.totals["payable"] == 63_000 + 40_000
    call_command("reconcile")
    assert "aucun écart" in capsys.readouterr().out


def test_broken_books_are_reported_with_exit_code_1(buyer, staff, provider, capsys):
    paid, advanced, to_pay, _ = _world(buyer, staff, provider)
    Dossier.objects.filter(pk=paid.pk).update(paid_cents=140_000)  # a payment recorded wrongly
    Dossier.objects.filter(pk=to_pay.pk).update(due_cents=45_000)  # owed more than was taken from the holder
    with transaction.atomic():  # money wired outside any payment run
        post(
            key="stray",
            kind=TransactionKind.PROVIDER_PAYMENT,
            lines=[
                (platform_account(AccountKind.PROVIDER_PAYABLE, provider.siret), -500),
                (platform_account(AccountKind.PROVIDER_PAID), 500),
            ],
        )
    problems = reconcile().problems
    assert any(p.startswith(f"dossier {paid.number} : versé 140000") for p in problems)
    assert any(p.startswith(f"dossier {to_pay.number} : pris aux payeurs 40000") for p in problems)
    assert any(p.startswith("virements au grand livre") for p in problems)
    assert len(problems) == 3
    with pytest.raises(SystemExit) as exc:
        call_command("reconcile")
    assert exc.value.code == 1
    assert "3 écart(s)" in capsys.readouterr().err


def test_late_cancellation_compensation_is_paid_and_reconciles(buyer, staff, provider):
    bank_account(provider, staff)
    buyer.is_job_seeker = True
    buyer.save(update_fields=["is_job_seeker"])
    clock.freeze(MONDAY)
    session = make_session(provider, start=dt.date(2026, 4, 15))
    d = services.dossier_request(actor=buyer.user, session_id=session.pk)
    d = services.dossier_propose(dossier_id=d.pk, actor=staff)
    d = services.dossier_accept(dossier_id=d.pk, actor=buyer.user, strong_session=True)
    clock.freeze(dt.datetime(2026, 3, 20, 10, 0))  # after the cooling-off: the holder loses the rights
    d = services.dossier_holder_cancel(dossier_id=d.pk, actor=buyer.user)
    assert d.cancellation_outcome == CancellationOutcome.FORFEIT and d.compensation_cents == 7_500
    (run,) = runs.payment_run().runs
    fresh = Dossier.objects.get(pk=d.pk)
    assert (fresh.paid_cents, fresh.billing_state) == (7_500, BillingState.BILLED)
    assert run.total_cents == 7_500
    result = reconcile()
    assert result.problems == [] and result.totals["forfeits"] == 100_000 - 7_500
