"""Mobile-app tokens (short-lived access, rotating refresh, revocation) and providers' API keys."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from opencpf.core import clock
from opencpf.identity.tokens import provider_api_key_create, provider_api_key_revoke
from tests.conftest import DEMO_PASSWORD


def post(client, path, data=None, token=None):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **headers)


def get(client, path, token=None, **headers):  # type: ignore[no-untyped-def]
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(f"/api/v1{path}", **headers)


def tokens(client) -> dict:  # type: ignore[no-untyped-def]
    response = post(client, "/auth/token", {"nir": "1 85 05 78 006 084 91", "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_token_pair_lifecycle(client, confirmed, frozen_clock):
    pair = tokens(client)
    assert pair["expires_in"] == 900 and pair["token_type"] == "Bearer"
    me = get(client, "/me", pair["access_token"]).json()
    assert me["nir_masque"] == "1 85 05 ** *** *** 91" and me["session_renforcee"] is False
    # Access token expires; refresh rotates the pair.
    frozen_clock.move(dt.timedelta(seconds=901))
    assert get(client, "/me", pair["access_token"]).status_code == 401
    new = post(client, "/auth/refresh", {"refresh_token": pair["refresh_token"]}).json()
    assert get(client, "/me", new["access_token"]).status_code == 200
    # Replaying the old refresh token revokes every token of the account.
    replay = post(client, "/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert replay.status_code == 401 and replay.json()["code"] == "invalid_token"
    assert get(client, "/me", new["access_token"]).status_code == 401


@pytest.mark.django_db
def test_revocation(client, confirmed):
    pair = tokens(client)
    assert post(client, "/auth/revoke", token=pair["access_token"]).status_code == 204
    assert get(client, "/me", pair["access_token"]).status_code == 401
    assert post(client, "/auth/refresh", {"refresh_token": pair["refresh_token"]}).status_code == 401


@pytest.mark.django_db
def test_wrong_password_and_unknown_nir_answer_the_same(client, holder):
    a = post(client, "/auth/token", {"nir": "1 85 05 78 006 084 91", "password": "faux"})
    b = post(client, "/auth/token", {"nir": "2 90 12 69 123 456 52", "password": "faux"})
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


@pytest.mark.django_db
def test_api_step_up_with_email_code_then_purchase_check(client, confirmed, settings):
    settings.IDENTITY_SECOND_FACTOR = "email"
    pair = tokens(client)
    access = pair["access_token"]
    refused = post(client, "/me/achat/verification", token=access)
    assert refused.status_code == 403 and refused.json()["code"] == "strong_auth_required"
    assert post(client, "/auth/code", token=access).status_code == 204
    code = re.search(r"est : (\d{6})", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    assert (
        post(client, "/auth/renforcer", {"code": "999999" if code != "999999" else "111111"}, access).status_code == 400
    )
    assert post(client, "/auth/renforcer", {"code": code}, access).status_code == 204
    assert get(client, "/me", access).json()["session_renforcee"] is True
    assert post(client, "/me/achat/verification", token=access).status_code == 204


@pytest.mark.django_db
def test_personal_data_over_api(client, confirmed):
    data = get(client, "/me/donnees-personnelles", tokens(client)["access_token"]).json()
    assert data["identite"]["numero_securite_sociale"] == "1 85 05 ** *** *** 91"


@pytest.mark.django_db
def test_provider_api_key(client, provider_a, provider_b):
    key, secret = provider_api_key_create(provider=provider_a[0], name="Logiciel", by=provider_a[1])
    assert get(client, "/organisme", HTTP_X_API_KEY=secret).json()["siret"] == "73282932000074"
    assert get(client, "/organisme", HTTP_X_API_KEY="ocpf_faux").status_code == 401
    provider_api_key_revoke(key=key, by=provider_a[1])
    assert get(client, "/organisme", HTTP_X_API_KEY=secret).status_code == 401
    assert clock.now()


@pytest.mark.django_db
def test_tokens_are_not_cached_nor_kept_by_idempotency(client, confirmed):
    from opencpf.core.models import IdempotencyRecord

    body = {"nir": "1 85 05 78 006 084 91", "password": DEMO_PASSWORD}
    first = client.post("/api/v1/auth/token", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    assert not IdempotencyRecord.objects.exists()
    second = client.post("/api/v1/auth/token", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert second.json()["access_token"] != first.json()["access_token"]
    refreshed = post(client, "/auth/refresh", {"refresh_token": first.json()["refresh_token"]})
    assert refreshed["Cache-Control"] == "no-store"
