"""Strong authentication for money: refused without it (nothing changes), TOTP and email code, purchase block."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import pytest
from django.core import mail
from django.test import RequestFactory
from django_otp.oath import TOTP, totp

from opencpf.core import clock
from opencpf.identity import strong
from opencpf.identity.exceptions import PurchaseBlocked, StrongAuthenticationRequired
from tests.conftest import DEMO_PASSWORD

NIR = "1 85 05 78 006 084 91"


def login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/connexion/", {"username": NIR, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def email_code(client) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"code de sécurité Mon Compte Formation est : (\d{6})", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]


def next_step_code(device) -> str:  # type: ignore[no-untyped-def]
    """The code of the next 30-second step (within django-otp's tolerance; the current one was used)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + device.step
    return f"{generator.token():06d}"


def enrol_totp(client) -> object:  # type: ignore[no-untyped-def]
    client.post("/mon-compte/securite/application/", {"send": "1"})
    client.post("/mon-compte/securite/application/", {"email_code": email_code(client)})
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/mon-compte/securite/application/", {"code": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


@pytest.mark.django_db
def test_change_refused_without_strong_session_and_nothing_changes(client, confirmed):
    login(client)
    response = client.get("/mon-compte/securite/courriel/")
    assert response.status_code == 302 and response["Location"].startswith("/mon-compte/securite/verification/")
    response = client.post("/mon-compte/securite/courriel/", {"email": "pirate@example.org"})
    assert response.status_code == 302
    confirmed.user.refresh_from_db()
    assert confirmed.user.email == "paul.martin@example.org" and confirmed.user.security_changed_at is None
    page = client.get(response["Location"], follow=True)
    assert "authentification renforcée" in text(page)


@pytest.mark.django_db
def test_service_refuses_without_strong_session(confirmed):
    from django.contrib.sessions.backends.db import SessionStore

    from opencpf.identity.services import user_phone_change

    request = RequestFactory().post("/")
    request.user = confirmed.user
    request.session = SessionStore()
    with pytest.raises(StrongAuthenticationRequired):
        user_phone_change(request=request, user=confirmed.user, new_phone="0700000000")
    confirmed.user.refresh_from_db()
    assert confirmed.user.phone == ""


@pytest.mark.django_db
def test_totp_enrolment_needs_email_code_then_step_up_allows_email_change(client, confirmed, settings):
    settings.IDENTITY_SECOND_FACTOR = "totp"
    login(client)
    # A wrong email code does not create a device.
    client.post("/mon-compte/securite/application/", {"send": "1"})
    client.post(
        "/mon-compte/securite/application/", {"email_code": "000000" if email_code(client) != "000000" else "111111"}
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.exists()
    device = enrol_totp(client)
    # Enrolment itself made the session strong; start a fresh session to test the step-up.
    client.logout()
    login(client)
    assert client.get("/mon-compte/securite/courriel/").status_code == 302
    bad = client.post(
        "/mon-compte/securite/verification/", {"code": "000000", "next": "/mon-compte/securite/courriel/"}
    )
    assert "incorrect" in text(bad)
    time.sleep(1.1)  # django-otp throttles the device for 1 s after a failure
    good = client.post(
        "/mon-compte/securite/verification/",
        {"code": next_step_code(device), "next": "/mon-compte/securite/courriel/"},
    )
    assert good.status_code == 302 and good["Location"] == "/mon-compte/securite/courriel/"
    mail.outbox.clear()
    response = client.post("/mon-compte/securite/courriel/", {"email": "paul.nouveau@example.org"})
    assert response.status_code == 302
    confirmed.user.refresh_from_db()
    assert confirmed.user.email == "paul.nouveau@example.org"
    assert confirmed.user.email_confirmed_at is None and confirmed.user.security_changed_at is not None
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["paul.martin@example.org", "paul.nouveau@example.org"]  # old address notified


@pytest.mark.django_db
def test_email_code_second_factor_and_purchase_block(client, confirmed, settings, frozen_clock):
    settings.IDENTITY_SECOND_FACTOR = "email"
    login(client)
    client.post("/mon-compte/securite/verification/", {"send": "1"})
    code = email_code(client)
    response = client.post(
        "/mon-compte/securite/verification/", {"code": code, "next": "/mon-compte/securite/telephone/"}
    )
    assert response.status_code == 302
    assert client.post("/mon-compte/securite/telephone/", {"phone": "07 11 22 33 44"}).status_code == 302
    confirmed.user.refresh_from_db()
    assert confirmed.user.phone == "0711223344"
    ok, reason = strong.holder_can_purchase(confirmed)
    assert not ok and "bloqués jusqu'au 05/03/2026 à 10:00" in reason  # 72 h after 02/03 10:00
    frozen_clock.move(dt.timedelta(hours=71, minutes=59))
    assert strong.holder_can_purchase(confirmed)[0] is False
    frozen_clock.move(dt.timedelta(minutes=1))
    assert strong.holder_can_purchase(confirmed) == (True, "")


@pytest.mark.django_db
def test_email_code_is_single_use_and_burns_after_five_tries(client, confirmed, settings):
    settings.IDENTITY_SECOND_FACTOR = "email"
    login(client)
    client.post("/mon-compte/securite/verification/", {"send": "1"})
    code = email_code(client)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/mon-compte/securite/verification/", {"code": wrong})
    response = client.post("/mon-compte/securite/verification/", {"code": code})
    assert response.status_code == 200 and "incorrect ou a expiré" in text(response)


@pytest.mark.django_db
def test_code_sending_is_rate_limited(client, confirmed, settings):
    settings.IDENTITY_SECOND_FACTOR = "email"
    settings.IDENTITY_RATE_LIMITS = {"code_send": (3, 3600)}
    login(client)
    for _ in range(5):
        client.post("/mon-compte/securite/verification/", {"send": "1"})
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_require_purchase_allowed(rf, confirmed, other_holder, settings):
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.post("/")
    request.user = confirmed.user
    request.session = SessionStore()
    with pytest.raises(StrongAuthenticationRequired):
        strong.require_purchase_allowed(request, confirmed)
    strong.mark_strong(request, method="totp")
    strong.require_purchase_allowed(request, confirmed)
    from opencpf.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # somebody else's account
        strong.require_purchase_allowed(request, other_holder)
    confirmed.user.email_confirmed_at = None
    with pytest.raises(PurchaseBlocked):
        strong.require_purchase_allowed(request, confirmed)
    # A strong session expires.
    confirmed.user.email_confirmed_at = clock.now()
    clock.freeze(clock.now() + dt.timedelta(seconds=settings.IDENTITY_STRONG_SESSION_SECONDS + 1))
    assert not strong.is_strong_session(request)


@pytest.mark.django_db
def test_replacing_the_authenticator_blocks_purchases_but_a_first_enrolment_does_not(client, confirmed, settings):
    settings.IDENTITY_SECOND_FACTOR = "totp"
    login(client)
    enrol_totp(client)
    confirmed.user.refresh_from_db()
    assert strong.holder_can_purchase(confirmed) == (True, "")
    mail.outbox.clear()
    enrol_totp(client)
    confirmed.user.refresh_from_db()
    assert strong.holder_can_purchase(confirmed)[0] is False
    assert any("application d'authentification" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_step_up_without_authenticator_leads_to_enrolment(client, confirmed, settings):
    settings.IDENTITY_SECOND_FACTOR = "totp"
    login(client)
    response = client.get("/mon-compte/securite/verification/?next=/mon-compte/securite/telephone/")
    assert response.status_code == 302 and response["Location"].startswith("/mon-compte/securite/application/")


@pytest.mark.django_db
def test_api_step_up_with_totp(client, confirmed, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.IDENTITY_SECOND_FACTOR = "totp"
    device = TOTPDevice.objects.create(user=confirmed.user, name="app", confirmed=True)
    pair = client.post(
        "/api/v1/auth/token", {"nir": NIR, "password": DEMO_PASSWORD}, content_type="application/json"
    ).json()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {pair['access_token']}"}
    response = client.post(
        "/api/v1/auth/renforcer", {"code": f"{totp(device.bin_key):06d}"}, content_type="application/json", **headers
    )
    assert response.status_code == 204
    assert client.get("/api/v1/me", **headers).json()["session_renforcee"] is True


@pytest.mark.django_db
def test_bad_email_confirmation_link(client, holder):
    response = client.get("/confirmer-email/faux/")
    assert response.status_code == 400 and "n'est pas valide" in text(response)
    holder.user.refresh_from_db()
    assert holder.user.email_confirmed_at is None
