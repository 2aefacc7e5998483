"""Providers' staff confirm their identity with a code sent by email, then may ask to change the bank details."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail

from opencpf.identity.strong import SESSION_KEY
from opencpf.payments.models import BankAccountStatus, ProviderBankAccount
from tests.identity.conftest import make_provider

pytestmark = pytest.mark.django_db
BANK = "/organisme/coordonnees-bancaires/"
STEP_UP = "/organisme/securite/verification/"
CHANGE = {"iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP", "account_holder": "Organisme A SAS"}


@pytest.fixture
def staff(client, settings):  # type: ignore[no-untyped-def]
    settings.IDENTITY_SECOND_FACTOR = "totp"  # the default: providers without an authenticator get an email code
    _provider, user = make_provider("Organisme A", "73282932000074", "admin@a.example.org")
    client.force_login(user)
    return user


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def sent_code() -> str:
    found = re.search(r"code de sécurité Mon Compte Formation est : (\d{6})", mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


def send_code(client, django_capture_on_commit_callbacks) -> str:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(STEP_UP, {"send": "1", "next": BANK})
    assert response.status_code == 200 and mail.outbox[-1].to == ["admin@a.example.org"]
    return sent_code()


def test_bank_details_page_links_to_the_step_up_and_refuses_a_change_without_it(client, staff):
    page = text(client.get(BANK))
    assert f'href="{STEP_UP}?next=/organisme/coordonnees-bancaires/"' in page and "Confirmer mon identité" in page
    response = client.post(BANK, CHANGE)
    assert response.status_code == 200 and "fr-alert--error" in text(response)
    assert not ProviderBankAccount.objects.exists()


def test_email_code_makes_the_session_strong_then_the_change_request_succeeds(
    client, staff, django_capture_on_commit_callbacks
):
    page = client.get(f"{STEP_UP}?next={BANK}")
    assert page.status_code == 200 and "Recevoir un code par courriel" in text(page)
    code = send_code(client, django_capture_on_commit_callbacks)
    response = client.post(STEP_UP, {"code": code, "next": BANK})
    assert response.status_code == 302 and response["Location"] == BANK
    assert client.session[SESSION_KEY]["method"] == "email"
    assert "Confirmer mon identité" not in text(client.get(BANK))
    response = client.post(BANK, CHANGE)
    assert response.status_code == 302
    account = ProviderBankAccount.objects.get()
    assert account.status == BankAccountStatus.PENDING and account.requested_by == staff


def test_wrong_code_changes_nothing(client, staff, django_capture_on_commit_callbacks):
    code = send_code(client, django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(STEP_UP, {"code": wrong, "next": BANK})
    assert response.status_code == 200 and "incorrect" in text(response)
    assert SESSION_KEY not in client.session
    client.post(BANK, CHANGE)
    assert not ProviderBankAccount.objects.exists()
    assert client.post(STEP_UP, {"code": code, "next": BANK}).status_code == 302  # the right code still works


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/x", "javascript:alert(1)"])
def test_next_must_stay_on_the_site(client, staff, django_capture_on_commit_callbacks, target):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(STEP_UP, {"send": "1"})
    response = client.post(STEP_UP, {"code": sent_code(), "next": target})
    assert response.status_code == 302 and response["Location"] == BANK


def test_holders_and_anonymous_callers_cannot_use_the_provider_step_up(client, holder):
    response = client.get(STEP_UP)
    assert response.status_code == 302 and response["Location"].startswith("/organisme/connexion/?next=")
    client.force_login(holder.user)
    assert client.get(STEP_UP).status_code == 403
