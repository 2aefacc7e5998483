import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path",
    ["/", "/connexion/", "/organisme/connexion/", "/gestion/connexion/", "/accessibilite/", "/aide/", "/signaler/"],
)
def test_pages_load_without_console_errors_under_csp(phone_page, live_server, path):
    phone_page.goto(live_server.url + path)
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("html").get_attribute("lang") == "fr"
    assert phone_page.locator("header.fr-header").is_visible()
    screenshot(phone_page, "shell" + path.replace("/", "_"))
    assert phone_page.watcher.errors == []
    assert axe_violations(phone_page) == []


def test_home_to_login_by_keyboard(phone_page, live_server):
    phone_page.goto(live_server.url + "/")
    phone_page.keyboard.press("Tab")
    focused = phone_page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Contenu"  # the first skip link
    phone_page.get_by_role("link", name="Mon compte formation", exact=True).focus()
    phone_page.keyboard.press("Enter")  # (a mouse click would land elsewhere: the skip links fold up on blur)
    phone_page.wait_for_url("**/connexion/**")
    assert phone_page.get_by_label("Numéro de sécurité sociale").is_visible()
    assert phone_page.watcher.errors == []


def test_api_docs_render(phone_page, live_server):
    phone_page.goto(live_server.url + "/api/docs")
    phone_page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "opencpf API" in phone_page.inner_text(".swagger-ui .info .title")
    assert phone_page.watcher.errors == []


def test_axe_harness_reports_violations(phone_page):
    phone_page.set_content("<html><head><title>t</title></head><body><main><input type='text'></main></body></html>")
    violations = axe_violations(phone_page)
    assert any(v.startswith("label ") for v in violations)
    assert any(v.startswith("html-has-lang ") for v in violations)
