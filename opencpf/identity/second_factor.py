"""The agents' second factor at every login (ANSSI): after the password, nothing of the back-office until a TOTP
code (django-otp) is checked in the same session. An agent without an authenticator app enrols one, which needs a
code sent to their email first (`strong.email_code_*`: hashed, 10 minutes, 5 tries, rate-limited).

The setting IDENTITY_AGENT_SECOND_FACTOR: "totp" (default, production), "email" (a code by email also passes it:
the demo, whose console shows the email), "off" (refused by the production settings). Wrong codes are counted per
agent; after IDENTITY_AGENT_FACTOR_FAILURES of them (5) the agent's verification is locked for
IDENTITY_AGENT_FACTOR_LOCK_SECONDS (1 hour), even with a right code, like django-axes does for passwords.
`opencpf.web.access.AgentSecondFactorMiddleware` enforces it for every route.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.identity import ratelimit, strong
from opencpf.identity.exceptions import AuditReasonRequired, InvalidCode, SecondFactorLocked
from opencpf.identity.models import User, UserKind, UserSession

SESSION_KEY = "identity_agent_factor"
MODE_TOTP, MODE_EMAIL, MODE_OFF = "totp", "email", "off"
METHOD_TOTP, METHOD_EMAIL = strong.METHOD_TOTP, strong.METHOD_EMAIL


def mode() -> str:
    value = getattr(settings, "IDENTITY_AGENT_SECOND_FACTOR", MODE_TOTP)
    if value is False or str(value).lower() in ("off", "false", "0", "no", ""):
        return MODE_OFF
    return MODE_EMAIL if str(value).lower() == MODE_EMAIL else MODE_TOTP


def failure_limit() -> int:
    return int(getattr(settings, "IDENTITY_AGENT_FACTOR_FAILURES", 5))


def lock_seconds() -> int:
    return int(getattr(settings, "IDENTITY_AGENT_FACTOR_LOCK_SECONDS", 3600))


def required_for(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and getattr(user, "kind", None) == UserKind.AGENT
        and (mode() != MODE_OFF)
    )


def passed(request: Any) -> bool:
    """Whether this session's agent passed the second factor since the login."""
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    user = getattr(request, "user", None)
    if not data or user is None:
        return False
    return bool(data.get("u") == user.pk)


def pending(request: Any) -> bool:
    """An agent signed in with the password only: every route but the second factor's is closed."""
    return required_for(getattr(request, "user", None)) and not passed(request)


def mark_passed(session: Any, user: User, *, method: str) -> None:
    """The session flag the back-office checks. Tests set it through here too (`tests.conftest.login_agent`)."""
    session[SESSION_KEY] = {"u": user.pk, "m": method, "at": clock.now().isoformat()}


# --- lockout after wrong codes -------------------------------------------------------------------------------


def _fail_key(user: User) -> str:
    return f"identity:agent-factor-failures:{user.pk}"


def failures(user: User) -> int:
    return int(cache.get(_fail_key(user)) or 0)


def locked(user: User) -> bool:
    return failures(user) >= failure_limit()


def _count_failure(user: User) -> int:
    key = _fail_key(user)
    if cache.add(key, 1, timeout=lock_seconds()):
        return 1
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=lock_seconds())
        return 1
    cache.touch(key, lock_seconds())  # the lock lasts from the last wrong code
    return count


def _checked(*, request: Any, user: User, method: str, check: Any) -> Any:
    """Run one code check: refused while locked, a wrong code counted and audited, a right one resets the count."""
    ratelimit.check("code_check", f"user:{user.pk}")
    if locked(user):
        raise SecondFactorLocked()
    try:
        result = check()
    except InvalidCode:
        count = _count_failure(user)
        audit_record(
            action="identity.agent_factor.failed", actor=user, obj=user, request=request, data={"method": method}
        )
        if count >= failure_limit():
            audit_record(action="identity.agent_factor.locked", actor=user, obj=user, request=request)
            raise SecondFactorLocked() from None
        raise
    cache.delete(_fail_key(user))
    return result


# --- passing the factor --------------------------------------------------------------------------------------


