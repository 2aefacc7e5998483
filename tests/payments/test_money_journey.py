"""From acceptance to the provider's bank account through the real services of every domain: exit for each
reason, rating or automatic validation, advances, payment runs confirmed; then `reconcile` and
`verify_ledger` must both be clean and each dossier paid exactly what it is owed, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.enums import BillingState, DossierState
from opencpf.enrolment.models import Dossier
from opencpf.payments import runs
from opencpf.payments.models import PaymentItem, ProviderRecovery
from opencpf.reviews.services import rating_submit
from opencpf.rights.selectors import ledger_verify
from tests.payments.helpers import bank_account

pytestmark = pytest.mark.django_db

SCORES = dict.fromkeys(("accompagnement", "moyens", "encadrants", "accueil", "contenu"), 4)


def at(day: dt.date, hour: int = 10) -> None:
    clock.freeze(dt.datetime.combine(day, dt.time(hour)))


def in_training(buyer, staff, session) -> Dossier:  # type: ignore[no-untyped-def]
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    at(session.start_date)
    return services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)


def books_are_clean() -> None:
    assert ledger_verify() == []
    call_command("reconcile")  # raises SystemExit(1) on any difference


def pay_everything(agent) -> list:  # type: ignore[no-untyped-def]
    outcome = runs.payment_run(by=agent)
    for run in outcome.runs:
        runs.payment_run_mark_sent(run=run.reference, by=agent)
        runs.payment_run_confirm(run=run.reference, by=agent)
    return outcome.runs


@pytest.mark.parametrize(
    ("exit_kwargs", "due"),
    [
        ({"completion_rate_bp": 10_000}, 150_000),
        ({"hours_attended": 3, "reason": "abandonment"}, 37_500),  # under 25 %: 25 % of the price
        ({"hours_attended": 14, "reason": "force_majeure"}, 60_000),  # 40 %: pro rata
        ({"hours_attended": 21, "reason": "provider_interruption"}, 90_000),
    ],
)
def test_exit_rating_payment_and_reconciliation(buyer, staff, session, agent, exit_kwargs, due):
    bank_account(session.offer.training.provider, staff)
    dossier = in_training(buyer, staff, session)
    at(session.end_date, 18)
    services.dossier_declare_exit(dossier_id=dossier.pk, actor=staff, exit_date=session.end_date, **exit_kwargs)
    rating_submit(dossier_id=dossier.pk, actor=buyer.user, scores=SCORES)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.billing_state, dossier.due_cents) == (
        DossierState.SERVICE_DONE_VALIDATED,
        BillingState.TO_BILL,
        due,
    )
    books_are_clean()

    first = pay_everything(agent)
    assert len(first) == 1
    dossier.refresh_from_db()
    assert (dossier.billing_state, dossier.paid_cents) == (BillingState.PAID, due)
    assert pay_everything(agent) == []  # nothing is paid twice
    assert PaymentItem.objects.filter(dossier=dossier).count() == 1
    books_are_clean()


def test_unrated_dossier_is_validated_after_five_business_days_then_paid(buyer, staff, session, agent):
    bank_account(session.offer.training.provider, staff)
    dossier = in_training(buyer, staff, session)
    at(session.end_date, 18)
    services.dossier_declare_exit(
        dossier_id=dossier.pk, actor=staff, exit_date=session.end_date, completion_rate_bp=10_000
    )
    assert pay_everything(agent) == []  # declared, not validated: not payable
    at(session.end_date + dt.timedelta(days=10))
    services.validate_service_done()
    assert len(pay_everything(agent)) == 1
    dossier.refresh_from_db()
    assert dossier.paid_cents == dossier.price_cents and dossier.billing_state == BillingState.PAID
    books_are_clean()


def test_advance_paid_at_entry_and_excess_recovered_after_an_early_end(buyer, staff, session, agent):
    """A long training: 30 % advance paid at entry; the holder abandons early (25 % due), so the provider owes
    5 % back, offset on its next payment."""
    session.end_date = dt.date(2026, 9, 30)
    session.save(update_fields=["end_date"])
    bank_account(session.offer.training.provider, staff)
    dossier = in_training(buyer, staff, session)
    assert dossier.billing_state == BillingState.DEPOSIT_WAIT and dossier.advance_cents == 45_000
    pay_everything(agent)
    dossier.refresh_from_db()
    assert (dossier.billing_state, dossier.paid_cents) == (BillingState.PAID, 45_000) or (
        dossier.billing_state == BillingState.DEPOSIT_PAID and dossier.paid_cents == 45_000
    )
    books_are_clean()

    at(dt.date(2026, 5, 4))
    services.dossier_declare_exit(
        dossier_id=dossier.pk,
        actor=staff,
        exit_date=dt.date(2026, 5, 4),
        completion_rate_bp=1_000,
        reason="abandonment",
    )
    rating_submit(dossier_id=dossier.pk, actor=buyer.user, scores=SCORES)
    pay_everything(agent)
    dossier.refresh_from_db()
    assert dossier.due_cents == 37_500
    recovery = ProviderRecovery.objects.get(dossier=dossier)
    assert recovery.amount_cents == 45_000 - 37_500
    books_are_clean()


def test_transfer_rejected_by_the_bank_is_paid_again_after_new_bank_details(buyer, staff, session, agent):
    """run -> sent -> pain.002 RJCT (AC04) -> new IBAN approved -> the next run pays it -> confirm -> clean."""
    from django.contrib.auth.models import Group

    from opencpf.identity.models import UserKind
    from opencpf.identity.services import staff_user_create
    from opencpf.payments import bank_details
    from opencpf.payments.models import PaymentLine
    from opencpf.payments.returns import import_status_report
    from tests.payments.pain002 import Tx, status_report

    officer = staff_user_create(email="paiement@example.org", password=None, kind=UserKind.AGENT)
    officer.groups.add(Group.objects.get(name="payment_officer"))
    officer = type(officer).objects.get(pk=officer.pk)
    provider = session.offer.training.provider
    bank_account(provider, staff)
    dossier = in_training(buyer, staff, session)
    at(session.end_date, 18)
    services.dossier_declare_exit(
        dossier_id=dossier.pk, actor=staff, exit_date=session.end_date, completion_rate_bp=10_000
    )
    rating_submit(dossier_id=dossier.pk, actor=buyer.user, scores=SCORES)
    (run,) = runs.payment_run(by=officer).runs
    runs.payment_run_mark_sent(run=run.reference, by=officer)
    line = PaymentLine.objects.get(run=run)
    import_status_report(
        data=status_report(run_reference=run.reference, transactions=[Tx(line.end_to_end_id, "RJCT", "AC04")]),
        by=officer,
        reason="Relevé de la banque",
    )
    runs.payment_run_confirm(run=run.reference, by=officer)
    dossier.refresh_from_db()
    assert (dossier.billing_state, dossier.paid_cents) == (BillingState.TO_BILL, 0)
    books_are_clean()

    account = bank_details.bank_details_request_change(
        provider=provider,
        iban="FR7610096181180003012345661",
        bic="CMCIFRPP",
        account_holder=provider.name,
        requested_by=staff,
        strong_session=True,
    )
    bank_details.bank_details_decide(account_id=account.pk, officer=officer, approve=True, reason="RIB conforme")
    at(session.end_date + dt.timedelta(days=30))
    (second,) = pay_everything(officer)
    dossier.refresh_from_db()
    assert (dossier.billing_state, dossier.paid_cents) == (BillingState.PAID, dossier.due_cents)
    assert PaymentLine.objects.get(run=second).iban == "FR7610096181180003012345661"
    assert PaymentItem.objects.filter(dossier=dossier).count() == 2  # the returned one and the paid one
    assert pay_everything(officer) == []
    books_are_clean()
