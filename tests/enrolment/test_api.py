"""The enrolment API: every holder and provider action, problem+json errors, Idempotency-Key."""

from __future__ import annotations

import json

import pytest

from opencpf.enrolment.enums import DossierState, Event
from opencpf.enrolment.models import Dossier
from opencpf.rights.models import Reservation
from tests.enrolment.conftest import make_strong

pytestmark = pytest.mark.django_db


def post(client, url, body=None, key=None, **headers):  # type: ignore[no-untyped-def]
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def holder_client(client, buyer):
    client.force_login(buyer.user)
    return client


@pytest.fixture
def staff_client(staff):
    from django.test import Client

    c = Client()
    c.force_login(staff)
    return c


def test_split_then_request_with_idempotency_key_creates_one_dossier(holder_client, session):
    split = holder_client.get(f"/api/v1/sessions/{session.pk}/repartition").json()
    assert split == {
        "price_cents": 150_000,
        "rights_cents": 100_000,
        "topups_cents": 0,
        "copayment_cents": 10_223,
        "rest_cents": 50_000,
    }
    first = post(holder_client, "/api/v1/dossiers", {"session_id": session.pk}, key="req-1")
    again = post(holder_client, "/api/v1/dossiers", {"session_id": session.pk}, key="req-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Dossier.objects.count() == 1
    body = first.json()
    assert body["state"] == "notProcessed" and body["holder_label"] == "Demande d'inscription"
    assert body["actions"] == ["withdraw"] and body["timeline"][0]["event"] == "request"


def test_full_flow_through_the_api(holder_client, staff_client, session):
    number = post(holder_client, "/api/v1/dossiers", {"session_id": session.pk}).json()["number"]
    listing = staff_client.get("/api/v1/dossiers?state=notProcessed").json()
    assert [d["number"] for d in listing["items"]] == [number]
    proposal = post(staff_client, f"/api/v1/dossiers/{number}/proposition", {"price_cents": 140_000}, key="p-1")
    assert proposal.status_code == 200 and proposal.json()["state"] == "validated"
    # without a strong session the acceptance is refused and changes nothing
    refused = post(holder_client, f"/api/v1/dossiers/{number}/acceptation", key="a-1")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "strong_auth_required"
    assert Dossier.objects.get(number=number).state == DossierState.VALIDATED
    make_strong(holder_client)
    accepted = post(holder_client, f"/api/v1/dossiers/{number}/acceptation", key="a-2")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["reserved_cents"] == 100_000
    # a retried request (new key, double click) changes nothing more
    again = post(holder_client, f"/api/v1/dossiers/{number}/acceptation", key="a-3")
    assert again.status_code == 200
    assert Reservation.objects.count() == 1
    assert Dossier.objects.get(number=number).transitions.filter(event=Event.ACCEPT).count() == 1
    cancelled = post(holder_client, f"/api/v1/dossiers/{number}/annulation", {"reason": "Changement de projet"})
    assert cancelled.json()["state"] == "canceledByAttendee" and cancelled.json()["released_cents"] == 100_000


def test_provider_refuses_and_wrong_actor_gets_problem(holder_client, staff_client, session):
    number = post(holder_client, "/api/v1/dossiers", {"session_id": session.pk}).json()["number"]
    wrong = post(holder_client, f"/api/v1/dossiers/{number}/refus", {"reason": "x"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "transition_forbidden"
    no_reason = post(staff_client, f"/api/v1/dossiers/{number}/refus", {"reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    done = post(staff_client, f"/api/v1/dossiers/{number}/refus", {"reason": "Complet"})
    assert done.json()["state"] == "refusedByOrganism"
    late = post(staff_client, f"/api/v1/dossiers/{number}/proposition", {})
    assert late.status_code == 409 and late.json()["code"] == "transition_refused"


def test_other_people_cannot_see_a_dossier(holder_client, session, other_holder, other_staff):
    from django.test import Client

    number = post(holder_client, "/api/v1/dossiers", {"session_id": session.pk}).json()["number"]
    for user in (other_holder.user, other_staff):
        c = Client()
        c.force_login(user)
        assert c.get(f"/api/v1/dossiers/{number}").status_code == 404
        assert post(c, f"/api/v1/dossiers/{number}/annulation", {"reason": "x"}).status_code == 404
    assert Client().get("/api/v1/dossiers").status_code == 401


def test_bearer_token_of_the_mobile_app(buyer, session, rf):
    from django.test import Client

    from opencpf.identity.tokens import api_token_issue

    _, access, _ = api_token_issue(user=buyer.user, label="test", request=rf.get("/"))
    c = Client(HTTP_AUTHORIZATION=f"Bearer {access}")
    created = post(c, "/api/v1/dossiers", {"session_id": session.pk}, key="m-1")
    assert created.status_code == 201
    assert c.get("/api/v1/dossiers").json()["count"] == 1


def test_provider_software_key_acts_as_the_member_who_created_it(holder_client, staff, provider, session):
    from django.test import Client

    from opencpf.identity.models import ProviderMembership
    from opencpf.identity.tokens import provider_api_key_create

    number = post(holder_client, "/api/v1/dossiers", {"session_id": session.pk}).json()["number"]
    _, secret = provider_api_key_create(provider=provider, name="Logiciel", by=staff)
    software = Client(HTTP_X_API_KEY=secret)
    listing = software.get("/api/v1/dossiers").json()
    assert [d["number"] for d in listing["items"]] == [number]
    proposal = post(software, f"/api/v1/dossiers/{number}/proposition", {}, key="sw-1")
    assert proposal.status_code == 200 and proposal.json()["state"] == "validated"
    last = Dossier.objects.get(number=number).transitions.last()
    assert last is not None and last.actor_id == staff.pk and last.who == "provider"
    # once its creator has left the provider, the key can no longer act
    ProviderMembership.objects.filter(user=staff).delete()
    refused = post(software, f"/api/v1/dossiers/{number}/annulation", {"reason": "x"})
    assert refused.status_code == 403
    assert Dossier.objects.get(number=number).state == DossierState.VALIDATED


def test_list_is_paginated(holder_client, session):
    for _ in range(3):
        post(holder_client, "/api/v1/dossiers", {"session_id": session.pk})
    page = holder_client.get("/api/v1/dossiers?page=2&page_size=2").json()
    assert (page["count"], page["page"], page["pages"], len(page["items"])) == (3, 2, 2, 1)


def test_openapi_lists_every_enrolment_operation(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/dossiers",
        "/api/v1/dossiers/{number}",
        "/api/v1/sessions/{session_id}/repartition",
        "/api/v1/dossiers/{number}/retrait",
        "/api/v1/dossiers/{number}/acceptation",
        "/api/v1/dossiers/{number}/declin",
        "/api/v1/dossiers/{number}/annulation",
        "/api/v1/dossiers/{number}/proposition",
        "/api/v1/dossiers/{number}/refus",
        "/api/v1/dossiers/{number}/entree",
    ):
        assert path in paths, path
