"""Request and provider's answer: allowed and refused moves by actor and state (refused ones change nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.enums import DeadlineKind, DossierState, Event, Who
from opencpf.enrolment.exceptions import (
    ActorNotAllowed,
    DeadlinePassed,
    InvalidProposal,
    OfferNotAvailable,
    ReasonRequired,
    StartTooSoon,
    TooManyOpenRequests,
    TransitionRefused,
)
from opencpf.enrolment.models import Dossier, DossierTransition, Message
from tests.enrolment.conftest import make_session

pytestmark = pytest.mark.django_db(transaction=False)


def state_of(dossier: Dossier) -> dict:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return {**fresh.snapshot(), "version": fresh.version, "log": fresh.transitions.count()}


@pytest.fixture
def requested(holder, session):
    return services.dossier_request(actor=holder.user, session_id=session.pk)


def test_request_creates_dossier_with_answer_deadline_and_log(holder, session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_request(actor=holder.user, session_id=session.pk, holder_message="Bonjour")
    assert dossier.state == DossierState.NOT_PROCESSED
    assert dossier.holder_label == "Demande d'inscription"
    assert dossier.deadline_kind == DeadlineKind.PROVIDER_ANSWER
    assert dossier.deadline_on == dt.date(2026, 3, 4)  # Monday + 2 business days
    assert dossier.price_cents == 150_000
    log = list(dossier.transitions.all())
    assert [(t.event, t.who, t.actor_id, t.from_state, t.to_state) for t in log] == [
        (Event.REQUEST, Who.HOLDER, holder.user.pk, "", DossierState.NOT_PROCESSED)
    ]
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        f"Dossier {dossier.number} : demande envoyée",
        f"Dossier {dossier.number} : nouvelle demande d'inscription",
    ]
    assert "Action à faire" in next(m.body for m in mail.outbox if "nouvelle" in m.subject)
    assert Message.objects.filter(recipient=holder.user, dossier=dossier).count() == 1


def test_request_with_same_client_token_creates_one_dossier(holder, session):
    first = services.dossier_request(actor=holder.user, session_id=session.pk, client_token="tok-1")
    second = services.dossier_request(actor=holder.user, session_id=session.pk, client_token="tok-1")
    assert first.pk == second.pk
    assert Dossier.objects.count() == 1


def test_request_refused_for_non_holder_and_unpublished_offer(holder, staff, session):
    with pytest.raises(ActorNotAllowed):
        services.dossier_request(actor=staff, session_id=session.pk)
    session.offer.is_published = False
    session.offer.save()
    with pytest.raises(OfferNotAvailable):
        services.dossier_request(actor=holder.user, session_id=session.pk)
    assert Dossier.objects.count() == 0


def test_at_most_five_open_requests_per_training(holder, session):
    for _ in range(5):
        services.dossier_request(actor=holder.user, session_id=session.pk)
    with pytest.raises(TooManyOpenRequests):
        services.dossier_request(actor=holder.user, session_id=session.pk)
    assert Dossier.objects.count() == 5
    # a closed one frees a place
    first = Dossier.objects.first()
    assert first is not None
    services.dossier_withdraw(dossier_id=first.pk, actor=holder.user)
    services.dossier_request(actor=holder.user, session_id=session.pk)
    assert Dossier.objects.filter(state=DossierState.NOT_PROCESSED).count() == 5


def test_request_deadline_with_prerequisites_is_30_calendar_days(holder, provider, clock_monday):
    session = make_session(provider, start=dt.date(2026, 5, 20), prerequisites=True)
    dossier = services.dossier_request(actor=holder.user, session_id=session.pk)
    assert dossier.deadline_on == dt.date(2026, 4, 1)


def test_provider_proposes_within_deadline(requested, staff):
    dossier = services.dossier_propose(dossier_id=requested.pk, actor=staff, price_cents=140_000)
    assert dossier.state == DossierState.VALIDATED
    assert dossier.holder_label == "Proposition de l'organisme"
    assert dossier.price_cents == 140_000
    assert dossier.deadline_kind == DeadlineKind.HOLDER_ACCEPTANCE
    assert dossier.deadline_on == dt.date(2026, 3, 6)  # Monday + 4 business days
    last = dossier.transitions.last()
    assert last is not None and last.before["state"] == "notProcessed" and last.after["state"] == "validated"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"start_date": dt.date(2026, 3, 16), "end_date": dt.date(2026, 3, 20)}, StartTooSoon),  # 10 business days
        ({"price_cents": 150_001}, InvalidProposal),
        ({"price_cents": 0}, InvalidProposal),
        ({"start_date": dt.date(2026, 4, 20), "end_date": dt.date(2026, 4, 19)}, InvalidProposal),
    ],
)
def test_invalid_proposals_change_nothing(requested, staff, kwargs, error):
    before = state_of(requested)
    with pytest.raises(error):
        services.dossier_propose(dossier_id=requested.pk, actor=staff, **kwargs)
    assert state_of(requested) == before


def test_eleven_business_days_is_the_earliest_start(requested, staff):
    dossier = services.dossier_propose(
        dossier_id=requested.pk, actor=staff, start_date=dt.date(2026, 3, 17), end_date=dt.date(2026, 3, 20)
    )
    assert dossier.start_date == dt.date(2026, 3, 17)


def test_propose_after_deadline_is_refused(requested, staff):
    clock.freeze(dt.datetime(2026, 3, 5, 9, 0))
    before = state_of(requested)
    with pytest.raises(DeadlinePassed):
        services.dossier_propose(dossier_id=requested.pk, actor=staff)
    assert state_of(requested) == before


@pytest.mark.parametrize("who", ["holder", "other_staff", "agent"])
def test_only_the_dossiers_provider_may_propose_or_refuse(requested, who, request):
    actor = request.getfixturevalue(who)
    actor = actor.user if who == "holder" else actor
    before = state_of(requested)
    with pytest.raises(ActorNotAllowed):
        services.dossier_propose(dossier_id=requested.pk, actor=actor)
    with pytest.raises(ActorNotAllowed):
        services.dossier_refuse(dossier_id=requested.pk, actor=actor, reason="Complet")
    assert state_of(requested) == before


def test_refuse_needs_a_reason_and_closes(requested, staff):
    with pytest.raises(ReasonRequired):
        services.dossier_refuse(dossier_id=requested.pk, actor=staff, reason=" ")
    dossier = services.dossier_refuse(dossier_id=requested.pk, actor=staff, reason="Session complète")
    assert dossier.state == DossierState.REFUSED_BY_ORGANISM
    assert dossier.deadline_on is None and dossier.closed_by == Who.PROVIDER
    assert dossier.transitions.last().reason == "Session complète"  # type: ignore[union-attr]


def test_holder_withdraws_request_and_other_holder_cannot(requested, holder, other_holder):
    before = state_of(requested)
    with pytest.raises(ActorNotAllowed):
        services.dossier_withdraw(dossier_id=requested.pk, actor=other_holder.user)
    assert state_of(requested) == before
    dossier = services.dossier_withdraw(dossier_id=requested.pk, actor=holder.user)
    assert dossier.state == DossierState.REFUSED_BY_ATTENDEE


def test_holder_declines_proposal(requested, holder, staff):
    services.dossier_propose(dossier_id=requested.pk, actor=staff)
    dossier = services.dossier_decline(dossier_id=requested.pk, actor=holder.user, reason="Dates")
    assert dossier.state == DossierState.REFUSED_BY_ATTENDEE
    assert dossier.reserved_cents == 0


def test_double_click_changes_the_dossier_once(requested, staff, holder):
    services.dossier_propose(dossier_id=requested.pk, actor=staff)
    again = services.dossier_propose(dossier_id=requested.pk, actor=staff)
    assert again.state == DossierState.VALIDATED
    assert requested.transitions.filter(event=Event.PROPOSE).count() == 1
    services.dossier_decline(dossier_id=requested.pk, actor=holder.user)
    services.dossier_decline(dossier_id=requested.pk, actor=holder.user)
    assert requested.transitions.count() == 3


def test_moves_not_in_the_table_are_refused_and_change_nothing(requested, holder, staff):
    services.dossier_refuse(dossier_id=requested.pk, actor=staff, reason="Complet")
    before = state_of(requested)
    for call in (
        lambda: services.dossier_propose(dossier_id=requested.pk, actor=staff),
        lambda: services.dossier_withdraw(dossier_id=requested.pk, actor=holder.user),
        lambda: services.dossier_decline(dossier_id=requested.pk, actor=holder.user),
        lambda: services.dossier_accept(dossier_id=requested.pk, actor=holder.user, strong_session=True),
        lambda: services.dossier_declare_entry(dossier_id=requested.pk, actor=staff),
        lambda: services.dossier_provider_cancel(dossier_id=requested.pk, actor=staff, reason="x"),
        lambda: services.dossier_holder_cancel(dossier_id=requested.pk, actor=holder.user),
    ):
        with pytest.raises(TransitionRefused):
            call()
    assert state_of(requested) == before


def test_transition_log_is_append_only(requested):
    row = DossierTransition.objects.get(dossier=requested)
    with pytest.raises(ValueError):
        row.save()
