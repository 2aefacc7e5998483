"""Acceptance, entry and every cancellation case, with the ledger movements they post."""

from __future__ import annotations

import datetime as dt

import pytest

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.enums import BillingState, CancellationOutcome, DossierState, Event
from opencpf.enrolment.exceptions import (
    ActorNotAllowed,
    DeadlinePassed,
    PurchaseNotAllowed,
    ReasonRequired,
    StrongAuthenticationRequired,
    TooEarly,
    TransitionRefused,
)
from opencpf.enrolment.models import CardPayment, Dossier
from opencpf.rights.enums import AccountKind, ReservationStatus
from opencpf.rights.models import Reservation
from opencpf.rights.selectors import ledger_verify
from tests.enrolment.conftest import account_total, credit, rights_balance

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"
PRICE = 150_000
COPAY_2026 = 10_223


def snapshot(dossier: Dossier) -> dict:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return {
        **fresh.snapshot(),
        "version": fresh.version,
        "log": fresh.transitions.count(),
        "reservations": Reservation.objects.count(),
        "cards": CardPayment.objects.count(),
    }


def proposed(buyer, staff, session, **kwargs) -> Dossier:  # type: ignore[no-untyped-def]
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    return services.dossier_propose(dossier_id=dossier.pk, actor=staff, **kwargs)


def accepted(buyer, staff, session, **kwargs) -> Dossier:  # type: ignore[no-untyped-def]
    dossier = proposed(buyer, staff, session, **kwargs)
    return services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)


def test_accept_reserves_rights_and_charges_the_rest(buyer, staff, session):
    dossier = accepted(buyer, staff, session)
    assert dossier.state == DossierState.ACCEPTED and dossier.holder_label == "Validé"
    assert (dossier.rights_cents, dossier.topups_cents, dossier.copayment_cents) == (100_000, 0, COPAY_2026)
    assert dossier.rest_cents == PRICE - 100_000  # rest of the price, co-payment included
    assert dossier.reserved_cents == 100_000 and dossier.reservation_ref == dossier.number
    assert dossier.card_paid_cents == 50_000
    assert CardPayment.objects.get(dossier=dossier).amount_cents == 50_000
    assert rights_balance(buyer) == 0
    assert dossier.cooling_off_until == dt.date(2026, 3, 17)  # Monday 2 March + 11 business days
    assert dossier.deadline_on == dt.date(
        2026, 4, 20
    )  # start Wed 15 April + 3 business days (Easter Monday 6 April is before)
    assert ledger_verify() == []


def test_accept_needs_a_strong_session_and_changes_nothing_without(buyer, staff, session):
    dossier = proposed(buyer, staff, session)
    before = snapshot(dossier)
    with pytest.raises(StrongAuthenticationRequired):
        services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=False)
    assert snapshot(dossier) == before
    assert rights_balance(buyer) == 100_000


def test_accept_refused_when_purchases_blocked(buyer, staff, session):
    dossier = proposed(buyer, staff, session)
    buyer.user.email_confirmed_at = None
    buyer.user.save(update_fields=["email_confirmed_at"])
    before = snapshot(dossier)
    with pytest.raises(PurchaseNotAllowed):
        services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    assert snapshot(dossier) == before


def test_accept_after_four_business_days_is_refused(buyer, staff, session):
    dossier = proposed(buyer, staff, session)
    clock.freeze(dt.datetime(2026, 3, 9, 9, 0))  # deadline was Friday 6 March
    before = snapshot(dossier)
    with pytest.raises(DeadlinePassed):
        services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    assert snapshot(dossier) == before


@pytest.mark.parametrize("who", ["staff", "other_holder", "agent"])
def test_only_the_holder_accepts(buyer, staff, session, who, request):
    dossier = proposed(buyer, staff, session)
    actor = request.getfixturevalue(who)
    actor = getattr(actor, "user", actor)
    before = snapshot(dossier)
    with pytest.raises(ActorNotAllowed):
        services.dossier_accept(dossier_id=dossier.pk, actor=actor, strong_session=True)
    assert snapshot(dossier) == before


