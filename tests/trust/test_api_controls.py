"""Controls in the providers' API (X-API-Key): list and read their controls, answer with files."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencpf.identity.models import ProviderMembership, ProviderRole
from opencpf.identity.tokens import provider_api_key_create
from opencpf.trust.controls import control_decide, control_open
from opencpf.trust.models import Control, ControlProof
from tests.enrolment.conftest import make_provider
from tests.trust.test_controls import PDF

pytestmark = pytest.mark.django_db
API = "/api/v1/provider/controls"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def key(staff, provider, clock_monday):
    ProviderMembership.objects.filter(user=staff).update(role=ProviderRole.ADMINISTRATOR)
    return provider_api_key_create(provider=provider, name="ERP", by=staff)[1]


@pytest.fixture
def api(key):
    return Client(HTTP_X_API_KEY=key)


@pytest.fixture
def controls(controller, provider, dossier_of):
    mine = control_open(
        provider_id=provider.pk,
        agent=controller,
        reason="Pic de dossiers",
        proofs_requested="Feuilles d'émargement",
        dossier_ids=[dossier_of(provider).pk],
    )
    other_provider = make_provider("55208131766522", "Autre OF")
    theirs = control_open(provider_id=other_provider.pk, agent=controller, reason="Autre", proofs_requested="Factures")
    return mine, theirs


@pytest.fixture
def dossier_of(buyer, session):
    from opencpf.enrolment.models import Dossier

    def make(provider):  # type: ignore[no-untyped-def]
        return Dossier.objects.create(
            number="26API0001",
            holder=buyer,
            provider=provider,
            training=session.offer.training,
            offer=session.offer,
            session=session,
            start_date=session.start_date,
            end_date=session.end_date,
            price_cents=150_000,
            requested_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
            state="serviceDoneDeclared",
        )

    return make


def test_list_and_read_only_the_providers_controls(api, controls):
    mine, theirs = controls
    listed = api.get(API)
    assert listed.status_code == 200
    (item,) = listed.json()
    assert item["reference"] == mine.reference and item["status"] == "awaiting"
    assert item["deadline"] == "2026-03-23" and item["proofs_requested"] == "Feuilles d'émargement"
    assert item["dossiers"] == ["26API0001"] and item["proofs"] == [] and item["lapsed_at"] is None

    assert api.get(f"{API}/{mine.reference}").json()["reason"] == "Pic de dossiers"
    other = api.get(f"{API}/{theirs.reference}")
    assert other.status_code == 404 and other.json()["code"] == "control_not_found"
    assert Client().get(API).status_code == 401


def test_answer_with_files_through_the_portals_service(
    api, controls, staff, mailoutbox, django_capture_on_commit_callbacks
):
    mine, _ = controls
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{API}/{mine.reference}/answer",
            {
                "answer": "Voici les feuilles signées.",
                "kind": "attendance",
                "proofs": [SimpleUploadedFile("emargement.pdf", PDF), SimpleUploadedFile("photo.png", PNG)],
            },
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "answered" and body["answer"] == "Voici les feuilles signées."
    assert [(p["original_name"], p["content_type"], p["kind"]) for p in body["proofs"]] == [
        ("emargement.pdf", "application/pdf", "attendance"),
        ("photo.png", "image/png", "attendance"),
    ]
    assert all(p.uploaded_by == staff for p in ControlProof.objects.all())  # the key's creator answered
    assert mailoutbox[-1].to == ["controle@operateur.fr"] and "a répondu au contrôle" in mailoutbox[-1].body


def test_refused_answers_change_nothing(api, controls, controller):
    mine, theirs = controls
    renamed = api.post(
        f"{API}/{mine.reference}/answer",
        {"answer": "x", "kind": "invoice", "proofs": [SimpleUploadedFile("facture.pdf", b"MZ\x90\x00binary")]},
    )
    assert renamed.status_code == 400 and renamed.json()["code"] == "invalid_proof"
    assert renamed["Content-Type"] == "application/problem+json"
    empty = api.post(f"{API}/{mine.reference}/answer", {"answer": "  "})
    assert empty.status_code == 400 and empty.json()["code"] == "invalid_proof"
    bad_kind = api.post(
        f"{API}/{mine.reference}/answer", {"kind": "selfie", "proofs": [SimpleUploadedFile("a.pdf", PDF)]}
    )
    assert bad_kind.status_code == 400 and bad_kind.json()["code"] == "invalid_proof"
    elsewhere = api.post(f"{API}/{theirs.reference}/answer", {"answer": "Je réponds pour un autre"})
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "control_not_found"
    assert not ControlProof.objects.exists()
    assert list(Control.objects.order_by("pk").values_list("status", "answer")) == [("awaiting", "")] * 2

    control_decide(control_id=mine.pk, agent=controller, outcome="compliant", reason="Rien à redire")
    closed = api.post(f"{API}/{mine.reference}/answer", {"answer": "Trop tard"})
    assert closed.status_code == 409 and closed.json()["code"] == "control_closed"
    assert Control.objects.get(pk=mine.pk).answer == ""


def test_a_key_whose_creator_left_cannot_answer(api, controls, staff):
    mine, _ = controls
    ProviderMembership.objects.filter(user=staff).delete()
    response = api.post(f"{API}/{mine.reference}/answer", {"answer": "Réponse"})
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert Control.objects.get(pk=mine.pk).status == "awaiting"


def test_the_operations_are_documented(client):
    document = client.get("/api/v1/openapi.json").json()
    answer = document["paths"][f"{API}/{{reference}}/answer"]["post"]
    assert "multipart/form-data" in answer["requestBody"]["content"]
    assert {"201", "400", "404", "409"} <= set(answer["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in answer["parameters"])
    assert "ProviderControlOut" in document["components"]["schemas"]
