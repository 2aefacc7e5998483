"""Holder, provider and back-office pages of enrolment: render, act, and change the database once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from opencpf.core import clock
from opencpf.core.models import AuditEvent
from opencpf.enrolment import services
from opencpf.enrolment.enums import DossierState, Event
from opencpf.enrolment.models import Dossier
from tests.conftest import login_agent
from tests.enrolment.conftest import make_session, make_strong

pytestmark = pytest.mark.django_db


def logged(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    login_agent(c, user)
    return c


def test_request_page_shows_the_split_before_sending_and_a_double_submit_creates_one(
    buyer, session, django_capture_on_commit_callbacks
):
    c = logged(buyer.user)
    page = c.get(f"/mon-compte/sessions/{session.pk}/demande/")
    html = page.content.decode().replace("&#x27;", "'")
    assert page.status_code == 200
    assert "Vos droits CPF" in html and "1\u202f000,00\u00a0€" in html and "397,77\u00a0€" in html
    assert "Vous paierez par carte <strong>500,00\u00a0€</strong>" in html
    token = page.context["form"]["client_token"].value()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = c.post(
                f"/mon-compte/sessions/{session.pk}/demande/", {"client_token": token, "message": "Bonjour"}
            )
        assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/mon-compte/dossiers/{dossier.number}/"
    detail = c.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert "Demande d'inscription" in detail and "Historique du dossier" in detail and "Retirer ma demande" in detail
    assert dossier.number in c.get("/mon-compte/dossiers/").content.decode().replace("&#x27;", "'")
    assert f"Dossier {dossier.number}" in c.get("/mon-compte/messages/").content.decode().replace("&#x27;", "'")


def test_accept_page_asks_for_strong_authentication_then_accepts(buyer, staff, session):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    c = logged(buyer.user)
    url = f"/mon-compte/dossiers/{dossier.number}/accepter/"
    response = c.post(url)
    assert response.status_code == 302 and "/mon-compte/securite/verification/" in response["Location"]
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.VALIDATED
    make_strong(c)
    assert "Confirmer et accepter" in c.get(url).content.decode().replace("&#x27;", "'")
    assert c.post(url).status_code == 302
    assert c.post(url).status_code == 302  # double click
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    assert dossier.transitions.filter(event=Event.ACCEPT).count() == 1


def test_holder_cannot_open_another_holders_dossier(buyer, other_holder, session):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    c = logged(other_holder.user)
    assert c.get(f"/mon-compte/dossiers/{dossier.number}/").status_code == 404
    assert c.post(f"/mon-compte/dossiers/{dossier.number}/retirer/").status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.NOT_PROCESSED


def test_provider_list_sorted_by_deadline_with_filters_and_csv(buyer, staff, provider, session):
    later = make_session(provider, start=dt.date(2026, 5, 20), prerequisites=True)  # 30-day deadline
    far = services.dossier_request(actor=buyer.user, session_id=later.pk)
    near = services.dossier_request(actor=buyer.user, session_id=session.pk)
    c = logged(staff)
    page = c.get("/organisme/dossiers/")
    assert [d.number for d in page.context["dossiers"]] == [near.number, far.number]
    filtered = c.get("/organisme/dossiers/", {"due_before": "10/03/2026"})
    assert [d.number for d in filtered.context["dossiers"]] == [near.number]
    csv_response = c.get("/organisme/dossiers/", {"format": "csv"})
    body = b"".join(csv_response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("numero_dossier;etat;")
    assert lines[1].startswith(near.number) and lines[2].startswith(far.number)
    assert "nir" not in body.lower()


def test_provider_proposes_refuses_and_declares_entry_through_pages(buyer, staff, session):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    c = logged(staff)
    detail = c.get(f"/organisme/dossiers/{dossier.number}/").content.decode().replace("&#x27;", "'")
    assert "Envoyer la proposition" in detail and "Refuser" in detail
    too_soon = c.post(
        f"/organisme/dossiers/{dossier.number}/proposer/",
        {"session": session.pk, "start_date": "10/03/2026", "end_date": "12/03/2026", "price": "1 500,00"},
    )
    assert too_soon.status_code == 400 and "au plus tôt le 17/03/2026" in too_soon.content.decode().replace(
        "&#x27;", "'"
    )
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.NOT_PROCESSED
    ok = c.post(
        f"/organisme/dossiers/{dossier.number}/proposer/",
        {"session": session.pk, "start_date": "15/04/2026", "end_date": "20/04/2026", "price": "1 400,00"},
    )
    assert ok.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.VALIDATED and dossier.price_cents == 140_000
    services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    clock.freeze(dt.datetime(2026, 4, 15, 9, 0))
    assert c.post(f"/organisme/dossiers/{dossier.number}/entree/").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.IN_TRAINING


def test_other_provider_cannot_see_or_act(buyer, other_staff, session):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    c = logged(other_staff)
    assert c.get(f"/organisme/dossiers/{dossier.number}/").status_code == 404
    assert c.post(f"/organisme/dossiers/{dossier.number}/refuser/", {"refus-reason": "x"}).status_code == 404
    assert dossier.number not in c.get("/organisme/dossiers/").content.decode().replace("&#x27;", "'")


def test_agent_sees_flagged_dossiers_reads_audited_and_cancels_with_reason(buyer, staff, session, agent):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    services.expire_deadlines(on=dt.date(2026, 4, 21))
    c = logged(agent)
    assert dossier.number in c.get("/gestion/dossiers/signales/").content.decode().replace("&#x27;", "'")
    detail = c.get(f"/gestion/dossiers/{dossier.number}/").content.decode().replace("&#x27;", "'")
    assert "Entrée en formation non déclarée" in detail and "Annuler le dossier" in detail
    assert AuditEvent.objects.filter(action="enrolment.dossier.read", object_id=str(dossier.pk)).count() == 1
    missing = c.post(f"/gestion/dossiers/{dossier.number}/annuler/", {"reason": ""})
    assert missing.status_code == 400
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.ACCEPTED
    done = c.post(f"/gestion/dossiers/{dossier.number}/annuler/", {"reason": "Organisme injoignable"})
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CANCELED_BY_ORGANISM and dossier.released_cents == 100_000


def test_agent_without_permission_cannot_cancel(buyer, session, agent_without_perm):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    c = logged(agent_without_perm)
    assert c.get(f"/gestion/dossiers/{dossier.number}/").status_code == 200
    assert c.post(f"/gestion/dossiers/{dossier.number}/annuler/", {"reason": "x"}).status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.NOT_PROCESSED


def test_dossier_lists_do_not_grow_queries_with_rows(buyer, staff, session):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    holder_client, staff_client = logged(buyer.user), logged(staff)

    def counts() -> tuple[int, int, int]:
        found = []
        for c, url in ((holder_client, "/mon-compte/dossiers/"), (staff_client, "/organisme/dossiers/")):
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            found.append(len(ctx))
        with CaptureQueriesContext(connection) as ctx:
            assert holder_client.get("/api/v1/dossiers").status_code == 200
        found.append(len(ctx))
        return found[0], found[1], found[2]

    for _ in range(2):
        services.dossier_request(actor=buyer.user, session_id=session.pk)
    few = counts()
    for _ in range(3):
        services.dossier_request(actor=buyer.user, session_id=session.pk)
    assert counts() == few


def test_holder_sees_whether_cancelling_today_is_free(buyer, staff, session):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    c = logged(buyer.user)
    url = f"/mon-compte/dossiers/{dossier.number}/"
    assert "l'annulation est sans frais" in c.get(url).content.decode().replace("&#x27;", "'")
    clock.freeze(dt.datetime(2026, 3, 18, 9, 0))
    page = c.get(url).content.decode().replace("&#x27;", "'")
    assert "vos droits réservés (1\u202f000,00\u00a0€) sont perdus" in page


def test_provider_timeline_does_not_show_the_holders_email(buyer, staff, session):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    page = logged(staff).get(f"/organisme/dossiers/{dossier.number}/").content.decode()
    assert buyer.user.email not in page and staff.email in page
