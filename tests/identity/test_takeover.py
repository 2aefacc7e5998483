"""Takeover defences: lockout on every login form (API included), sessions listed and revocable."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from opencpf.identity.models import UserSession
from tests.conftest import DEMO_PASSWORD

LIMIT = 3


@pytest.fixture(autouse=True)
def _low_limit(settings):  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "who"),
    [("/connexion/", "holder"), ("/organisme/connexion/", "provider"), ("/gestion/connexion/", "agent")],
)
def test_lockout_on_each_login_form(client, url, who, holder, provider_a):
    from tests.identity.conftest import make_agent

    username = {
        "holder": "1 85 05 78 006 084 91",
        "provider": "admin@a.example.org",
        "agent": make_agent("support").email,
    }[who]
    for attempt in range(LIMIT):
        response = client.post(url, {"username": username, "password": "mauvais-mot-de-passe"})
        assert response.status_code == (200 if attempt < LIMIT - 1 else 429)
    locked = client.post(url, {"username": username, "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The lockout record never holds a clear NIR.
    for attempt in AccessAttempt.objects.all():
        assert "185057800608491" not in attempt.username.replace(" ", "")


@pytest.mark.django_db
def test_lockout_on_api_token_endpoint(client, holder):
    for attempt in range(LIMIT):
        response = client.post(
            "/api/v1/auth/token",
            {"nir": "185057800608491", "password": "mauvais"},
            content_type="application/json",
        )
        assert response.status_code == (401 if attempt < LIMIT - 1 else 429)
    locked = client.post(
        "/api/v1/auth/token", {"nir": "185057800608491", "password": DEMO_PASSWORD}, content_type="application/json"
    )
    assert locked.status_code == 429
    assert "access_token" not in locked.content.decode()


@pytest.mark.django_db
def test_sessions_are_listed_and_revocable(client, holder):
    from django.test import Client

    other_device = Client(HTTP_USER_AGENT="Téléphone de Paul")
    assert (
        other_device.post("/connexion/", {"username": "185057800608491", "password": DEMO_PASSWORD}).status_code == 302
    )
    assert client.post("/connexion/", {"username": "185057800608491", "password": DEMO_PASSWORD}).status_code == 302
    page = client.get("/mon-compte/securite/")
    sessions = page.context["sessions"]
    assert len(sessions) == 2
    assert "Téléphone de Paul" in page.content.decode()
    other = UserSession.objects.get(user_agent="Téléphone de Paul")
    assert client.post(f"/mon-compte/securite/sessions/{other.pk}/fermer/").status_code == 302
    assert other_device.get("/mon-compte/").status_code == 302  # signed out
    assert client.get("/mon-compte/").status_code == 200


@pytest.mark.django_db
def test_cannot_revoke_another_holders_session(client, holder, other_holder):
    from django.test import Client

    theirs = Client()
    theirs.post("/connexion/", {"username": "2 90 12 69 123 456 52", "password": DEMO_PASSWORD})
    their_session = UserSession.objects.get(user=other_holder.user)
    client.post("/connexion/", {"username": "185057800608491", "password": DEMO_PASSWORD})
    client.post(f"/mon-compte/securite/sessions/{their_session.pk}/fermer/")
    assert UserSession.objects.filter(pk=their_session.pk).exists()
    assert theirs.get("/mon-compte/").status_code == 200
