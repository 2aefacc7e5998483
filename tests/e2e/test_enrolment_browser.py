"""Enrolment pages in Debian's Chromium under the strict CSP: a holder requests a session, the provider proposes."""

from __future__ import annotations

import datetime as dt

import pytest

from opencpf.core import clock
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def login(page, live_server, path: str, identifier_label: str, identifier: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + path)
    page.get_by_label(identifier_label).fill(identifier)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


def test_holder_requests_and_provider_proposes(browser, live_server, holder):
    from opencpf.identity.models import ProviderMembership, UserKind
    from opencpf.identity.services import staff_user_create
    from tests.enrolment.conftest import credit, make_provider, make_session

    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    credit(holder, 100_000)
    provider = make_provider("73282932000074")
    session = make_session(provider, start=dt.date(2026, 4, 15))
    staff = staff_user_create(email="of@example.org", password=DEMO_PASSWORD, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=staff, provider=provider)

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    from tests.e2e.conftest import PageWatcher

    watcher = PageWatcher(page)
    login(page, live_server, "/connexion/", "Numéro de sécurité sociale", "1 85 05 78 006 084 91")
    page.goto(f"{live_server.url}/mon-compte/sessions/{session.pk}/demande/")
    assert page.get_by_role("table").filter(has_text="Vos droits CPF").is_visible()
    screenshot(page, "enrolment_request")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/mon-compte/dossiers/*/")
    assert page.get_by_text("Demande d'inscription").first.is_visible()
    assert page.get_by_role("heading", name="Historique du dossier").is_visible()
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    screenshot(page, "enrolment_holder_dossier")
    context.close()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    watcher_provider = PageWatcher(page)
    login(page, live_server, "/organisme/connexion/", "Adresse électronique", "of@example.org")
    page.goto(f"{live_server.url}/organisme/dossiers/")
    page.get_by_role("link", name=number).click()
    page.get_by_label("Prix TTC (€)").fill("1 400,00")
    page.get_by_role("button", name="Envoyer la proposition").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Proposition envoyée au titulaire.").is_visible()
    screenshot(page, "enrolment_provider_dossier")
    context.close()
    clock.unfreeze()
    assert watcher.errors == [] and watcher_provider.errors == []
