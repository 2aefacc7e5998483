"""The bank's status report uploaded on the run page in Debian's Chromium; the run page and the provider's payments
page with a rejected transfer pass axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from opencpf.core import clock
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.payments import runs
from opencpf.payments.models import PaymentLine
from tests.conftest import login_agent
from tests.e2e.conftest import PageWatcher, axe_violations, screenshot
from tests.enrolment.conftest import credit
from tests.payments.helpers import bank_account, entered, provider_with_staff, validated
from tests.payments.pain002 import Tx, status_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page_as(browser, live_server, user):  # type: ignore[no-untyped-def]
    client = login_agent(Client(), user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(locale="fr-FR")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.watcher = PageWatcher(page)
    return context, page


def test_officer_uploads_a_rejection_and_both_pages_are_accessible(browser, live_server, holder, tmp_path: Path):
    holder.user.email_confirmed_at = clock.now()
    holder.user.save(update_fields=["email_confirmed_at"])
    credit(holder, 100_000)
    provider, staff = provider_with_staff("73282932000074", "FormaPro")
    officer = staff_user_create(email="paiement@example.org", password=None, kind=UserKind.AGENT)
    officer.groups.add(Group.objects.get(name="payment_officer"))
    bank_account(provider, staff)
    validated(entered(holder, staff, provider))
    (run,) = runs.payment_run(by=officer).runs
    runs.payment_run_mark_sent(run=run.reference, by=officer)
    line = PaymentLine.objects.get(run=run)
    report = tmp_path / "pain002.xml"
    report.write_bytes(
        status_report(run_reference=run.reference, transactions=[Tx(line.end_to_end_id, "RJCT", "AC04")])
    )

    context, page = _page_as(browser, live_server, officer)
    page.goto(f"{live_server.url}/gestion/paiements/campagnes/{run.pk}/")
    page.get_by_label("Fichier pain.002").set_input_files(str(report))
    page.get_by_label("Motif de l'import").fill("Relevé de la banque du 2 juin")
    page.get_by_role("button", name="Importer le rapport").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("1 virement(s) rejeté(s)").first.is_visible()
    assert page.get_by_role("cell", name="Compte clos (AC04)").count() == 1
    screenshot(page, "payment_run_rejected")
    assert axe_violations(page) == []
    assert page.watcher.errors == []
    context.close()

    context, page = _page_as(browser, live_server, staff)
    page.goto(f"{live_server.url}/organisme/paiements/")
    assert page.get_by_text("Rejeté par votre banque").first.is_visible()
    assert axe_violations(page) == []
    assert page.watcher.errors == []
    context.close()
    line.refresh_from_db()
    assert line.rejection_code == "AC04"