def available_method(user: User) -> str | None:
    """What this agent can use now: their authenticator app, an email code (mode "email"), or None (enrol first)."""
    if strong.totp_device(user) is not None:
        return METHOD_TOTP
    return METHOD_EMAIL if mode() == MODE_EMAIL else None


def email_code_send(*, request: Any, user: User) -> None:
    """A code by email: to pass the factor (mode "email") or to start enrolling an authenticator app."""
    if locked(user):
        raise SecondFactorLocked()
    strong.email_code_send(request=request, user=user)


def verify(*, request: Any, user: User, code: str) -> str:
    """Check the agent's code (TOTP, or email in mode "email"); mark the session. Returns the method used."""
    method = available_method(user)

    def check() -> None:
        if method == METHOD_TOTP:
            device = strong.totp_device(user)
            if device is None or not device.verify_token((code or "").strip()):
                raise InvalidCode()
            from django_otp import login as otp_login

            otp_login(request, device)
        elif method == METHOD_EMAIL:
            strong.email_code_check(request=request, user=user, code=code)
        else:
            raise InvalidCode()

    _checked(request=request, user=user, method=method or "none", check=check)
    mark_passed(request.session, user, method=method or "")
    audit_record(action="identity.agent_factor.passed", actor=user, obj=user, request=request, data={"method": method})
    return method or ""


# --- enrolling an authenticator app (agents and providers' staff) --------------------------------------------


def enrol_email_check(*, request: Any, user: User, code: str) -> Any:
    """The emailed code proves the address: a new unconfirmed TOTP device to add to the app."""

    def check() -> Any:
        strong.email_code_check(request=request, user=user, code=code)
        return strong.totp_enrol_start(user=user)

    if user.kind == UserKind.AGENT:
        return _checked(request=request, user=user, method="email", check=check)
    ratelimit.check("code_check", f"user:{user.pk}")
    return check()


def enrol_confirm(*, request: Any, user: User, code: str) -> Any:
    """The app's first code confirms the device (audited `identity.totp.enrolled`); an agent's factor is passed."""
    if user.kind != UserKind.AGENT:
        ratelimit.check("code_check", f"user:{user.pk}")
        return strong.totp_enrol_confirm(request=request, user=user, code=code)
    device = _checked(
        request=request,
        user=user,
        method=METHOD_TOTP,
        check=lambda: strong.totp_enrol_confirm(request=request, user=user, code=code),
    )
    mark_passed(request.session, user, method=METHOD_TOTP)
    audit_record(action="identity.agent_factor.passed", actor=user, obj=user, request=request, data={"method": "totp"})
    return device


@transaction.atomic
def totp_remove(*, request: Any, user: User) -> None:
    """A provider's staff member removes their own authenticator app (strong session required)."""
    strong.require_strong_session(request)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(action="identity.totp.removed", actor=user, obj=user, request=request)


@transaction.atomic
def agent_factor_reset(*, by: User, agent_id: int, reason: str, request: Any = None) -> User:
    """An administrator removes an agent's authenticator app (lost phone): the agent's sessions end, their lock
    is lifted, and at the next login they enrol a new app through an emailed code. Audited with the reason."""
    from django.core.mail import send_mail
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencpf.identity.services import managed_agent

    agent = managed_agent(
        by=by, agent_id=agent_id, not_yourself="Un autre administrateur doit réinitialiser votre propre second facteur."
    )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise AuditReasonRequired("Indiquez le motif de la réinitialisation (5 caractères au moins).")
    TOTPDevice.objects.filter(user=agent).delete()
    cache.delete(_fail_key(agent))
    keys = list(UserSession.objects.filter(user=agent).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=agent).delete()
    audit_record(action="identity.totp.removed", actor=by, obj=agent, request=request, reason=reason)
    email = agent.email
    transaction.on_commit(
        lambda: send_mail(
            "Votre application d'authentification a été réinitialisée",
            "Bonjour,\n\nUn administrateur a réinitialisé le second facteur de votre compte gestionnaire. "
            "À votre prochaine connexion, configurez une nouvelle application d'authentification avec le code "
            "qui vous sera envoyé par courriel.\nSi vous n'avez rien demandé, prévenez immédiatement la sécurité.",
            None,
            [email],
        )
    )
    return agent