def test_double_accept_reserves_once(buyer, staff, session):
    dossier = accepted(buyer, staff, session)
    again = services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    assert again.version == dossier.version
    assert Reservation.objects.count() == 1 and CardPayment.objects.count() == 1
    assert dossier.transitions.filter(event=Event.ACCEPT).count() == 1


def test_holder_cancels_free_within_cooling_off_more_than_7_days_before_start(buyer, staff, session):
    dossier = accepted(buyer, staff, session)
    clock.freeze(dt.datetime(2026, 3, 17, 18, 0))  # last day of cooling-off, start 15 April
    dossier = services.dossier_holder_cancel(dossier_id=dossier.pk, actor=buyer.user, reason="Empêchement")
    assert dossier.state == DossierState.CANCELED_BY_ATTENDEE
    assert dossier.cancellation_outcome == CancellationOutcome.FULL_RELEASE
    assert (dossier.released_cents, dossier.forfeited_cents, dossier.compensation_cents) == (100_000, 0, 0)
    assert dossier.card_refunded_cents == 50_000
    assert rights_balance(buyer) == 100_000
    assert Reservation.objects.get().status == ReservationStatus.RELEASED
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 0
    assert ledger_verify() == []


def test_holder_cancels_after_cooling_off_loses_rights_and_provider_gets_5_percent(buyer, staff, session):
    dossier = accepted(buyer, staff, session)
    clock.freeze(dt.datetime(2026, 3, 18, 9, 0))  # day after the cooling-off, start still 4 weeks away
    dossier = services.dossier_holder_cancel(dossier_id=dossier.pk, actor=buyer.user)
    assert dossier.cancellation_outcome == CancellationOutcome.FORFEIT
    assert (dossier.forfeited_cents, dossier.compensation_cents, dossier.released_cents) == (100_000, 7_500, 0)
    assert dossier.billing_state == BillingState.TO_BILL
    assert dossier.card_refunded_cents == 50_000
    assert rights_balance(buyer) == 0
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 7_500
    assert account_total(AccountKind.OPERATOR_FUNDING, "forfeited_rights") == 92_500
    assert account_total(AccountKind.HOLDS) == 0
    assert ledger_verify() == []


def test_holder_cancels_within_cooling_off_but_7_days_before_start_is_late(buyer, staff, session):
    # proposal on Monday 2 March with the earliest start, Tuesday 17 March; cooling-off until 17 March too
    dossier = accepted(buyer, staff, session, start_date=dt.date(2026, 3, 17), end_date=dt.date(2026, 3, 20))
    clock.freeze(dt.datetime(2026, 3, 10, 9, 0))  # 7 days before the start: not more than 7
    dossier = services.dossier_holder_cancel(dossier_id=dossier.pk, actor=buyer.user)
    assert (dossier.forfeited_cents, dossier.compensation_cents) == (100_000, 7_500)


def test_late_cancel_compensation_above_the_reservation_is_topped_up_by_the_operator(holder, staff, session):
    holder.user.email_confirmed_at = clock.now()
    holder.user.save(update_fields=["email_confirmed_at"])
    credit(holder, 5_000)
    dossier = accepted(holder, staff, session)
    assert dossier.reserved_cents == 5_000 and dossier.card_paid_cents == PRICE - 5_000
    clock.freeze(dt.datetime(2026, 4, 10, 9, 0))
    dossier = services.dossier_holder_cancel(dossier_id=dossier.pk, actor=holder.user)
    assert (dossier.forfeited_cents, dossier.compensation_cents) == (5_000, 7_500)
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 7_500
    assert account_total(AccountKind.OPERATOR_FUNDING, "forfeited_rights") == -2_500
    assert ledger_verify() == []


