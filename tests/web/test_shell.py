"""The pages shell: entry points, DSFR layout, French, error pages, security headers."""

import re

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_home_reaches_every_entry_point(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for href in (
        'href="/connexion/"',
        'href="/organisme/"',
        'href="/gestion/"',
        'href="/api/docs"',
        'href="/accessibilite/"',
    ):
        assert href in html, href


def test_layout_is_dsfr_french_and_has_skip_links(client):
    html = client.get("/").content.decode()
    assert '<html lang="fr"' in html
    assert 'class="fr-header"' in html and 'class="fr-footer"' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert "dsfr.min.css" in html or "dsfr/dist" in html


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/connexion/", "Me connecter"),
        ("/organisme/connexion/", "organismes de formation"),
        ("/gestion/connexion/", "gestionnaires"),
        ("/accessibilite/", "Déclaration d'accessibilité"),
    ],
)
def test_entry_pages_render(client, url, title):
    response = client.get(url)
    assert response.status_code == 200
    assert title in response.content.decode()


def test_api_docs_are_served(client):
    assert client.get("/api/docs")["Location"] == "/api/v1/docs"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "opencpf API"
    assert "/api/v1/health" in schema["paths"]


def test_404_page_is_french_dsfr(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page non trouvée" in html and 'class="fr-header"' in html


def test_500_page_is_french():
    from django.test import RequestFactory

    from opencpf.web.views import server_error

    request = RequestFactory().get("/")
    request.csp_nonce = "x"  # type: ignore[attr-defined]
    response = server_error(request)
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


def test_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()


def test_csrf_is_enforced_on_login_forms():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/connexion/", {"username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/mon-compte/", "/organisme/", "/gestion/"])
def test_portals_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "connexion" in response["Location"]


def test_holder_logs_in_with_nir_and_sees_masked_nir(client, holder):
    from tests.conftest import DEMO_PASSWORD

    response = client.post("/connexion/", {"username": "185057800608491", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/mon-compte/"
    html = client.get("/mon-compte/").content.decode()
    assert "1 85 05 ** *** *** 91" in html
    assert "185057800608491" not in html and "006 084" not in html


def test_holder_cannot_enter_other_portals(client, holder):
    client.force_login(holder.user)
    assert client.get("/organisme/").status_code == 403
    assert client.get("/gestion/").status_code == 403


@override_settings(AXES_FAILURE_LIMIT=3)
def test_login_lockout_after_repeated_failures(client, holder):
    from tests.conftest import DEMO_PASSWORD

    for _ in range(3):
        client.post("/connexion/", {"username": "185057800608491", "password": "mauvais"})
    locked = client.post("/connexion/", {"username": "185057800608491", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_flash_messages_are_shown_by_the_base_template_only():
    """A page that also loops over `messages` shows each one twice (the base template already shows them)."""
    from pathlib import Path

    import opencpf.web

    root = Path(opencpf.web.__file__).parent / "templates"
    looping = sorted(
        str(p.relative_to(root)) for p in root.rglob("*.html") if "in messages %}" in p.read_text(encoding="utf-8")
    )
    assert looping == ["web/base.html"]
