"""The whole journey on a phone, in Debian's Chromium under the strict CSP, on the demo data.

The holder logs in, searches "anglais" near Lyon, opens an offer, requests a session; the provider proposes; the
holder accepts with a second factor (authenticator app); the clock moves to the start date; the provider declares
entry; then exit, rating, payment run and the provider's payments page (steps run once those pages exist: each
checks its URL name first and skips with "needs exit/rating/payment pages").

Every step keeps a screenshot in test-artifacts/journey_NN_*.png; any console error or failed request fails.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from opencpf.core import clock
from tests.e2e.conftest import PageWatcher, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MONDAY = dt.datetime(2026, 3, 2, 10, 0)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "fr-FR"}


def url_exists(name: str, **kwargs: Any) -> bool:
    try:
        reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return False
    return True


class Journey:
    """The people of the journey, each in their own phone-sized browser context, and the steps' screenshots."""

    def __init__(self, browser: Any, live_server: Any) -> None:
        self.browser, self.base = browser, live_server.url
        self.pages: dict[str, Any] = {}
        self.watchers: list[PageWatcher] = []
        self.step = 0
        self.number = ""

    def page(self, who: str) -> Any:
        if who not in self.pages:
            context = self.browser.new_context(**PHONE)
            page = context.new_page()
            self.watchers.append(PageWatcher(page))
            self.pages[who] = page
        return self.pages[who]

    def shot(self, who: str, what: str) -> None:
        self.step += 1
        screenshot(self.page(who), f"journey_{self.step:02d}_{who}_{what}")

    def errors(self) -> list[str]:
        return [e for w in self.watchers for e in w.errors]

    def login(self, who: str, path: str, label: str, identifier: str) -> Any:
        from opencpf.web.demo import DEMO_PASSWORD

        page = self.page(who)
        page.goto(self.base + path)
        page.get_by_label(label).fill(identifier)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state("networkidle")
        return page

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def journey(browser, live_server) -> Any:  # type: ignore[no-untyped-def]
    from opencpf.identity.models import Holder
    from opencpf.search import runtime
    from opencpf.web import demo, page_tour

    clock.freeze(MONDAY)
    demo.load()
    holder = Holder.objects.select_related("user").get(user__email=demo.DEMO_HOLDERS[0].email)
    page_tour.holder_ready(holder)
    runtime.reset(None)  # the search index is built from this test's catalogue
    j = Journey(browser, live_server)
    j.holder = holder
    yield j
    j.close()
    runtime.reset(None)
    clock.unfreeze()


def totp_code(user: Any) -> str:
    from django_otp.oath import totp

    from opencpf.identity import strong

    device = strong.totp_device(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def holder_requests_a_session(j: Journey) -> None:
    from opencpf.web.demo import DEMO_HOLDERS

    page = j.login("holder", "/connexion/", "Numéro de sécurité sociale", DEMO_HOLDERS[0].nir)
    assert page.get_by_role("heading", name="Mes droits formation").is_visible()
    j.shot("holder", "tableau_de_bord")
    page.goto(j.base + "/")
    page.get_by_label("Rechercher une formation").fill("anglais")
    page.get_by_label("Près de").fill("Lyon")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/recherche/?*")
    assert page.get_by_role("status").filter(has_text="autour de").is_visible()
    j.shot("holder", "resultats")
    card = page.locator("li.fr-card").filter(has_text="FormaPro Lyon").filter(has_text="Lyon (69002)").first
    card.get_by_role("link").first.click()
    page.wait_for_url("**/formations/*/")
    assert page.get_by_role("heading", name="Ce que cette formation me coûte").is_visible()
    assert page.get_by_role("cell", name="Mes droits CPF").is_visible()
    j.shot("holder", "offre")
    page.get_by_role("link", name="Demander une inscription").first.click()
    page.wait_for_url("**/demande/")
    j.shot("holder", "demande")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/mon-compte/dossiers/*/")
    assert page.get_by_text("Demande d'inscription").first.is_visible()
    j.number = page.url.rstrip("/").rsplit("/", 1)[1]
    j.shot("holder", "dossier_demande")


def provider_proposes(j: Journey) -> None:
    from opencpf.web.demo import DEMO_PROVIDER_STAFF

    page = j.login("provider", "/organisme/connexion/", "Adresse électronique", DEMO_PROVIDER_STAFF[0])
    row = page.get_by_role("row").filter(has_text=j.number)
    assert row.get_by_text("jours").is_visible()  # the dashboard tells the days left to answer
    j.shot("provider", "tableau_de_bord")
    row.get_by_role("link", name=j.number).click()
    page.wait_for_url(f"**/organisme/dossiers/{j.number}/")
    page.get_by_role("button", name="Envoyer la proposition").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Proposition envoyée au titulaire.").is_visible()
    j.shot("provider", "proposition")


def holder_accepts_with_second_factor(j: Journey) -> None:
    page = j.page("holder")
    page.goto(j.base + "/mon-compte/")
    # The demo holds other proposals: the link to this journey's dossier.
    mine = page.locator(f'a[href$="/mon-compte/dossiers/{j.number}/"]')
    mine.filter(has_text="Accepter ou refuser la proposition de l'organisme").click()
    page.wait_for_url(f"**/mon-compte/dossiers/{j.number}/")
    page.get_by_role("link", name="Accepter la proposition").click()
    page.wait_for_url("**/securite/verification/**")
    j.shot("holder", "second_facteur")
    page.get_by_label("Code").fill(totp_code(j.holder.user))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"**/mon-compte/dossiers/{j.number}/accepter/")
    j.shot("holder", "acceptation")
    page.get_by_role("button", name="Confirmer et accepter").click()
    page.wait_for_url(f"**/mon-compte/dossiers/{j.number}/")
    assert page.get_by_text("Proposition acceptée").is_visible()
    j.shot("holder", "dossier_valide")


