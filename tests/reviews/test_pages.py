"""Pages and API of exit, rating and moderation: provider, holder, back-office, public averages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from opencpf.enrolment import services as enrolment
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.models import Dossier
from opencpf.identity.tokens import api_token_issue
from opencpf.reviews.enums import CommentStatus
from opencpf.reviews.models import Rating
from tests.conftest import login_agent
from tests.reviews.conftest import SCORES, exited

pytestmark = pytest.mark.django_db


def logged(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    login_agent(c, user)
    return c


def in_training(holder, staff, session) -> Dossier:  # type: ignore[no-untyped-def]
    import datetime as dt

    from opencpf.core import clock

    dossier = enrolment.dossier_request(actor=holder.user, session_id=session.pk)
    enrolment.dossier_propose(dossier_id=dossier.pk, actor=staff)
    enrolment.dossier_accept(dossier_id=dossier.pk, actor=holder.user, strong_session=True)
    clock.freeze(dt.datetime.combine(session.start_date, dt.time(9)))
    enrolment.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    clock.freeze(dt.datetime.combine(session.end_date, dt.time(17)))
    return dossier


def test_provider_declares_exit_through_the_page(buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    c = logged(staff)
    page = c.get(f"/organisme/dossiers/{dossier.number}/")
    assert "Sortie de formation (service fait)" in page.content.decode()
    url = f"/organisme/dossiers/{dossier.number}/sortie/"
    bad = c.post(url, {"sortie-exit_date": "20/04/2026", "sortie-completion_rate": "50"})
    assert bad.status_code == 400 and "indiquez le motif" in bad.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.IN_TRAINING
    done = c.post(
        url, {"sortie-exit_date": "20/04/2026", "sortie-hours_attended": "14", "sortie-reason": "abandonment"}
    )
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_DECLARED and dossier.due_cents == 60_000
    text = c.get(f"/organisme/dossiers/{dossier.number}/").content.decode()
    assert "Abandon ou absence du titulaire" in text and "600,00" in text


def test_holder_rates_with_accessible_radio_groups_and_sees_the_timeline(buyer, staff, session):
    dossier = exited(buyer, staff, session)
    c = logged(buyer.user)
    text = c.get(f"/mon-compte/dossiers/{dossier.number}/").content.decode()
    assert "Noter la formation" in text and text.count("<legend") == 5
    assert 'type="radio"' in text and "5 – Excellent" in text and "1 – Très insuffisant" in text
    url = f"/mon-compte/dossiers/{dossier.number}/evaluation/"
    missing = c.post(url, {k: v for k, v in SCORES.items() if k != "accueil"})
    assert missing.status_code == 400 and "Choisissez une note pour « Accueil »" in missing.content.decode()
    assert not Rating.objects.exists()
    done = c.post(url, {**SCORES, "comment": "Très bonne formation"})
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_VALIDATED
    text = c.get(f"/mon-compte/dossiers/{dossier.number}/").content.decode()
    assert "Votre évaluation" in text and "Noter la formation" not in text
    assert "Déclaration de sortie" in text and "Service fait confirmé" in text and "Service fait validé" in text


def test_other_holder_cannot_rate(buyer, other_holder, staff, session):
    dossier = exited(buyer, staff, session)
    response = logged(other_holder.user).post(f"/mon-compte/dossiers/{dossier.number}/evaluation/", SCORES)
    assert response.status_code == 404 and not Rating.objects.exists()


def test_moderation_queue_publish_and_reject(buyer, staff, session, agent_without_perm):
    dossier = exited(buyer, staff, session)
    rating = enrolment_rate(dossier, buyer, "Écrivez-moi : paul@example.org")
    c = logged(agent_without_perm)  # support: may moderate
    page = c.get("/gestion/avis/moderation/")
    assert page.status_code == 200 and "paul@example.org" in page.content.decode()
    url = f"/gestion/avis/{rating.pk}/moderer/"
    refused = c.post(url, {"decision": "refuser", "reason": ""})
    assert refused.status_code == 400
    assert Rating.objects.get(pk=rating.pk).comment_status == CommentStatus.PENDING
    assert c.post(url, {"decision": "refuser", "reason": "Coordonnées"}).status_code == 302
    assert Rating.objects.get(pk=rating.pk).comment_status == CommentStatus.REJECTED
    assert "Aucun commentaire en attente" in c.get("/gestion/avis/moderation/").content.decode()


def enrolment_rate(dossier, holder, comment=""):  # type: ignore[no-untyped-def]
    from opencpf.reviews.services import rating_submit

    return rating_submit(dossier_id=dossier.pk, actor=holder.user, scores=SCORES, comment=comment)


def test_public_pages_show_averages_and_published_comments(client, buyer, staff, session, provider):
    dossier = exited(buyer, staff, session)
    enrolment_rate(dossier, buyer, "Formateurs disponibles")
    text = client.get(f"/offres/{session.offer_id}/avis/").content.decode()
    assert "4,2 / 5" in text and "1 évaluation" in text and "Formateurs disponibles" in text
    assert "Paul" not in text and "Martin" not in text  # anonymous
    assert "4,2 / 5" in client.get(f"/organismes/{provider.pk}/avis/").content.decode()
    assert client.get("/offres/999999/avis/").status_code == 404
    assert "4,2 / 5" in logged(staff).get("/organisme/avis/").content.decode()


def test_agent_validates_through_the_back_office(buyer, staff, session, agent):
    dossier = exited(buyer, staff, session)
    c = logged(agent)
    assert "Valider le service fait" in c.get(f"/gestion/dossiers/{dossier.number}/").content.decode()
    assert c.post(f"/gestion/dossiers/{dossier.number}/valider-service-fait/").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SERVICE_DONE_VALIDATED


def test_api_exit_then_rating_with_a_bearer_token(client, buyer, staff, session):
    dossier = in_training(buyer, staff, session)
    staff_client = logged(staff)
    partial = {"exit_date": "2026-04-20", "completion_rate_bp": 2_000}
    refused = staff_client.post(
        f"/api/v1/dossiers/{dossier.number}/sortie", json.dumps(partial), content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_exit"
    assert refused["Content-Type"].startswith("application/problem+json")
    body = {**partial, "reason": "force_majeure"}
    declared = staff_client.post(
        f"/api/v1/dossiers/{dossier.number}/sortie", json.dumps(body), content_type="application/json"
    )
    assert declared.status_code == 200, declared.content
    data = declared.json()
    assert (
        data["state"] == "serviceDoneDeclared"
        and data["due_cents"] == 30_000
        and data["exit_reason"] == "force_majeure"
    )
    replay = staff_client.post(
        f"/api/v1/dossiers/{dossier.number}/sortie",
        json.dumps({"exit_date": "2026-04-20"}),
        content_type="application/json",
    )
    # A repeated declaration is a replay (double submit): the dossier is returned unchanged.
    assert replay.status_code == 200 and replay.json()["due_cents"] == 30_000
    _, access, _ = api_token_issue(user=buyer.user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {access}"}
    wrong = client.post(
        f"/api/v1/dossiers/{dossier.number}/evaluation",
        json.dumps({**SCORES, "accueil": 0}),
        content_type="application/json",
        **auth,
    )
    assert wrong.status_code in (400, 422) and not Rating.objects.exists()
    rated = client.post(
        f"/api/v1/dossiers/{dossier.number}/evaluation", json.dumps(SCORES), content_type="application/json", **auth
    )
    assert rated.status_code == 201 and rated.json()["dossier_state"] == "serviceDoneValidated"
    again = client.post(
        f"/api/v1/dossiers/{dossier.number}/evaluation",
        json.dumps({**SCORES, "contenu": 1}),
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    public = client.get(f"/api/v1/offres/{session.offer_id}/evaluations").json()
    assert public["count"] == 1 and public["average"] == 4.2


def test_api_agent_validation_needs_the_permission(buyer, staff, session, agent, agent_without_perm):
    dossier = exited(buyer, staff, session)
    url = f"/api/v1/dossiers/{dossier.number}/validation-service-fait"
    refused = logged(agent_without_perm).post(url, "{}", content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "transition_forbidden"
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SERVICE_DONE_DECLARED
    done = logged(agent).post(url, "{}", content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "serviceDoneValidated"
    assert done.json()["billing_state"] == "toBill"
