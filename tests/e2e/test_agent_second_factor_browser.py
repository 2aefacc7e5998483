"""An agent's first login in Chromium: password, then no back-office until an authenticator app is enrolled (code by
email first, then the app's code); the next login asks for the app's code. Both pages pass axe-core."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django_otp.oath import TOTP

from tests.e2e.conftest import PageWatcher, axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this base32 key (RFC 6238, 30 s, 6 digits)."""
    generator = TOTP(base64.b32decode(secret))
    generator.time = time.time() + steps_ahead * 30
    return f"{generator.token():06d}"


def password_login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import DEMO_PASSWORD

    page.goto(base + "/gestion/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/gestion/verification/**")  # the password alone leads only there


def test_agent_enrols_an_app_at_the_first_login_then_signs_in_with_it(browser, live_server, settings):
    from opencpf.identity import roles
    from tests.identity.conftest import make_agent

    settings.IDENTITY_AGENT_SECOND_FACTOR = "totp"
    cache.clear()  # rate limits and wrong-code counts are keyed by user id: earlier tests' ids come back
    agent = make_agent(roles.SUPPORT)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    watcher = PageWatcher(page)
    base = live_server.url

    password_login(page, base, agent.email)
    assert "/gestion/verification/" in page.url
    assert page.get_by_role("heading", name="Vérification de sécurité").is_visible()
    assert axe_violations(page) == []
    page.goto(base + "/gestion/demandes/")  # any back-office page sends back to the second factor
    assert "/gestion/verification/" in page.url
    page.get_by_role("link", name="Configurer mon application d'authentification").click()
    page.get_by_role("button", name="Recevoir un code par courriel").click()
    page.get_by_text("Un code vient d'être envoyé").wait_for()
    found = re.search(r"est : (\d{6})", mail.outbox[-1].body)
    assert found is not None and mail.outbox[-1].to == [agent.email]
    page.get_by_label("Code reçu par courriel").fill(found.group(1))
    page.get_by_role("button", name="Continuer").click()
    secret = page.locator("[data-totp-secret]").inner_text().strip()  # waits for step 2
    assert axe_violations(page) == []
    screenshot(page, "agent_second_factor_enrol")
    page.get_by_label("Code affiché par l'application").fill(app_code(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url(base + "/gestion/demandes/")
    context.close()

    # The next login: the app's code (of the next 30-second step: the current one was used).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    watcher_again = PageWatcher(page)
    password_login(page, base, agent.email)
    assert "/gestion/verification/" in page.url
    page.get_by_label("Code de sécurité").fill(app_code(secret, 1))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(base + "/gestion/")
    assert page.get_by_role("heading", level=1).count() == 1
    screenshot(page, "agent_second_factor_passed")
    context.close()
    assert watcher.errors == [] and watcher_again.errors == []
