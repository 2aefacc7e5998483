"""Ratings: one per dossier, only the holder, only after exit; validation of service done; moderation; averages."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from opencpf.catalogue.signals import offer_change_listeners
from opencpf.core.audit import AuditEvent
from opencpf.enrolment.enums import BillingState, ControlState, DossierState, Event
from opencpf.enrolment.models import Dossier
from opencpf.reviews import selectors, services
from opencpf.reviews.enums import CommentStatus
from opencpf.reviews.exceptions import (
    AlreadyRated,
    InvalidScores,
    ModerationNotAllowed,
    ModerationRefused,
    RatingNotAllowed,
    RatingTooEarly,
    ReasonRequired,
)
from opencpf.reviews.models import OfferRatingSummary, ProviderRatingSummary, Rating
from opencpf.search.documents import offer_rating, offer_ratings
from tests.enrolment.conftest import credit, make_session
from tests.reviews.conftest import SCORES, exited

pytestmark = pytest.mark.django_db


def rate(dossier, user, scores=None, comment=""):  # type: ignore[no-untyped-def]
    return services.rating_submit(dossier_id=dossier.pk, actor=user, scores=scores or SCORES, comment=comment)


@pytest.fixture
def second_buyer(other_holder):  # type: ignore[no-untyped-def]
    from opencpf.core import clock

    other_holder.user.email_confirmed_at = clock.now()
    other_holder.user.save(update_fields=["email_confirmed_at"])
    credit(other_holder, 100_000, key="credit-2")
    return other_holder


def test_the_holders_rating_validates_service_done_at_once(buyer, staff, session, django_capture_on_commit_callbacks):
    dossier = exited(buyer, staff, session)
    seen: list[int] = []
    offer_change_listeners.append(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rating = rate(dossier, buyer.user, comment="Formateur très clair, bons exercices.")
    finally:
        offer_change_listeners.remove(seen.append)
    assert seen == [dossier.offer_id]  # the search index is told
    assert rating.comment_status == CommentStatus.PUBLISHED
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_VALIDATED and dossier.billing_state == BillingState.TO_BILL
    last = dossier.transitions.last()
    assert (last.event, last.who, last.actor_id) == (Event.HOLDER_CONFIRM, "holder", buyer.user.pk)


def test_one_rating_per_dossier_and_a_retry_returns_it(buyer, staff, session):
    dossier = exited(buyer, staff, session)
    first = rate(dossier, buyer.user, comment="Bien")
    assert rate(dossier, buyer.user, comment="Bien").pk == first.pk  # the same rating again (double click)
    with pytest.raises(AlreadyRated):
        rate(dossier, buyer.user, scores={**SCORES, "contenu": 1})
    assert Rating.objects.count() == 1 and OfferRatingSummary.objects.get().count == 1


def test_only_the_holder_and_only_after_exit(buyer, second_buyer, staff, session, provider):
    from opencpf.enrolment import services as enrolment

    other = second_buyer
    dossier = enrolment.dossier_request(actor=buyer.user, session_id=session.pk)
    with pytest.raises(RatingTooEarly):
        rate(dossier, buyer.user)
    dossier = exited(buyer, staff, make_session(provider, start=session.start_date))
    for intruder in (other.user, staff):
        with pytest.raises(RatingNotAllowed):
            rate(dossier, intruder)
    with pytest.raises(InvalidScores):
        rate(dossier, buyer.user, scores={**SCORES, "accueil": 6})
    with pytest.raises(InvalidScores):
        rate(dossier, buyer.user, scores={k: v for k, v in SCORES.items() if k != "moyens"})
    assert Rating.objects.count() == 0 and not OfferRatingSummary.objects.exists()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_DECLARED


def test_an_open_control_keeps_service_done_declared(buyer, staff, session):
    dossier = exited(buyer, staff, session)
    Dossier.objects.filter(pk=dossier.pk).update(control_state=ControlState.IN_CONTROL)
    rating = rate(dossier, buyer.user)
    dossier.refresh_from_db()
    assert rating.pk and dossier.state == DossierState.SERVICE_DONE_DECLARED
    assert dossier.billing_state == BillingState.NOT_BILLABLE


def test_held_comments_wait_for_an_agent(buyer, staff, session, agent, agent_without_perm, controller):
    dossier = exited(buyer, staff, session)
    rating = rate(dossier, buyer.user, comment="Appelez-moi au 06 12 34 56 78")
    assert rating.comment_status == CommentStatus.PENDING and "Numéro de téléphone" in rating.hold_reasons
    assert list(selectors.moderation_queue()) == [rating]
    assert selectors.published_comments(offer_id=dossier.offer_id) == []
    assert OfferRatingSummary.objects.get().count == 1  # the scores count at once
    with pytest.raises(ModerationNotAllowed):
        services.comment_publish(rating_id=rating.pk, agent=controller)
    with pytest.raises(ReasonRequired):
        services.comment_reject(rating_id=rating.pk, agent=agent, reason=" ")
    rating.refresh_from_db()
    assert rating.comment_status == CommentStatus.PENDING and rating.moderated_by is None
    services.comment_reject(rating_id=rating.pk, agent=agent_without_perm, reason="Coordonnées personnelles")
    rating.refresh_from_db()
    assert rating.comment_status == CommentStatus.REJECTED and rating.moderated_by == agent_without_perm
    assert AuditEvent.objects.filter(action="reviews.comment_rejected").count() == 1
    assert list(selectors.moderation_queue()) == []
    with pytest.raises(ModerationRefused):
        services.comment_publish(rating_id=rating.pk, agent=agent)
    services.comment_reject(rating_id=rating.pk, agent=agent, reason="Coordonnées personnelles")  # replay: no-op
    assert AuditEvent.objects.filter(action="reviews.comment_rejected").count() == 1


def test_publish_a_held_comment(buyer, staff, session, agent):
    dossier = exited(buyer, staff, session)
    rating = rate(dossier, buyer.user, comment="Voir www.exemple-formation.fr")
    services.comment_publish(rating_id=rating.pk, agent=agent)
    assert [r.pk for r in selectors.published_comments(offer_id=dossier.offer_id)] == [rating.pk]


def test_averages_per_offer_and_provider(buyer, second_buyer, staff, session, provider):
    first = exited(buyer, staff, session)
    rate(first, buyer.user)  # average 4.2
    other = second_buyer
    second = exited(other, staff, session)
    rate(second, other.user, scores=dict.fromkeys(SCORES, 2))
    summary = selectors.offer_summary(session.offer_id)
    assert summary is not None and summary.count == 2
    assert summary.average == pytest.approx(3.1)
    assert dict(summary.criteria)["Accompagnement"] == pytest.approx(3.5)
    assert selectors.provider_summary(provider.pk).count == 2  # type: ignore[union-attr]
    assert offer_rating(session.offer_id) == pytest.approx(3.1)
    assert offer_ratings() == {session.offer_id: pytest.approx(3.1)}
    assert offer_ratings([session.offer_id + 999]) == {}
    many = [session.offer_id, *range(session.offer_id + 1, session.offer_id + 6)]
    assert selectors.offer_averages(many, chunk=1) == {session.offer_id: pytest.approx(3.1)}  # one scan
    assert selectors.offer_averages(many[:2], chunk=1) == {session.offer_id: pytest.approx(3.1)}  # IN lists
    assert selectors.offer_summary(session.offer_id + 999) is None
    # The totals can be rebuilt from the ratings (repair) and give the same figures.
    OfferRatingSummary.objects.update(count=0, sum_contenu=0)
    call_command("rebuild_rating_summaries")
    assert selectors.offer_summary(session.offer_id) == summary
    assert ProviderRatingSummary.objects.get().count == 2


def test_search_documents_carry_the_rating(buyer, staff, session):
    from opencpf.search.documents import load_documents

    rate(exited(buyer, staff, session), buyer.user)
    docs = {d.offer_id: d for d in load_documents([session.offer_id])}
    assert docs[session.offer_id].rating == pytest.approx(4.2)
