"""Exit (service-done declaration): deadlines in business days, the amount due and the ledger per reason,
validation by the system after 5 business days, by an agent, never while a control is open; the advance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.enums import BillingState, ControlState, DeadlineKind, DossierState, Event
from opencpf.enrolment.exceptions import ActorNotAllowed, ControlOpen, InvalidExit, TooEarly, TransitionRefused
from opencpf.enrolment.models import CardPayment, Dossier
from opencpf.rights.enums import AccountKind
from opencpf.rights.models import Entry
from opencpf.rights.selectors import balances, ledger_verify
from tests.enrolment.conftest import account_total

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"
PRICE = 150_000  # 100 000 of rights captured, 50 000 paid by card (co-payment included)
START, END = dt.date(2026, 4, 15), dt.date(2026, 4, 20)  # Wednesday, Monday


def at(day: dt.date, hour: int = 10) -> None:
    clock.freeze(dt.datetime.combine(day, dt.time(hour)))


def in_training(buyer, staff, session) -> Dossier:  # type: ignore[no-untyped-def]
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    at(session.start_date)
    return services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)


def declare(dossier: Dossier, staff, **kwargs) -> Dossier:  # type: ignore[no-untyped-def]
    kwargs.setdefault("exit_date", dossier.end_date)
    return services.dossier_declare_exit(dossier_id=dossier.pk, actor=staff, **kwargs)


def frozen(dossier: Dossier) -> tuple:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.snapshot(),
        fresh.version,
        fresh.transitions.count(),
        Entry.objects.count(),
        CardPayment.objects.count(),
    )


def holder_total(holder) -> int:  # type: ignore[no-untyped-def]
    return balances(nir_hash=holder.nir_hash).total_cents


def test_entry_starts_the_exit_deadline_and_owes_no_advance_for_a_short_training(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    assert dossier.deadline_kind == DeadlineKind.EXIT_DECLARATION
    assert dossier.deadline_on == dt.date(2026, 4, 23)  # Monday 20 April + 3 business days
    assert (dossier.advance_cents, dossier.billing_state) == (0, BillingState.NOT_BILLABLE)


@pytest.mark.parametrize(
    ("end", "advance", "billing"),
    [
        (dt.date(2026, 7, 15), 0, BillingState.NOT_BILLABLE),  # exactly 3 months: no advance
        (dt.date(2026, 7, 16), 45_000, BillingState.DEPOSIT_WAIT),  # more than 3 months: 30 % of the price
    ],
)
def test_advance_at_entry_for_trainings_longer_than_three_months(buyer, staff, session, end, advance, billing):
    session.end_date = end
    session.save(update_fields=["end_date"])
    dossier = in_training(buyer, staff, session)
    assert (dossier.advance_cents, dossier.billing_state) == (advance, billing)


def test_completed_exit_owes_the_full_price_and_moves_no_money(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(END, 17)
    entries = Entry.objects.count()
    dossier = declare(dossier, staff, hours_attended=35)
    assert dossier.state == DossierState.SERVICE_DONE_DECLARED and dossier.holder_label == "Service fait déclaré"
    assert (dossier.exit_reason, dossier.completion_rate_bp, dossier.hours_attended) == ("completed", 10_000, 35)
    assert dossier.due_cents == PRICE and dossier.exit_date == END and dossier.exit_declared_at is not None
    assert Entry.objects.count() == entries and dossier.card_refunded_cents == 0
    assert dossier.deadline_kind == DeadlineKind.SERVICE_VALIDATION
    assert dossier.deadline_on == dt.date(2026, 4, 27)  # Monday 20 April + 5 business days
    assert dossier.billing_state == BillingState.NOT_BILLABLE  # to bill once validated
    assert dossier.transitions.last().event == Event.DECLARE_EXIT
    assert ledger_verify() == []


def test_force_majeure_pays_pro_rata_and_refunds_each_payer(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(dt.date(2026, 4, 17))
    dossier = declare(dossier, staff, exit_date=dt.date(2026, 4, 17), hours_attended=14, reason="force_majeure")
    assert dossier.completion_rate_bp == 4_000 and dossier.due_cents == 60_000
    # The provider is paid from the rights first: 40 000 of rights go back, the whole card payment is refunded.
    assert dossier.released_cents == 40_000 and holder_total(buyer) == 40_000
    assert dossier.card_refunded_cents == 50_000
    assert CardPayment.objects.get(dossier=dossier, kind="refund").amount_cents == 50_000
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 60_000
    assert ledger_verify() == []


def test_provider_interruption_after_80_percent_is_still_pro_rata(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(END)
    dossier = declare(dossier, staff, completion_rate_bp=9_000, reason="provider_interruption")
    assert dossier.due_cents == 135_000
    assert dossier.released_cents == 0 and dossier.card_refunded_cents == 15_000  # the card part paid last
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 100_000
    assert ledger_verify() == []


def test_abandonment_under_25_percent_forfeits_rights_and_credits_the_card_part(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(END)
    dossier = declare(dossier, staff, completion_rate_bp=1_000, reason="abandonment")
    assert dossier.due_cents == 37_500  # 25 % of the price
    assert dossier.forfeited_cents == 62_500 and dossier.card_credited_cents == 50_000
    assert dossier.card_refunded_cents == 0 and dossier.released_cents == 0
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 37_500
    assert account_total(AccountKind.OPERATOR_FUNDING, "forfeited_rights") == 62_500
    assert account_total(AccountKind.HOLDER_PAYMENT) == -50_000
    assert holder_total(buyer) == 50_000  # a plain top-up the holder can spend on another training
    assert ledger_verify() == []


def test_abandonment_between_25_and_80_percent_uses_rights_then_card(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(END)
    dossier = declare(dossier, staff, hours_attended=24, reason="abandonment")  # 68.57 %
    assert dossier.completion_rate_bp == 6_857 and dossier.due_cents == 102_855
    assert dossier.forfeited_cents == 0 and dossier.card_credited_cents == 47_145
    assert holder_total(buyer) == 47_145
    assert ledger_verify() == []


def test_abandonment_from_80_percent_owes_the_full_price(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(END)
    dossier = declare(dossier, staff, hours_attended=28, reason="abandonment")
    assert dossier.due_cents == PRICE and dossier.card_credited_cents == 0 and dossier.forfeited_cents == 0


def test_a_repeated_declaration_changes_nothing(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(END)
    declare(dossier, staff, completion_rate_bp=1_000, reason="abandonment")
    before = frozen(dossier)
    declare(dossier, staff, completion_rate_bp=1_000, reason="abandonment")  # double click
    assert frozen(dossier) == before


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"completion_rate_bp": 5_000}, InvalidExit),  # partial without a reason
        ({"completion_rate_bp": 5_000, "reason": "completed"}, InvalidExit),
        ({"completion_rate_bp": 10_000, "reason": "abandonment"}, InvalidExit),
        ({"hours_attended": 10, "completion_rate_bp": 3_000, "reason": "abandonment"}, InvalidExit),
        ({}, InvalidExit),  # neither hours nor rate
        ({"hours_attended": 36}, InvalidExit),  # more than the offer's 35 hours
        ({"completion_rate_bp": 10_001}, InvalidExit),
        ({"completion_rate_bp": 5_000, "reason": "late_cancellation"}, InvalidExit),
        ({"exit_date": dt.date(2026, 4, 14), "completion_rate_bp": 10_000}, InvalidExit),  # before the start
        ({"exit_date": dt.date(2026, 4, 21), "completion_rate_bp": 10_000}, InvalidExit),  # after the end
    ],
)
def test_refused_declarations_change_nothing(buyer, staff, session, kwargs, error):
    dossier = in_training(buyer, staff, session)
    at(END)
    before = frozen(dossier)
    with pytest.raises(error):
        declare(dossier, staff, **kwargs)
    assert frozen(dossier) == before


def test_exit_cannot_be_declared_in_the_future_nor_by_others(buyer, staff, other_staff, session):
    dossier = in_training(buyer, staff, session)
    at(dt.date(2026, 4, 17))
    before = frozen(dossier)
    with pytest.raises(TooEarly):
        declare(dossier, staff, completion_rate_bp=10_000)  # the exit date (end) is Monday
    with pytest.raises(ActorNotAllowed):
        declare(dossier, buyer.user, exit_date=START, completion_rate_bp=10_000)
    with pytest.raises(ActorNotAllowed):
        declare(dossier, other_staff, exit_date=START, completion_rate_bp=10_000)
    assert frozen(dossier) == before


def test_missing_exit_is_flagged_and_a_late_declaration_is_still_accepted(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    assert services.expire_deadlines(on=dt.date(2026, 4, 23)).get(Event.FLAG_MISSING_EXIT) is None
    counts = services.expire_deadlines(on=dt.date(2026, 4, 24))
    assert counts[Event.FLAG_MISSING_EXIT] == 1
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_TRAINING and dossier.flagged_at is not None
    assert dossier.flag_reason == "Sortie de formation non déclarée dans le délai."
    assert services.expire_deadlines(on=dt.date(2026, 4, 25)).get(Event.FLAG_MISSING_EXIT) is None  # once
    at(dt.date(2026, 4, 27))
    dossier = declare(dossier, staff, completion_rate_bp=10_000)
    assert dossier.state == DossierState.SERVICE_DONE_DECLARED


def test_automatic_validation_after_five_business_days(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    at(END, 17)
    dossier = declare(dossier, staff, completion_rate_bp=10_000)
    assert services.validate_service_done(on=dt.date(2026, 4, 27)) == {"validated": 0, "blocked": 0}
    clock.move(dt.timedelta(days=8))  # Tuesday 28 April: the fifth business day is over
    call_command("validate_service_done")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_VALIDATED and dossier.holder_label == "Service fait validé"
    assert dossier.billing_state == BillingState.TO_BILL and dossier.service_done_validated_at == clock.now()
    assert dossier.deadline_kind == "" and dossier.deadline_on is None
    last = dossier.transitions.last()
    assert (last.event, last.who, last.actor) == (Event.AUTO_VALIDATE, "system", None)
    assert services.validate_service_done(on=dt.date(2026, 4, 29)) == {"validated": 0, "blocked": 0}


def test_an_open_control_blocks_validation_until_released(buyer, staff, session, agent):
    dossier = in_training(buyer, staff, session)
    at(END)
    dossier = declare(dossier, staff, completion_rate_bp=10_000)
    Dossier.objects.filter(pk=dossier.pk).update(control_state=ControlState.IN_CONTROL)
    before = frozen(dossier)
    assert services.validate_service_done(on=dt.date(2026, 4, 28)) == {"validated": 0, "blocked": 1}
    assert services.expire_deadlines(on=dt.date(2026, 4, 28)).get(Event.AUTO_VALIDATE) is None
    with pytest.raises(ControlOpen):
        services.dossier_agent_validate(dossier_id=dossier.pk, actor=agent)
    with pytest.raises(ControlOpen):
        services.dossier_confirm_service_done(dossier_id=dossier.pk, actor=buyer.user)
    assert frozen(dossier) == before
    Dossier.objects.filter(pk=dossier.pk).update(control_state=ControlState.RELEASED)
    assert services.expire_deadlines(on=dt.date(2026, 4, 29))[Event.AUTO_VALIDATE] == 1
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_VALIDATED


def test_a_payment_hold_on_the_provider_blocks_validation(buyer, staff, session, provider):
    from opencpf.payments.holds import lift_holds, place_hold

    dossier = in_training(buyer, staff, session)
    at(END)
    dossier = declare(dossier, staff, completion_rate_bp=10_000)
    place_hold(source="control", source_ref="C-1", reason="Contrôle de l'organisme", provider=provider)
    assert services.validate_service_done(on=dt.date(2026, 4, 28)) == {"validated": 0, "blocked": 1}
    lift_holds(source="control", source_ref="C-1", by=None, reason="Contrôle clos")
    assert services.validate_service_done(on=dt.date(2026, 4, 28)) == {"validated": 1, "blocked": 0}


def test_agent_validation_needs_the_permission(buyer, staff, session, agent, agent_without_perm):
    dossier = in_training(buyer, staff, session)
    at(END)
    dossier = declare(dossier, staff, completion_rate_bp=10_000)
    before = frozen(dossier)
    with pytest.raises(ActorNotAllowed):
        services.dossier_agent_validate(dossier_id=dossier.pk, actor=agent_without_perm)
    assert frozen(dossier) == before
    dossier = services.dossier_agent_validate(dossier_id=dossier.pk, actor=agent, reason="Attestation reçue")
    assert dossier.state == DossierState.SERVICE_DONE_VALIDATED and dossier.billing_state == BillingState.TO_BILL
    with pytest.raises(TransitionRefused):
        services.dossier_declare_exit(dossier_id=dossier.pk, actor=staff, exit_date=END, completion_rate_bp=5_000)


def test_exit_and_validation_notify_and_remind_the_party_who_must_act(
    buyer, staff, session, django_capture_on_commit_callbacks
):
    from django.core import mail

    dossier = in_training(buyer, staff, session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.expire_deadlines(on=dt.date(2026, 4, 22))  # the business day before the exit deadline
    assert [m.to for m in mail.outbox] == [["contact@73282932000074.fr"]]
    assert "déclarez la sortie" in mail.outbox[0].body
    at(END, 17)
    with django_capture_on_commit_callbacks(execute=True):
        declare(dossier, staff, completion_rate_bp=1_000, reason="abandonment")
    to_holder = [m for m in mail.outbox if m.to == [buyer.user.email]][-1]
    assert "notez la formation" in to_holder.body and "payés par carte sont crédités" in to_holder.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.expire_deadlines(on=dt.date(2026, 4, 24))  # the business day before the validation deadline
        services.expire_deadlines(on=dt.date(2026, 4, 28))
    holder_mail = [m.body for m in mail.outbox if m.to == [buyer.user.email]]
    assert any("notez la formation avant la fin du 27 avril 2026" in b for b in holder_mail)
    assert any("service fait de votre formation est validé" in b for b in holder_mail)
