"""FranceConnect end to end against a real OpenID Connect provider on loopback (no HTTP mocking)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from opencpf.identity import franceconnect, strong
from opencpf.identity.models import Holder
from tests.identity.oidc_provider import OidcProvider, follow_to_callback

PAUL = {
    "given_name": "Paul",
    "family_name": "MARTIN",
    "birthdate": "1985-05-14",
    "gender": "male",
    "birthplace": "",
    "birthcountry": "99100",
}


@pytest.fixture
def provider(settings) -> Iterator[OidcProvider]:  # type: ignore[no-untyped-def]
    op = OidcProvider().start()
    settings.FRANCECONNECT = {
        "client_id": op.client_id,
        "client_secret": op.client_secret,
        "server_metadata_url": op.metadata_url,
        "acr_values": "eidas2",
    }
    franceconnect._clients.clear()
    yield op
    op.stop()
    franceconnect._clients.clear()


def sign_in(client, provider) -> object:  # type: ignore[no-untyped-def]
    start = client.get("/franceconnect/connexion/")
    assert start.status_code == 302
    url = start["Location"]
    assert url.startswith(provider.issuer + "/authorize?")
    query = parse_qs(urlparse(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["acr_values"] == ["eidas2"]
    return client.get(follow_to_callback(url))


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_sign_in_matches_identity_and_substantial_level_makes_session_strong(client, holder, provider):
    provider.identity = PAUL
    response = sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == "/mon-compte/"
    holder.refresh_from_db()
    assert holder.franceconnect_sub == provider.sub
    assert client.get("/mon-compte/").status_code == 200
    page = client.get("/mon-compte/securite/")
    assert page.context["strong_method"] == strong.METHOD_FRANCECONNECT
    # A strong session can change the phone without a second factor.
    assert client.get("/mon-compte/securite/telephone/").status_code == 200
    assert {"/.well-known/openid-configuration", "/token", "/jwks", "/userinfo"} <= set(provider.requests)


@pytest.mark.django_db
def test_low_level_signs_in_but_is_not_strong(client, holder, provider):
    provider.identity = PAUL
    provider.acr = "eidas1"
    assert sign_in(client, provider).status_code == 302
    assert client.get("/mon-compte/securite/").context["strong_method"] is None
    assert client.get("/mon-compte/securite/telephone/").status_code == 302


@pytest.mark.django_db
def test_identity_mismatch_is_refused_with_clear_message(client, holder, provider):
    provider.identity = {**PAUL, "birthdate": "1985-05-15"}
    response = sign_in(client, provider)
    assert response.status_code == 404  # no account matches this identity
    assert "Aucun compte formation ne correspond" in text(response)
    assert "_auth_user_id" not in client.session
    # Signed in with the NIR, then FranceConnect for somebody else: refused, nothing linked.
    client.post("/connexion/", {"username": "185057800608491", "password": "MotDePasse-Demo-2026"})
    provider.identity = {**PAUL, "family_name": "DUPONT"}
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert "ne correspond pas à celle de votre compte formation" in text(response)
    assert Holder.objects.get(pk=holder.pk).franceconnect_sub is None
    assert client.get("/mon-compte/securite/").context["strong_method"] is None
    from opencpf.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="identity.franceconnect.mismatch", object_id=str(holder.pk)).exists()


@pytest.mark.django_db
def test_linked_account_whose_claims_changed_is_refused(client, holder, provider):
    provider.identity = PAUL
    sign_in(client, provider)
    client.logout()
    provider.identity = {**PAUL, "gender": "female"}
    response = sign_in(client, provider)
    assert response.status_code == 403 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_id_token_signed_with_another_key_is_refused(client, holder, provider):
    provider.identity = PAUL
    provider.sign_with_rogue_key = True
    response = sign_in(client, provider)
    assert response.status_code == 400
    assert "La connexion avec FranceConnect a échoué" in text(response)
    assert "_auth_user_id" not in client.session
    assert Holder.objects.get(pk=holder.pk).franceconnect_sub is None


@pytest.mark.django_db
def test_forged_state_is_refused(client, holder, provider):
    provider.identity = PAUL
    start = client.get("/franceconnect/connexion/")
    callback = follow_to_callback(start["Location"])
    forged = callback.replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_replayed_code_is_refused(client, holder, provider):
    provider.identity = PAUL
    start = client.get("/franceconnect/connexion/")
    callback = follow_to_callback(start["Location"])
    assert client.get(callback).status_code == 302
    client.logout()
    assert client.get(callback).status_code == 400
