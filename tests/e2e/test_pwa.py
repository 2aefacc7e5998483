"""Installable: the balance and dossiers pages stay readable offline (marked as such); nothing moves offline;
logging out forgets the private copies."""

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manifest_and_service_worker_are_served(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"].startswith("/mon-compte/")
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    sw = client.get("/sw.js")
    assert sw["Service-Worker-Allowed"] == "/" and "text/javascript" in sw["Content-Type"]
    assert b'request.method !== "GET"' in sw.content


def test_account_readable_offline_then_forgotten_after_logout(phone_page, live_server, holder):
    page = phone_page
    page.goto(live_server.url + "/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Numéro de sécurité sociale").fill("1 85 05 78 006 084 91")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/mon-compte/")
    page.reload()  # now controlled by the service worker: the copy is saved
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_timeout(300)

    page.context.set_offline(True)
    page.goto(live_server.url + "/mon-compte/")
    assert page.get_by_text("Vous êtes hors connexion").is_visible()
    assert page.get_by_text("Bonjour Paul").is_visible()
    assert page.locator("form:visible").count() == 0  # no action offered offline
    screenshot(page, "pwa-offline-account")
    page.goto(live_server.url + "/organisme/")
    assert page.get_by_role("heading", name="Vous êtes hors connexion").is_visible()

    page.context.set_offline(False)
    page.goto(live_server.url + "/mon-compte/")
    page.get_by_role("button", name="Menu").click()  # on a phone, the header tools live in the menu
    page.locator("#menu-mobile").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live_server.url + "/")
    page.wait_for_timeout(300)
    page.context.set_offline(True)
    page.goto(live_server.url + "/mon-compte/")
    assert page.get_by_role("heading", name="Vous êtes hors connexion").is_visible()
    assert page.get_by_text("Bonjour Paul").count() == 0
    page.context.set_offline(False)
