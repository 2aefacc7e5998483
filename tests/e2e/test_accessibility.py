"""axe-core on EVERY page of the three portals (WCAG 2.1 A and AA), each as the user who sees it.

The pages are found by walking the URL resolver (`opencpf.web.page_tour`), rendered once by Django's test client
on the demo data plus one sample record of each kind, then loaded one by one in a single Chromium page: the HTML
as Django served it (with its Content-Security-Policy header), the static files from the app's finders. A page
that is not a GET page (a POST-only action, a redirect, a download) is listed in NOT_PAGES: a route that renders
nothing and is not listed there fails, so a new page cannot escape the check.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from opencpf.web.page_tour import portal_route_names
from tests.e2e.conftest import PageWatcher, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]  # django_db: the module fixture needs the test database

HOST = "http://testserver"
# Routes of the portals that answer a GET with something else than an HTML page, and why.
NOT_PAGES = {
    "holder:logout": "POST only",
    "holder:franceconnect_login": "redirect to FranceConnect",
    "holder:franceconnect_callback": "redirect back from FranceConnect",
    "holder:search_suggestions": "JSON",
    "holder:personal_data": "JSON download",
    "holder:api_docs": "redirect to /api/v1/docs",
    "holder:session_revoke": "POST only",
    "holder:dossier_action": "POST only",
    "holder:email_confirmation_resend": "POST only",
    "provider:logout": "POST only",
    "provider:member_remove": "POST only",
    "provider:api_key_revoke": "POST only",
    "provider:offer_publish": "POST only",
    "provider:offer_unpublish": "POST only",
    "provider:offer_duplicate": "POST only",
    "provider:session_duplicate": "POST only",
    "provider:dossier_propose": "POST only",
    "provider:dossier_refuse": "POST only",
    "provider:dossier_cancel": "POST only",
    "provider:dossier_declare_entry": "POST only",
    "backoffice:logout": "POST only",
    "backoffice:rights_dif_proof": "file download",
    "backoffice:rights_dif_decide": "POST only",
    "backoffice:agent_deactivate": "POST only",
    "backoffice:agent_factor_reset": "POST only",
    "provider:totp_remove": "POST only",
    "backoffice:permission_withdraw": "POST only",
    "backoffice:dossier_cancel": "POST only",
    # exit, rating and payment-run routes (from the servicedone and payrun branches)
    "holder:dossier_rate": "POST only",
    "provider:dossier_declare_exit": "POST only",
    "backoffice:dossier_validate": "POST only",
    "backoffice:reviews_moderate": "POST only",
    "backoffice:bank_change_decide": "POST only",
    "backoffice:payment_run_launch": "POST only",
    "backoffice:payment_run_sent": "POST only",
    "backoffice:payment_run_confirm": "POST only",
    "backoffice:payment_run_file": "file download",
    # console, adjustments, disputes, dashboards, controls (back-office branch, trust controls)
    "backoffice:adjustment_propose": "POST only",
    "backoffice:adjustment_decide": "POST only",
    "backoffice:dashboard_csv": "CSV download",
    "backoffice:dispute_attachment": "file download",
    "holder:dispute_attachment": "file download",
    "provider:dispute_attachment": "file download",
    "backoffice:trust_alert_act": "POST only (a GET goes back to the alert)",
    "backoffice:trust_control_proof": "file download",
}
# Pages shown again in their error state (a form sent empty): errors must be tied to their fields.
ERROR_STATES = {
    "holder:login": {},
    "holder:report": {},
    "holder:ticket_new": {},
    "holder:activate": {},
    "provider:login": {},
    "provider:offer_create": {},
    "provider:ticket_new": {},
    "backoffice:login": {},
    "holder:rights_dif": {},
    "holder:search": {"GET": "q=anglais&prix_max=beaucoup"},
    "backoffice:rights_topup": {},
    "holder:dispute_new": {},
    "provider:dispute_new": {},
    "backoffice:console_search": {},
    "backoffice:trust_control_new": {},
}
# Sheets of paper (printable statement, payment advice): no header, no footer.
PRINTABLE = {"holder:rights_printable", "provider:payment_advice"}
# Pages asked for with a strong session (second factor done): they send others to the step-up page.
STRONG = {"holder:dossier_accept", "holder:email_change", "holder:password_change", "holder:phone_change"}
ROUTE_NAMES = [name for name, _ in portal_route_names()]


def _fetch(client: Any, path: str, post: dict | None) -> dict[str, Any]:
    if post and "GET" in post:  # a search form: its errors come with a query string
        response = client.get(f"{path}?{post['GET']}")
    else:
        # A browser always sends the CSRF token: an "empty" form is never an empty POST.
        response = client.post(path, post or {"csrfmiddlewaretoken": "x"}) if post is not None else client.get(path)
    return {
        "status": response.status_code,
        "type": response.get("Content-Type", ""),
        "csp": response.get("Content-Security-Policy", ""),
        "body": response.content if not getattr(response, "streaming", False) else b"",
    }


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> Iterator[dict[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """Every page rendered once, inside one transaction rolled back at the end."""
    from django.db import transaction
    from django.test import Client

    from opencpf.core import clock
    from opencpf.core.models import Parameter
    from opencpf.identity.strong import SESSION_KEY
    from opencpf.web import page_tour
    from tests.conftest import _reseed_reference_data, login_agent

    pages: dict[str, dict[str, Any]] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        if not Parameter.objects.exists():  # a transactional test before this module flushed the seeded rows
            _reseed_reference_data()
        tour = page_tour.build()
        clients: dict[str, Client] = {"anonymous": Client()}
        for who, user in tour.users.items():
            clients[who] = login_agent(Client(), user, backend="django.contrib.auth.backends.ModelBackend")
        clients["holder_strong"] = Client()  # a strong session: the acceptance page asks for it
        clients["holder_strong"].force_login(tour.users["holder"], backend="django.contrib.auth.backends.ModelBackend")
        session = clients["holder_strong"].session
        until = clock.now() + dt.timedelta(hours=1)
        session[SESSION_KEY] = {"method": "totp", "until": until.isoformat()}
        session.save()
        tour.prepare(clients)  # e.g. the agent gives the reason for opening a holder's file
        for page in tour.pages():
            client = clients["holder_strong" if page.name in STRONG else page.who]
            pages[page.name] = {"path": page.path, "who": page.who, **_fetch(client, page.path, None)}
            if page.name in ERROR_STATES:
                pages[page.name + "#erreurs"] = {
                    "path": page.path,
                    "who": page.who,
                    **_fetch(clients[page.who], page.path, ERROR_STATES[page.name]),
                }
        transaction.set_rollback(True)
    yield pages


def _is_page(entry: dict[str, Any]) -> bool:
    return entry["status"] in (200, 400, 404) and entry["type"].startswith("text/html")


def test_every_portal_route_is_a_page_or_listed(rendered):
    """No route escapes the accessibility check: each renders an HTML page or is a known non-page."""
    missing = sorted(set(ROUTE_NAMES) - set(rendered) - set(NOT_PAGES))
    assert not missing, f"No sample record to render these routes (add one to opencpf.web.page_tour): {missing}"
    not_html = sorted(
        f"{name} -> {entry['status']} {entry['type']}"
        for name, entry in rendered.items()
        if "#" not in name
        and name not in NOT_PAGES
        and not (entry["status"] in (200, 400) and "text/html" in entry["type"])
    )
    assert not not_html, f"Routes that do not render an HTML page as their user: {not_html}"


@pytest.fixture(scope="module")
def axe_page(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """One phone-sized page reused across every route: each test swaps the document it serves."""
    from django.contrib.staticfiles import finders
    from django.test import Client

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    page = context.new_page()
    page.current = {}
    anonymous = Client()

    def serve(route: Any) -> None:
        url = route.request.url.removeprefix(HOST)
        path = url.split("?", 1)[0]
        doc = page.current
        if doc and path == doc["path"] and route.request.resource_type == "document":
            headers = {"Content-Type": doc["type"]}
            if doc["csp"]:
                headers["Content-Security-Policy"] = doc["csp"]
            route.fulfill(status=200, headers=headers, body=doc["body"])  # its status is checked apart
            return
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/"))
            if found:
                kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                route.fulfill(status=200, headers={"Content-Type": kind}, body=Path(found).read_bytes())
                return
            route.fulfill(status=404, body=b"")
            return
        if path in ("/manifest.webmanifest", "/sw.js"):
            response = anonymous.get(path)
            route.fulfill(
                status=response.status_code, headers={"Content-Type": response["Content-Type"]}, body=response.content
            )
            return
        route.fulfill(status=404, body=b"")

    page.route("**/*", serve)
    page.watcher = PageWatcher(page)
    yield page
    context.close()


@pytest.mark.parametrize("name", ROUTE_NAMES + [n + "#erreurs" for n in ERROR_STATES])
def test_page_passes_axe(axe_page, rendered, name):
    if name in NOT_PAGES:
        pytest.skip(NOT_PAGES[name])
    entry = rendered.get(name)
    if entry is None or not _is_page(entry):
        pytest.skip("not rendered (see test_every_portal_route_is_a_page_or_listed)")
    axe_page.current = entry
    axe_page.watcher.errors.clear()
    axe_page.goto(HOST + entry["path"], wait_until="load")
    assert axe_page.locator("html").get_attribute("lang") == "fr"
    assert axe_page.title(), "every page has a title"
    assert axe_page.locator("h1").count() >= 1, "every page has a first-level heading"
    violations = axe_violations(axe_page)
    assert violations == [], f"{name} ({entry['path']} as {entry['who']}):\n" + "\n".join(violations)
    assert axe_page.watcher.errors == []
    if name == "backoffice:console_holder":  # the tour gave the reason first: the file itself, not the reason form
        assert "Dossier du titulaire" in axe_page.title()


def test_accessibility_statement_is_linked_from_every_footer(rendered):
    statement = reverse("holder:accessibility").encode()
    without = [
        n for n, e in rendered.items() if _is_page(e) and n not in PRINTABLE and b'href="' + statement not in e["body"]
    ]
    assert not without
    body = rendered["holder:accessibility"]["body"].decode()
    assert "Déclaration d'accessibilité" in body and "RGAA" in body


def test_field_errors_are_tied_to_their_fields(rendered):
    """In every error state, each field error has an id that its field names in aria-describedby."""
    from lxml import html

    checked, untied = 0, []
    for name, entry in rendered.items():
        if not name.endswith("#erreurs") or not _is_page(entry):
            continue
        tree = html.fromstring(entry["body"])
        errors = tree.xpath('//*[contains(concat(" ", normalize-space(@class), " "), " fr-error-text ")]')
        assert errors, f"{name}: the form sent empty shows no field error"
        for error in errors:
            checked += 1
            ref = error.get("id")
            fields = tree.xpath(
                f'//*[self::input or self::select or self::textarea][contains(@aria-describedby, "{ref}")]'
            )
            if not ref or not fields or fields[0].get("aria-invalid") != "true":
                untied.append(f"{name}: {error.text_content().strip()[:60]}")
    assert checked >= len(ERROR_STATES)
    assert not untied, untied