def provider_declares_entry(j: Journey) -> None:
    from opencpf.enrolment.models import Dossier

    start = Dossier.objects.get(number=j.number).start_date
    clock.freeze(dt.datetime.combine(start, dt.time(9, 0)))  # the clock moves to the first day of the session
    page = j.page("provider")
    page.goto(f"{j.base}/organisme/dossiers/{j.number}/")
    page.get_by_role("button", name="Déclarer l'entrée en formation").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("En formation").first.is_visible()
    j.shot("provider", "entree")


# --- After entry: these steps run once the exit, rating and payment pages are merged ----------------------


def provider_declares_exit(j: Journey) -> None:
    from opencpf.enrolment.models import Dossier

    dossier = Dossier.objects.select_related("offer").get(number=j.number)
    clock.freeze(dt.datetime.combine(dossier.end_date + dt.timedelta(days=1), dt.time(9, 0)))
    page = j.page("provider")
    page.goto(f"{j.base}/organisme/dossiers/{j.number}/")
    page.get_by_label("Heures suivies").fill(str(dossier.offer.hours_total))  # the exit date is the session's end
    page.get_by_role("button", name="Déclarer la sortie").click()
    page.wait_for_load_state("networkidle")
    assert Dossier.objects.get(number=j.number).exit_date == dossier.end_date
    j.shot("provider", "sortie")


def holder_rates(j: Journey) -> None:
    page = j.page("holder")
    page.goto(f"{j.base}/mon-compte/")
    page.locator(f'a[href*="/mon-compte/dossiers/{j.number}/"]').filter(has_text="Noter la formation").first.click()
    page.wait_for_url(f"**/mon-compte/dossiers/{j.number}/")
    for label in page.locator("label").filter(has_text=re.compile(r"^5 –")).all():  # 5 on every criterion
        label.click()
    page.get_by_role("button", name="Envoyer mon évaluation").click()
    page.wait_for_load_state("networkidle")
    from opencpf.reviews.models import Rating

    assert Rating.objects.filter(dossier__number=j.number).exists()
    j.shot("holder", "evaluation")


def payment_run_pays_the_provider(j: Journey) -> None:
    from django.core.management import call_command, get_commands

    from opencpf.enrolment.models import Dossier
    from opencpf.identity.models import User
    from opencpf.payments.models import BankAccountStatus, ProviderBankAccount
    from opencpf.web.demo import DEMO_PROVIDER_STAFF

    provider = Dossier.objects.get(number=j.number).provider
    if not ProviderBankAccount.objects.filter(provider=provider, status=BankAccountStatus.ACTIVE).exists():
        ProviderBankAccount.objects.create(  # approved bank details (their own pages are tested in tests/payments)
            provider=provider,
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
            account_holder=provider.name,
            status=BankAccountStatus.ACTIVE,
            requested_by=User.objects.get(email=DEMO_PROVIDER_STAFF[0]),
            requested_at=clock.now(),
        )
    # The payment run as the scheduled job makes it: the payments app's command with "run" in its name.
    command = next(n for n, app in sorted(get_commands().items()) if app == "opencpf.payments" and "run" in n)
    call_command(command)
    from opencpf.payments.models import PaymentItem

    assert PaymentItem.objects.filter(dossier__number=j.number).exists(), "the run pays this journey's dossier"
    page = j.page("provider")
    page.goto(j.base + "/organisme/")
    page.get_by_role("link", name="Paiements").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Paiements", exact=True).is_visible()
    assert not page.get_by_text("Aucun virement pour le moment.").is_visible()
    j.shot("provider", "paiements")


def route_names(prefix: str, *words: str) -> list[str]:
    from opencpf.web.page_tour import portal_route_names

    return [n for n, _ in portal_route_names() if n.startswith(prefix) and any(w in n for w in words)]


def after_entry_pages_exist() -> bool:
    """The exit declaration, the rating page and the provider's payments page are merged (other branches)."""
    exit_page = route_names("provider:", "exit", "sortie")
    rating = route_names("holder:", "rate", "rating", "review", "avis", "note")
    return bool(exit_page and rating and url_exists("provider:payments"))


def test_journey_up_to_entry_into_training(journey):
    """Holder requests, provider proposes, holder accepts with a second factor, provider declares entry."""
    holder_requests_a_session(journey)
    provider_proposes(journey)
    holder_accepts_with_second_factor(journey)
    provider_declares_entry(journey)
    assert journey.errors() == []


def test_whole_journey_on_a_phone(request):
    """The same, then exit, rating, a payment run, and the provider sees the payment."""
    if not after_entry_pages_exist():
        pytest.skip("needs exit/rating/payment pages (test_journey_up_to_entry_into_training covers up to entry)")
    j = request.getfixturevalue("journey")
    holder_requests_a_session(j)
    provider_proposes(j)
    holder_accepts_with_second_factor(j)
    provider_declares_entry(j)
    provider_declares_exit(j)
    holder_rates(j)
    payment_run_pays_the_provider(j)
    assert j.errors() == []