def test_provider_cancels_everything_is_refunded(buyer, staff, session):
    dossier = accepted(buyer, staff, session)
    with pytest.raises(ReasonRequired):
        services.dossier_provider_cancel(dossier_id=dossier.pk, actor=staff, reason="")
    clock.freeze(dt.datetime(2026, 4, 13, 9, 0))  # after cooling-off, 2 days before start
    dossier = services.dossier_provider_cancel(dossier_id=dossier.pk, actor=staff, reason="Formateur absent")
    assert dossier.state == DossierState.CANCELED_BY_ORGANISM
    assert (dossier.released_cents, dossier.forfeited_cents, dossier.compensation_cents) == (100_000, 0, 0)
    assert dossier.card_refunded_cents == 50_000
    assert rights_balance(buyer) == 100_000
    assert ledger_verify() == []


def test_agent_cancels_with_reason_and_permission(buyer, staff, session, agent, agent_without_perm):
    dossier = accepted(buyer, staff, session)
    before = snapshot(dossier)
    with pytest.raises(ActorNotAllowed):
        services.dossier_agent_cancel(dossier_id=dossier.pk, actor=agent_without_perm, reason="Fraude")
    with pytest.raises(ReasonRequired):
        services.dossier_agent_cancel(dossier_id=dossier.pk, actor=agent, reason="  ")
    with pytest.raises(ActorNotAllowed):
        services.dossier_agent_cancel(dossier_id=dossier.pk, actor=staff, reason="Fraude")
    assert snapshot(dossier) == before
    dossier = services.dossier_agent_cancel(dossier_id=dossier.pk, actor=agent, reason="Démarchage signalé")
    assert dossier.state == DossierState.CANCELED_BY_ORGANISM and dossier.closed_by == "agent"
    assert dossier.released_cents == 100_000 and dossier.card_refunded_cents == 50_000
    assert dossier.transitions.last().reason == "Démarchage signalé"  # type: ignore[union-attr]
    assert rights_balance(buyer) == 100_000


def test_provider_cancels_a_proposal_nothing_was_reserved(buyer, staff, session):
    dossier = proposed(buyer, staff, session)
    dossier = services.dossier_provider_cancel(dossier_id=dossier.pk, actor=staff, reason="Session annulée")
    assert dossier.cancellation_outcome == CancellationOutcome.NOTHING_RESERVED
    assert Reservation.objects.count() == 0 and rights_balance(buyer) == 100_000


def test_declare_entry_from_start_within_3_business_days_captures(buyer, staff, session, holder):
    dossier = accepted(buyer, staff, session)
    clock.freeze(dt.datetime(2026, 4, 14, 9, 0))
    before = snapshot(dossier)
    with pytest.raises(TooEarly):
        services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    with pytest.raises(ActorNotAllowed):
        services.dossier_declare_entry(dossier_id=dossier.pk, actor=buyer.user)
    assert snapshot(dossier) == before
    clock.freeze(dt.datetime(2026, 4, 20, 17, 0))  # last day
    dossier = services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    assert dossier.state == DossierState.IN_TRAINING and dossier.captured_cents == 100_000
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 100_000
    assert Reservation.objects.get().status == ReservationStatus.CAPTURED
    # irreversible: no cancellation by the holder or the provider any more
    before = snapshot(dossier)
    with pytest.raises(TransitionRefused):
        services.dossier_holder_cancel(dossier_id=dossier.pk, actor=buyer.user)
    with pytest.raises(TransitionRefused):
        services.dossier_provider_cancel(dossier_id=dossier.pk, actor=staff, reason="Erreur")
    assert snapshot(dossier) == before
    assert ledger_verify() == []


def test_missing_entry_declaration_flags_the_dossier_once(buyer, staff, session):
    dossier = accepted(buyer, staff, session)
    for _ in range(2):
        services.expire_deadlines(on=dt.date(2026, 4, 21))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED and dossier.flagged_at is not None
    assert dossier.transitions.filter(event=Event.FLAG_MISSING_ENTRY).count() == 1
    clock.freeze(dt.datetime(2026, 4, 21, 9, 0))
    with pytest.raises(DeadlinePassed):
        services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    assert dossier.reserved_cents == 100_000 and rights_balance(buyer) == 0
