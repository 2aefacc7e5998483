import json

import pytest

from opencpf.core.models import AuditEvent, IdempotencyRecord

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.api_testapp")]
URL = "/api/v1/test/notes"


def post(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def test_same_key_same_body_replays_the_first_response(client):
    first = post(client, {"text": "un"}, key="k-1")
    second = post(client, {"text": "un"}, key="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(action="test.note").count() == 1


def test_same_key_other_body_is_refused_and_changes_nothing(client):
    post(client, {"text": "un"}, key="k-2")
    refused = post(client, {"text": "deux"}, key="k-2")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "idempotency_key_reused"
    assert AuditEvent.objects.filter(action="test.note").count() == 1


def test_keys_are_scoped_to_the_caller(client, holder):
    post(client, {"text": "anonyme"}, key="k-3")
    client.force_login(holder.user)
    other = post(client, {"text": "connecté"}, key="k-3")
    assert other.status_code == 201
    assert AuditEvent.objects.filter(action="test.note").count() == 2


def test_without_key_each_post_acts(client):
    post(client, {"text": "un"})
    post(client, {"text": "un"})
    assert AuditEvent.objects.filter(action="test.note").count() == 2


def test_server_error_frees_the_key_for_a_retry(client):
    failed = post(client, {"text": "boom"}, key="k-4")
    assert failed.status_code == 500
    assert failed.json()["code"] == "internal_error"
    assert not IdempotencyRecord.objects.filter(key="k-4").exists()


def test_domain_error_is_problem_json_with_stable_code_and_french_detail(client):
    response = post(client, {"text": "refuse"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "note_refused"
    assert body["detail"] == "Cette note est refusée."
    assert body["status"] == 400
    assert body["instance"] == URL


def test_validation_error_is_problem_json(client):
    response = post(client, {"texte": 3})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["champ"] == "payload.text" or body["errors"][0]["champ"].endswith("text")
    assert AuditEvent.objects.count() == 0


def test_page_pagination(client):
    for i in range(25):
        post(client, {"text": f"n{i}"})
    page2 = client.get(URL, {"page": 2, "page_size": 10}).json()
    assert page2["count"] == 25
    assert page2["pages"] == 3
    assert [item["text"] for item in page2["items"]] == [f"n{i}" for i in range(10, 20)]
    too_big = client.get(URL, {"page_size": 1000})
    assert too_big.status_code == 422
