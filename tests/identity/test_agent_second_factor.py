"""Agents' second factor at every login (identity.second_factor), and providers' staff's optional authenticator app.

A password-only agent session reaches no back-office route (walked from the URL resolver) and no API route; a wrong
code changes nothing, is counted and audited, and five lock the verification; enrolling an app needs the code sent
by email; an administrator resets an agent's app (reason, audit, sessions ended).
"""

from __future__ import annotations

import html
import re
import time

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencpf.core.models import AuditEvent
from opencpf.identity import roles, second_factor, strong
from opencpf.identity.models import UserSession
from opencpf.web.access import SECOND_FACTOR_OPEN
from tests.conftest import DEMO_PASSWORD, login_agent
from tests.identity.conftest import make_agent, make_provider
from tests.identity.test_access_matrix import routes

pytestmark = pytest.mark.django_db
FACTOR = "/gestion/verification/"
ENROL = "/gestion/verification/application/"


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings):  # type: ignore[no-untyped-def]
    """django-otp also slows down a device after a wrong code (1 s, 2 s…): off here, so that a right code right
    after a wrong one is judged on its own (our lockout is what these tests count)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.IDENTITY_AGENT_SECOND_FACTOR = "totp"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def code_for(device, steps_ahead: int = 0) -> str:  # type: ignore[no-untyped-def]
    """The app's code now (or for a later 30-second step, within django-otp's tolerance of one step)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + steps_ahead * device.step
    return f"{generator.token():06d}"


