"""Keyboard only: skip links, every focused element shows a visible focus ring, tables and forms reachable by Tab."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PageWatcher, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const drawn = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow && s.boxShadow !== "none");
  // DSFR draws the ring of an enlarged link (header brand, tiles, cards) on its ::before, which covers the block.
  const ring = drawn(getComputedStyle(el)) || drawn(getComputedStyle(el, "::before")) || drawn(getComputedStyle(el, "::after"));
  return {tag: el.tagName, text: (el.textContent || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 40), ring};
}"""


def tab_through(page: Any, limit: int = 60) -> list[dict]:
    """Press Tab until focus leaves the page or `limit`; return what got focus and whether a ring showed."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS)
        if focused is None:
            break
        seen.append(focused)
    return seen


def login(page: Any, base: str, path: str, identifier: str) -> None:
    from opencpf.web.demo import DEMO_PASSWORD

    page.goto(base + path)
    page.keyboard.press("Tab")  # skip link "Contenu"
    page.keyboard.press("Enter")
    page.locator("input[name=username]").focus()
    page.keyboard.type(identifier)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():  # the answer to the form's POST, not the login page's own idle state
        page.keyboard.press("Enter")  # submits the form
    page.wait_for_load_state("networkidle")


@pytest.fixture
def tour(live_server):  # type: ignore[no-untyped-def]
    from opencpf.search import runtime
    from opencpf.web import page_tour

    built = page_tour.build()
    runtime.reset(None)
    yield built
    runtime.reset(None)


def test_keyboard_only_with_visible_focus(browser, live_server, tour):
    from opencpf.web.demo import DEMO_HOLDERS, DEMO_PROVIDER_STAFF

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    watcher = PageWatcher(page)
    base = live_server.url

    # Home: the first Tab reaches the skip link; Enter moves to the content; the search is the next stop.
    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("anglais")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche/?*")

    # Every stop of these pages shows a focus ring (holder's search results and offer, provider's dossiers).
    without_ring = []
    stops = tab_through(page)
    assert any(s["tag"] == "A" and "Anglais" in s["text"] for s in stops), "results are reachable by Tab"
    without_ring += [f"recherche: {s}" for s in stops if not s["ring"]]
    offer = tour.kwargs["holder:offer"]["offer_id"]
    page.goto(f"{base}/formations/{offer}/")
    stops = tab_through(page)
    assert any("Demander une inscription" in s["text"] for s in stops)
    without_ring += [f"offre: {s}" for s in stops if not s["ring"]]
    login(page, base, "/connexion/", DEMO_HOLDERS[0].nir)
    assert "/mon-compte/" in page.url
    stops = tab_through(page)
    without_ring += [f"mon compte: {s}" for s in stops if not s["ring"]]
    screenshot(page, "keyboard_holder_dashboard")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    watcher_provider = PageWatcher(page)
    login(page, base, "/organisme/connexion/", DEMO_PROVIDER_STAFF[0])
    page.goto(base + "/organisme/dossiers/")
    stops = tab_through(page)
    without_ring += [f"dossiers: {s}" for s in stops if not s["ring"]]
    # The table's first stop per row is the dossier number: Tab to it, Enter opens the dossier.
    number = tour.kwargs["provider:dossier_detail"]["number"]
    page.goto(base + "/organisme/dossiers/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == number:
            break
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/organisme/dossiers/{number}/")
    screenshot(page, "keyboard_provider_dossier")
    context.close()

    assert not without_ring, without_ring
    assert watcher.errors == [] and watcher_provider.errors == []
