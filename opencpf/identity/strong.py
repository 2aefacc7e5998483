"""Strong authentication for money: who may confirm a purchase or change email, phone, password or bank details.

A session is strong after FranceConnect at eIDAS substantial (or high), or after a second factor: a TOTP code
(django-otp) or a one-time code sent by email. Which second factor is offered is the setting
IDENTITY_SECOND_FACTOR ("totp" or "email"). Other domains call `require_strong_session(request)` (raises) or
`is_strong_session(request)` (bool), and `holder_can_purchase(holder)` before a purchase.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.exceptions import PermissionDenied
from opencpf.core.params import param
from opencpf.identity import ratelimit
from opencpf.identity.exceptions import InvalidCode, PurchaseBlocked, StrongAuthenticationRequired
from opencpf.identity.models import ApiToken, Holder, User

SESSION_KEY = "identity_strong"
EMAIL_CODE_KEY = "identity_email_code"
STRONG_ACR = {"eidas2", "eidas3"}
METHOD_FRANCECONNECT = "franceconnect"
METHOD_TOTP = "totp"
METHOD_EMAIL = "email"


def second_factor() -> str:
    value = getattr(settings, "IDENTITY_SECOND_FACTOR", METHOD_TOTP)
    return value if value in (METHOD_TOTP, METHOD_EMAIL) else METHOD_TOTP


def strong_max_age() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "IDENTITY_STRONG_SESSION_SECONDS", 3600)))


def _session(request: Any) -> Any:
    return getattr(request, "session", None)


def mark_strong(request: Any, *, method: str) -> None:
    """Record that this session (or API token) passed strong authentication now."""
    until = clock.now() + strong_max_age()
    token = getattr(request, "api_token", None)
    if isinstance(token, ApiToken):
        token.strong_until = until
        token.save(update_fields=["strong_until"])
        return
    session = _session(request)
    if session is not None:
        session[SESSION_KEY] = {"method": method, "until": until.isoformat()}


def strong_method(request: Any) -> str | None:
    """The method that made this session strong, while it still is; None otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    token = getattr(request, "api_token", None)
    if isinstance(token, ApiToken):
        return "api" if token.strong_until and token.strong_until > clock.now() else None
    session = _session(request)
    data = session.get(SESSION_KEY) if session is not None else None
    if not data:
        return None
    try:
        until = dt.datetime.fromisoformat(data["until"])
    except (KeyError, TypeError, ValueError):
        return None
    return str(data.get("method")) if until > clock.now() else None


def is_strong_session(request: Any) -> bool:
    return strong_method(request) is not None


def require_strong_session(request: Any) -> None:
    """Raise StrongAuthenticationRequired unless the caller authenticated strongly a short while ago."""
    if not is_strong_session(request):
        raise StrongAuthenticationRequired()


def holder_can_purchase(holder: Holder) -> tuple[bool, str]:
    """Whether the holder's account may buy now (strong session aside), and a French reason when not."""
    user = holder.user
    if not user.is_active:
        return False, "Ce compte est désactivé."
    if user.email_confirmed_at is None:
        return False, (
            "Confirmez votre adresse électronique avant tout achat : cliquez sur le lien que nous vous avons "
            "envoyé (vous pouvez en demander un nouveau depuis la page « Sécurité » de votre compte)."
        )
    if user.security_changed_at is not None:
        hours = param("purchase_block_after_change_hours", on=clock.today())
        until = user.security_changed_at + dt.timedelta(hours=hours)
        if clock.now() < until:
            local = timezone.localtime(until)
            return False, (
                "Par sécurité, les achats sont bloqués jusqu'au "
                f"{local:%d/%m/%Y à %H:%M} après la modification de votre adresse électronique, "
                "de votre téléphone ou de votre mot de passe."
            )
    suspended_until = _purchases_suspended_until(holder)
    if suspended_until is not None:
        return False, (
            f"Les achats de ce compte sont suspendus jusqu'au {timezone.localtime(suspended_until):%d/%m/%Y} "
            "par décision de l'opérateur. Pour en savoir plus, contactez le support."
        )
    return True, ""