def emailed_code() -> str:
    found = re.search(r"code de sécurité Mon Compte Formation est : (\d{6})", mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


def password_login(client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/gestion/connexion/", {"username": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def with_app(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_password_only_agent_session_reaches_no_backoffice_nor_api_route(client):
    admin = make_agent(roles.ADMINISTRATOR)  # every permission: only the second factor stands in the way
    password_login(client, admin)
    all_routes = routes({})
    web = [
        r for r in all_routes if r.kind == "web" and r.path.startswith("/gestion/") and r.name not in SECOND_FACTOR_OPEN
    ]
    api = [r for r in all_routes if r.kind == "api"]
    assert len(web) > 40 and len(api) > 20
    leaks = []
    for route in web:
        for method in ("get", "post"):
            response = getattr(client, method)(route.path)
            if not (response.status_code == 302 and response["Location"].startswith(f"{FACTOR}?next=")):
                leaks.append(f"{method.upper()} {route.path} [{route.name}] -> {response.status_code}")
    for route in api:
        method = route.methods[0].lower()
        response = (
            client.get(route.path)
            if method == "get"
            else getattr(client, method)(route.path, data="{}", content_type="application/json")
        )
        if not (response.status_code == 403 and response.json()["code"] == "second_factor_required"):
            leaks.append(f"{method.upper()} {route.path} [{route.name}] -> {response.status_code}")
    assert not leaks, "\n".join(leaks)
    assert AuditEvent.objects.filter(action__startswith="identity.agent").count() == 0  # nothing ran
    # The factor's own page and the way out stay open.
    assert client.get(FACTOR).status_code == 200
    assert client.post("/gestion/deconnexion/").status_code == 302


def test_the_decorator_enforces_it_too_without_the_middleware(client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("AgentSecondFactorMiddleware")]
    client.force_login(make_agent(roles.ADMINISTRATOR))
    response = client.get("/gestion/gestionnaires/")
    assert response.status_code == 302 and response["Location"].startswith(f"{FACTOR}?next=")


def test_totp_code_opens_the_backoffice_and_is_audited(client):
    agent = make_agent(roles.SUPPORT)
    device = with_app(agent)
    password_login(client, agent)
    page = client.get(f"{FACTOR}?next=/gestion/demandes/")
    assert "affiché par votre application d'authentification" in text(page)
    response = client.post(FACTOR, {"code": code_for(device), "next": "/gestion/demandes/"})
    assert response.status_code == 302 and response["Location"] == "/gestion/demandes/"
    assert client.session[second_factor.SESSION_KEY]["u"] == agent.pk
    assert client.get("/gestion/demandes/").status_code == 200
    event = AuditEvent.objects.get(action="identity.agent_factor.passed")
    assert event.actor == agent and event.data == {"method": "totp"}


def test_wrong_code_changes_nothing_and_is_counted(client):
    agent = make_agent(roles.SUPPORT)
    device = with_app(agent)
    password_login(client, agent)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post(FACTOR, {"code": wrong, "next": "/gestion/"})
    assert response.status_code == 200 and "incorrect" in text(response)
    assert second_factor.SESSION_KEY not in client.session
    assert client.get("/gestion/").status_code == 302
    assert second_factor.failures(agent) == 1
    assert AuditEvent.objects.filter(action="identity.agent_factor.failed", actor=agent).count() == 1
    assert not AuditEvent.objects.filter(action="identity.agent_factor.passed").exists()
    # A right code after it passes, and the count starts again.
    assert client.post(FACTOR, {"code": code_for(device), "next": "/gestion/"}).status_code == 302
    assert second_factor.failures(agent) == 0 and client.get("/gestion/").status_code == 200


def test_repeated_wrong_codes_lock_the_verification_even_for_the_right_code(client):
    agent = make_agent(roles.SUPPORT)
    device = with_app(agent)
    password_login(client, agent)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(second_factor.failure_limit()):
        client.post(FACTOR, {"code": wrong})
    assert second_factor.locked(agent)
    assert AuditEvent.objects.filter(action="identity.agent_factor.locked", actor=agent).count() == 1
    response = client.post(FACTOR, {"code": code_for(device)})
    assert response.status_code == 200 and "bloquée pendant une heure" in text(response)
    assert second_factor.SESSION_KEY not in client.session and client.get("/gestion/").status_code == 302
    assert "bloquée pendant une heure" in text(client.get(FACTOR))  # said on the page, before any new try
    # A new session (another browser) is locked as well: the count belongs to the agent.
    other = Client()
    password_login(other, agent)
    assert "bloquée" in text(other.post(FACTOR, {"code": code_for(device)}))
    assert not AuditEvent.objects.filter(action="identity.agent_factor.passed").exists()


def test_enrolment_needs_the_emailed_code_then_the_apps_code(client):
    agent = make_agent(roles.CASE_MANAGER)
    password_login(client, agent)
    page = client.get(f"{FACTOR}?next=/gestion/")
    assert "Configurer mon application d'authentification" in text(page)
    assert client.post(FACTOR, {"code": "123456"}).status_code == 200  # no app: no code can pass
    assert second_factor.SESSION_KEY not in client.session
    # Step 1: a made-up code, then before any code was sent: no device.
    assert "Recevoir un code par courriel" in text(client.get(ENROL))
    client.post(ENROL, {"email_code": "123456"})
    assert not TOTPDevice.objects.filter(user=agent).exists()
    client.post(ENROL, {"send": "1"})
    assert mail.outbox[-1].to == [agent.email]
    code = emailed_code()
    wrong = "000000" if code != "000000" else "111111"
    assert "incorrect" in text(client.post(ENROL, {"email_code": wrong}))
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert second_factor.failures(agent) == 3  # each wrong code so far counts towards the lock
    page = client.post(ENROL, {"email_code": code, "next": "/gestion/"})
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert "Étape 2 sur 2" in text(page)
    # Step 2: the app's first code confirms the device and passes the factor.
    response = client.post(ENROL, {"code": code_for(device), "next": "/gestion/"})
    assert response.status_code == 302 and response["Location"] == "/gestion/"
    device.refresh_from_db()
    assert device.confirmed and client.get("/gestion/").status_code == 200
    assert AuditEvent.objects.filter(action="identity.totp.enrolled", actor=agent).exists()
    # With an app, a password-only session cannot enrol another one.
    other = Client()
    password_login(other, agent)
    assert other.get(ENROL)["Location"] == FACTOR
    other.post(ENROL, {"send": "1"})
    assert TOTPDevice.objects.filter(user=agent).count() == 1


def test_email_mode_of_the_demo_passes_with_an_emailed_code(client, settings):
    settings.IDENTITY_AGENT_SECOND_FACTOR = "email"
    agent = make_agent(roles.SUPPORT)
    password_login(client, agent)
    assert "Recevoir un code par courriel" in text(client.get(FACTOR))
    client.post(FACTOR, {"send": "1"})
    response = client.post(FACTOR, {"code": emailed_code(), "next": "/gestion/demandes/"})
    assert response.status_code == 302 and client.get("/gestion/demandes/").status_code == 200
    assert AuditEvent.objects.get(action="identity.agent_factor.passed").data == {"method": "email"}


def test_off_lets_the_password_alone_in(client, settings):
    settings.IDENTITY_AGENT_SECOND_FACTOR = "off"
    agent = make_agent(roles.SUPPORT)
    password_login(client, agent)
    assert client.get("/gestion/demandes/").status_code == 200


def test_administrator_resets_an_agents_app_with_a_reason(client):
    admin = make_agent(roles.ADMINISTRATOR)
    target = make_agent(roles.SUPPORT)
    device = with_app(target)
    theirs = Client()
    password_login(theirs, target)
    assert theirs.post(FACTOR, {"code": code_for(device)}).status_code == 302
    login_agent(client, admin)
    url = f"/gestion/gestionnaires/{target.pk}/reinitialiser-application/"
    assert "Réinitialiser l'application" in text(client.get("/gestion/gestionnaires/"))
    # Without a reason: refused, nothing changes.
    page = client.post(url, {"reason": " "}, follow=True)
    assert "motif" in text(page)
    assert TOTPDevice.objects.filter(user=target).exists() and theirs.get("/gestion/").status_code == 200
    # Another agent than an administrator: 403, nothing changes.
    support = Client()
    login_agent(support, make_agent(roles.CASE_MANAGER))
    assert support.post(url, {"reason": "Téléphone perdu"}).status_code == 403
    assert TOTPDevice.objects.filter(user=target).exists()
    # An administrator cannot reset their own (another one must).
    with_app(admin)
    client.post(f"/gestion/gestionnaires/{admin.pk}/reinitialiser-application/", {"reason": "Téléphone perdu"})
    assert TOTPDevice.objects.filter(user=admin).exists()
    # With a reason: app removed, the agent's sessions ended, audited, the agent told.
    assert client.post(url, {"reason": "Téléphone perdu le 2 mars"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not UserSession.objects.filter(user=target).exists()
    assert theirs.get("/gestion/")["Location"].startswith("/gestion/connexion/")
    event = AuditEvent.objects.get(action="identity.totp.removed", object_id=str(target.pk))
    assert event.actor == admin and event.reason == "Téléphone perdu le 2 mars"
    assert mail.outbox[-1].to == [target.email] and "réinitialisé" in mail.outbox[-1].body
    # At the next login, the agent enrols a new app.
    password_login(theirs, target)
    assert "Configurer mon application" in text(theirs.get(FACTOR))


def test_reset_lifts_a_lock(client):
    admin = make_agent(roles.ADMINISTRATOR)
    target = make_agent(roles.SUPPORT)
    device = with_app(target)
    theirs = Client()
    password_login(theirs, target)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(second_factor.failure_limit()):
        theirs.post(FACTOR, {"code": wrong})
    assert second_factor.locked(target)
    login_agent(client, admin)
    client.post(f"/gestion/gestionnaires/{target.pk}/reinitialiser-application/", {"reason": "Codes bloqués"})
    assert not second_factor.locked(target)


# --- providers' staff: an optional authenticator app, then used for the step-up --------------------------------


def test_provider_staff_enrols_an_app_then_steps_up_with_it(client):
    _provider, staff = make_provider("Organisme A", "73282932000074", "admin@a.example.org")
    client.force_login(staff)
    assert "Configurer une application d'authentification" in text(client.get("/organisme/securite/"))
    client.post("/organisme/securite/application/", {"email_code": "123456"})
    assert not TOTPDevice.objects.exists()  # the emailed code comes first
    client.post("/organisme/securite/application/", {"send": "1"})
    client.post("/organisme/securite/application/", {"email_code": emailed_code()})
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    response = client.post("/organisme/securite/application/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/organisme/securite/"
    device.refresh_from_db()
    assert device.confirmed and AuditEvent.objects.filter(action="identity.totp.enrolled", actor=staff).exists()

    # A new session: the step-up asks for the app's code, no more for an emailed one.
    other = Client()
    other.force_login(staff)
    page = text(other.get("/organisme/securite/verification/"))
    assert "affiché par votre application d'authentification" in page and "Recevoir un code" not in page
    sent = len(mail.outbox)
    other.post("/organisme/securite/verification/", {"send": "1"})
    assert len(mail.outbox) == sent
    wrong = "000000" if code_for(device, 1) != "000000" else "111111"
    other.post("/organisme/securite/verification/", {"code": wrong})
    assert strong.SESSION_KEY not in other.session
    response = other.post("/organisme/securite/verification/", {"code": code_for(device, 1), "next": "/organisme/"})
    assert response.status_code == 302 and other.session[strong.SESSION_KEY]["method"] == "totp"


def test_provider_staff_removes_the_app_only_with_a_strong_session(client):
    _provider, staff = make_provider("Organisme A", "73282932000074", "admin@a.example.org")
    device = with_app(staff)
    client.force_login(staff)
    page = text(client.get("/organisme/securite/"))
    assert "confirmez d'abord votre identité" in page
    client.post("/organisme/securite/application/supprimer/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    client.post("/organisme/securite/verification/", {"code": code_for(device)})
    assert client.post("/organisme/securite/application/supprimer/").status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert AuditEvent.objects.filter(action="identity.totp.removed", actor=staff).exists()
