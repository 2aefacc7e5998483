"""Support API: public reports (rate-limited, linked to a holder with a token) and disputes for both sides."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from opencpf.identity.tokens import api_token_issue, provider_api_key_create
from opencpf.support.models import Dispute, DisputeMessage, Report

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def post(client, url, body, **headers):  # type: ignore[no-untyped-def]
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_anonymous_report_and_rate_limit(client):
    body = {"kind": "cold_calling", "description": "Appel insistant pour utiliser mon CPF."}
    first = post(client, "/api/v1/reports", body)
    assert first.status_code == 201 and first.json()["reference"].startswith("SG-")
    assert first.json()["linked_to_holder"] is False
    for _ in range(9):
        post(client, "/api/v1/reports", body)
    refused = post(client, "/api/v1/reports", body)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_reports"
    assert Report.objects.count() == 10


def test_report_with_a_holder_token_is_linked_and_checks_the_dossier(client, in_training, buyer, other_holder):
    _, access, _ = api_token_issue(user=buyer.user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {access}"}
    body = {
        "kind": "not_delivered",
        "description": "Formation jamais commencée.",
        "dossier_reference": in_training.number,
    }
    created = post(client, "/api/v1/reports", body, **auth)
    assert created.status_code == 201 and created.json()["linked_to_holder"] is True
    report = Report.objects.get()
    assert report.reporter_id == buyer.user_id and report.dossier_reference == in_training.number
    _, other_access, _ = api_token_issue(user=other_holder.user)
    refused = post(client, "/api/v1/reports", body, HTTP_AUTHORIZATION=f"Bearer {other_access}")
    assert refused.status_code == 404 and Report.objects.count() == 1


def test_holder_opens_provider_answers_with_a_file_through_the_api(in_training, buyer, staff):
    holder = Client()
    _, access, _ = api_token_issue(user=buyer.user)
    h = {"HTTP_AUTHORIZATION": f"Bearer {access}"}
    opened = post(
        holder,
        "/api/v1/disputes",
        {"dossier": in_training.number, "reason": "quality", "message": "Le formateur était absent."},
        **h,
    )
    assert opened.status_code == 201, opened.content
    reference = opened.json()["reference"]
    key, secret = provider_api_key_create(provider=in_training.provider, name="ERP", by=staff)
    provider = Client()
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = provider.post(
        f"/api/v1/disputes/{reference}/messages",
        {"message": "Feuilles d'émargement jointes.", "attachment": SimpleUploadedFile("e.pdf", PDF)},
        HTTP_X_API_KEY=secret,
    )
    assert answer.status_code == 201, answer.content
    assert [m["side"] for m in answer.json()["messages"]] == ["holder", "provider"]
    assert answer.json()["messages"][1]["attachment_type"] == "application/pdf"
    bad = provider.post(
        f"/api/v1/disputes/{reference}/messages",
        {"message": "Autre pièce", "attachment": SimpleUploadedFile("e.pdf", b"<html>")},
        HTTP_X_API_KEY=secret,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_attachment"
    assert DisputeMessage.objects.count() == 2
    assert [d["reference"] for d in holder.get("/api/v1/disputes", **h).json()] == [reference]


def test_another_holder_neither_sees_nor_opens(in_training, buyer, other_holder):
    dispute_ref = post(
        Client(),
        "/api/v1/disputes",
        {"dossier": in_training.number, "reason": "other", "message": "Un désaccord sérieux."},
        HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=buyer.user)[1]}",
    ).json()["reference"]
    other = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=other_holder.user)[1]}"}
    c = Client()
    assert c.get(f"/api/v1/disputes/{dispute_ref}", **other).status_code == 404
    assert c.get("/api/v1/disputes", **other).json() == []
    refused = post(
        c, "/api/v1/disputes", {"dossier": in_training.number, "reason": "other", "message": "Pas le mien !"}, **other
    )
    assert refused.status_code == 403 and Dispute.objects.count() == 1


def test_report_page_links_a_signed_in_holder_only_to_their_own_dossier(client, in_training, other_holder):
    body = {
        "kind": "not_delivered",
        "description": "Formation jamais commencée ici.",
        "dossier_reference": in_training.number,
    }
    client.force_login(other_holder.user)
    refused = client.post("/signaler/", body)
    assert refused.status_code == 400 and "aucun de vos dossiers" in refused.content.decode()
    assert not Report.objects.exists()
    client.force_login(in_training.holder.user)
    assert client.post("/signaler/", body).status_code == 200
    assert Report.objects.get().reporter_id == in_training.holder.user_id