def _purchases_suspended_until(holder: Holder) -> dt.datetime | None:
    """The end of an agent's suspension of this holder's purchases in force now (trust.PurchaseSuspension)."""
    from django.apps import apps

    try:
        model = apps.get_model("trust", "PurchaseSuspension")
    except LookupError:
        return None
    now = clock.now()
    return (  # type: ignore[no-any-return]
        model.objects.filter(holder_id=holder.pk, lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )


def require_purchase_allowed(request: Any, holder: Holder) -> None:
    """What a purchase confirmation calls: strong session of the holder themself, then the account's own state."""
    require_strong_session(request)
    if holder.user_id != getattr(request.user, "pk", None):
        raise PermissionDenied("Seul le titulaire du compte peut confirmer un achat.")
    ok, reason = holder_can_purchase(holder)
    if not ok:
        raise PurchaseBlocked(reason)


# --- email one-time code -------------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _code_get(request: Any) -> Any:
    token = getattr(request, "api_token", None)
    if isinstance(token, ApiToken):
        return cache.get(f"identity:email-code:{token.pk}")
    return request.session.get(EMAIL_CODE_KEY)


def _code_set(request: Any, data: dict | None, ttl: int = 600) -> None:
    token = getattr(request, "api_token", None)
    if isinstance(token, ApiToken):
        key = f"identity:email-code:{token.pk}"
        cache.delete(key) if data is None else cache.set(key, data, ttl)
    elif data is None:
        request.session.pop(EMAIL_CODE_KEY, None)
    else:
        request.session[EMAIL_CODE_KEY] = data


def email_code_send(*, request: Any, user: User) -> None:
    """Send a 6-digit code to the user's confirmed address; the session keeps only its hash."""
    ratelimit.check("code_send", f"user:{user.pk}")
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = int(getattr(settings, "IDENTITY_EMAIL_CODE_SECONDS", 600))
    data = {"h": _code_hash(code), "u": user.pk, "until": (clock.now() + dt.timedelta(seconds=ttl)).isoformat()}
    _code_set(request, {**data, "tries": 0}, ttl)
    email = user.email
    transaction.on_commit(
        lambda: send_mail(
            "Votre code de sécurité",
            f"Votre code de sécurité Mon Compte Formation est : {code}\n\n"
            f"Il est valable {ttl // 60} minutes. Ne le communiquez à personne, pas même à un conseiller.",
            None,
            [email],
        )
    )


def email_code_check(*, request: Any, user: User, code: str) -> None:
    """Check a code sent by email; raise InvalidCode (and burn it after 5 tries)."""
    data = _code_get(request)
    if not data or data.get("u") != user.pk:
        raise InvalidCode()
    if dt.datetime.fromisoformat(data["until"]) < clock.now() or data.get("tries", 0) >= 5:
        _code_set(request, None)
        raise InvalidCode()
    if not hmac.compare_digest(data["h"], _code_hash((code or "").strip())):
        data["tries"] = data.get("tries", 0) + 1
        _code_set(request, data)
        raise InvalidCode()
    _code_set(request, None)


# --- TOTP (django-otp) ---------------------------------------------------------------------------------------


def totp_device(user: User, *, confirmed: bool = True) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def totp_enrol_start(*, user: User) -> Any:
    """A new unconfirmed TOTP device (replacing any pending one); confirmed by its first valid code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)


@transaction.atomic
def totp_enrol_confirm(*, request: Any, user: User, code: str) -> Any:
    device = totp_device(user, confirmed=False)
    if device is None or not device.verify_token((code or "").strip()):
        raise InvalidCode()
    replaced = type(device).objects.filter(user=user, confirmed=True).exists()
    type(device).objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action="identity.totp.enrolled", actor=user, obj=user, request=request)
    if replaced:  # replacing an authenticator is a change of credentials (a first enrolment is not)
        from opencpf.identity.services import security_changed

        security_changed(user, what="totp", old_email=user.email, request=request)
    return device


def totp_check(*, request: Any, user: User, code: str) -> None:
    ratelimit.check("code_check", f"user:{user.pk}")
    device = totp_device(user)
    if device is None or not device.verify_token((code or "").strip()):
        raise InvalidCode()
    if getattr(request, "session", None) is not None and not getattr(request, "api_token", None):
        from django_otp import login as otp_login

        otp_login(request, device)


def step_up(*, request: Any, user: User, method: str, code: str) -> None:
    """Verify a second factor and make the session strong."""
    if method == METHOD_TOTP:
        totp_check(request=request, user=user, code=code)
    elif method == METHOD_EMAIL:
        ratelimit.check("code_check", f"user:{user.pk}")
        email_code_check(request=request, user=user, code=code)
    else:
        raise InvalidCode()
    mark_strong(request, method=method)
    audit_record(action="identity.strong_auth", actor=user, obj=user, request=request, data={"method": method})
