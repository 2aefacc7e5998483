"""Writes on identities. Keyword-only, atomic. Emails leave after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.exceptions import NotFound, PermissionDenied
from opencpf.identity import nir as nir_lib
from opencpf.identity import ratelimit
from opencpf.identity.exceptions import (
    AgentPermissionDenied,
    AuditReasonRequired,
    HolderAlreadyExists,
    LastAdministrator,
    LinkInvalid,
    MemberEmailTaken,
    MembershipNotFound,
    NotProviderAdministrator,
)
from opencpf.identity.models import Holder, ProviderMembership, ProviderRole, User, UserKind, UserSession
from opencpf.identity.strong import require_strong_session

EMAIL_CONFIRM_SALT = "identity.email-confirm"


def _send_after_commit(subject: str, body: str, to: str) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, None, [to]))


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


# --- holders -------------------------------------------------------------------------------------------------


@transaction.atomic
def holder_create(
    *,
    nir: str,
    birth_name: str,
    first_names: str,
    birth_date: dt.date,
    sex: str,
    email: str,
    password: str | None,
    phone: str = "",
    postcode: str = "",
    insee_code: str = "",
    birthplace: str = "",
    is_job_seeker: bool = False,
) -> Holder:
    compact = nir_lib.validate(nir, birth_date=birth_date, sex=sex)
    stored = nir_lib.protect(compact)
    if Holder.objects.filter(nir_hash=stored.hash).exists():
        raise HolderAlreadyExists()
    user = User(
        username=f"h{stored.hash[:20]}",
        email=email.strip().lower(),
        kind=UserKind.HOLDER,
        phone=phone,
        first_name=first_names[:150],
        last_name=birth_name[:150],
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            return Holder.objects.create(
                user=user,
                nir_hash=stored.hash,
                nir_encrypted=stored.encrypted,
                nir_masked=stored.masked,
                birth_name=birth_name,
                first_names=first_names,
                birth_date=birth_date,
                sex=sex,
                postcode=postcode,
                insee_code=insee_code,
                birthplace=birthplace,
                is_job_seeker=is_job_seeker,
            )
    except IntegrityError as exc:  # a concurrent activation of the same NIR
        raise HolderAlreadyExists() from exc


def email_confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": _email_digest(user.email)}, salt=EMAIL_CONFIRM_SALT)


def email_confirmation_send(*, user: User, confirm_url: str) -> None:
    """Send the confirmation link; `confirm_url` contains "{token}"."""
    link = confirm_url.replace("{token}", email_confirmation_token(user))
    _send_after_commit(
        "Confirmez votre adresse électronique",
        "Bonjour,\n\nPour confirmer votre adresse électronique sur Mon Compte Formation, ouvrez ce lien "
        f"(valable 3 jours) :\n{link}\n\nTant qu'elle n'est pas confirmée, vous ne pouvez pas acheter de formation.\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
        user.email,
    )


@transaction.atomic
def holder_activate(
    *,
    nir: str,
    birth_name: str,
    first_names: str,
    birth_date: dt.date,
    sex: str,
    email: str,
    phone: str,
    password: str,
    confirm_url: str,
    login_url: str = "",
    birthplace: str = "",
    ip: str = "",
) -> Holder | None:
    """Activate a holder's account. Raises InvalidNir (precise message) or RateLimited; nothing is created then.

    A NIR that already has an account returns None and warns the existing account's owner by email, so an
    anonymous caller sees the same answer whether the NIR exists or not.
    """
    ratelimit.check("activation", f"ip:{ip}")
    compact = nir_lib.validate(nir, birth_date=birth_date, sex=sex)
    existing = Holder.objects.select_related("user").filter(nir_hash=nir_lib.nir_hash(compact)).first()
    if existing is not None:
        make_password(password)  # same hashing cost as a creation: the answer's timing tells nothing either
        _send_after_commit(
            "Tentative d'activation de votre compte",
            "Bonjour,\n\nQuelqu'un a essayé d'activer un compte formation avec votre numéro de sécurité sociale. "
            "Votre compte existe déjà : connectez-vous"
            + (f" ({login_url})" if login_url else "")
            + " ou utilisez « Mot de passe oublié ».\nSi vous n'êtes pas à l'origine de cette demande, "
            "vous n'avez rien à faire ; votre compte n'a pas été modifié.",
            existing.user.email,
        )
        audit_record(action="identity.activation.duplicate", obj=existing, ip=ip or None)
        return None
    holder = holder_create(
        nir=compact,
        birth_name=birth_name.strip(),
        first_names=first_names.strip(),
        birth_date=birth_date,
        sex=sex,
        email=email,
        password=password,
        phone=phone.strip(),
        birthplace=birthplace,
    )
    audit_record(action="identity.activation", actor=holder.user, obj=holder, ip=ip or None)
    email_confirmation_send(user=holder.user, confirm_url=confirm_url)
    return holder


@transaction.atomic
def user_email_mark_confirmed(*, user: User) -> User:
    """For accounts whose address is known good (demo data, an import from a trusted source)."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


@transaction.atomic
def email_confirm(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=dt.timedelta(days=3))
    except signing.BadSignature as exc:
        raise LinkInvalid() from exc
    user = User.objects.select_for_update().filter(pk=data.get("u")).first()
    if user is None or _email_digest(user.email) != data.get("e"):
        raise LinkInvalid()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        user.save(update_fields=["email_confirmed_at"])
        audit_record(action="identity.email.confirmed", actor=user, obj=user)
    return user


def security_changed(user: User, *, what: str, old_email: str, request: Any) -> None:
    """Record a change of credentials: purchases blocked for a while, the (old) address notified."""
    user.security_changed_at = clock.now()
    user.save(update_fields=["security_changed_at"])
    audit_record(action=f"identity.{what}.changed", actor=user, obj=user, request=request)
    labels = {
        "email": "votre adresse électronique",
        "phone": "votre téléphone",
        "password": "votre mot de passe",
        "totp": "votre application d'authentification",
    }
    _send_after_commit(
        "Modification de votre compte formation",
        f"Bonjour,\n\n{labels[what].capitalize()} vient d'être modifié(e) sur Mon Compte Formation "
        f"le {timezone.localtime(clock.now()):%d/%m/%Y à %H:%M}. Par sécurité, les achats de formation sont "
        "bloqués pendant quelques jours.\nSi vous n'êtes pas à l'origine de ce changement, contactez "
        "immédiatement le support.",
        old_email,
    )


@transaction.atomic
def user_email_change(*, request: Any, user: User, new_email: str, confirm_url: str) -> User:
    require_strong_session(request)
    old_email = user.email
    user.email = new_email.strip().lower()
    user.email_confirmed_at = None
    user.save(update_fields=["email", "email_confirmed_at"])
    security_changed(user, what="email", old_email=old_email, request=request)
    email_confirmation_send(user=user, confirm_url=confirm_url)
    return user


@transaction.atomic
def user_phone_change(*, request: Any, user: User, new_phone: str) -> User:
    require_strong_session(request)
    user.phone = new_phone.strip()
    user.save(update_fields=["phone"])
    security_changed(user, what="phone", old_email=user.email, request=request)
    return user


@transaction.atomic
def user_password_change(*, request: Any, user: User, new_password: str, strong_required: bool = True) -> User:
    """Change a password (strong session required, except through a password-reset link)."""
    if strong_required:
        require_strong_session(request)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    security_changed(user, what="password", old_email=user.email, request=request)
    return user


def password_reset_request(*, nir: str, reset_url: str, ip: str = "") -> None:
    """Email a reset link to the holder of this NIR, if any. The caller always shows the same answer."""
    ratelimit.check("password_reset", f"ip:{ip}")
    try:
        compact = nir_lib.validate(nir)
    except nir_lib.InvalidNir:
        return
    ratelimit.check("password_reset", f"nir:{nir_lib.nir_hash(compact)}")
    holder = Holder.objects.select_related("user").filter(nir_hash=nir_lib.nir_hash(compact)).first()
    if holder is None or not holder.user.is_active:
        return
    user = holder.user
    link = reset_url.replace("{uidb64}", urlsafe_base64_encode(force_bytes(user.pk))).replace(
        "{token}", default_token_generator.make_token(user)
    )
    _send_after_commit(
        "Réinitialisation de votre mot de passe",
        f"Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable peu de temps) :\n{link}\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
        user.email,
    )


# --- sessions ------------------------------------------------------------------------------------------------


def session_register(*, request: Any, user: User) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    if not session.session_key:
        session.save()
    now = clock.now()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip": ratelimit_ip(request) or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )


def ratelimit_ip(request: Any) -> str:
    from opencpf.core.audit import client_ip

    return client_ip(request) or ""


def sessions_active(user: User) -> list[UserSession]:
    live = set(
        Session.objects.filter(
            session_key__in=UserSession.objects.filter(user=user).values("session_key"), expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    return list(UserSession.objects.filter(user=user).order_by("-created_at"))


@transaction.atomic
def session_revoke(*, user: User, session_id: int, request: Any = None) -> None:
    row = UserSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        raise PermissionDenied("Cette session est introuvable.")
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()
    audit_record(action="identity.session.revoked", actor=user, obj=user, request=request)


# --- staff: providers' members and agents --------------------------------------------------------------------


@transaction.atomic
def staff_user_create(
    *, email: str, password: str | None, kind: str, first_name: str = "", last_name: str = ""
) -> User:
    if kind not in (UserKind.PROVIDER, UserKind.AGENT):
        raise ValueError("staff users are providers' staff or agents")
    user = User(username=email.lower(), email=email.lower(), kind=kind, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.email_confirmed_at = clock.now() if password else None
    user.save()
    return user


def _require_provider_admin(by: User, provider_id: int) -> None:
    if not ProviderMembership.objects.filter(
        user=by, provider_id=provider_id, role=ProviderRole.ADMINISTRATOR, user__kind=UserKind.PROVIDER
    ).exists():
        raise NotProviderAdministrator()


@transaction.atomic
def provider_member_invite(
    *, by: User, provider: Any, email: str, role: str, first_name: str = "", last_name: str = "", invite_url: str
) -> ProviderMembership:
    """An administrator adds a member; a new account gets a link (`invite_url` with {uidb64}/{token})."""
    _require_provider_admin(by, provider.pk)
    if role not in ProviderRole.values:
        raise ValueError("unknown role")
    email = email.strip().lower()
    user = User.objects.filter(username=email).first()
    if user is not None and user.kind != UserKind.PROVIDER:
        raise MemberEmailTaken()
    if user is None:
        user = staff_user_create(
            email=email, password=None, kind=UserKind.PROVIDER, first_name=first_name, last_name=last_name
        )
    membership, _ = ProviderMembership.objects.update_or_create(user=user, provider=provider, defaults={"role": role})
    audit_record(action="identity.member.invited", actor=by, obj=membership, data={"role": role})
    if not user.has_usable_password():
        link = invite_url.replace("{uidb64}", urlsafe_base64_encode(force_bytes(user.pk))).replace(
            "{token}", default_token_generator.make_token(user)
        )
        body = f"Pour choisir votre mot de passe et accéder à l'espace organismes, ouvrez ce lien :\n{link}"
    else:
        body = "Connectez-vous à l'espace organismes avec votre adresse électronique habituelle."
    _send_after_commit(
        f"Invitation à rejoindre {provider.name}",
        f"Bonjour,\n\n{by.get_full_name() or by.email} vous invite à rejoindre l'organisme {provider.name} "
        f"sur Mon Compte Formation.\n{body}",
        email,
    )
    return membership


@transaction.atomic
def provider_member_remove(*, by: User, provider: Any, membership_id: int) -> None:
    _require_provider_admin(by, provider.pk)
    membership = ProviderMembership.objects.select_for_update().filter(pk=membership_id, provider=provider).first()
    if membership is None:
        raise MembershipNotFound()
    if (
        membership.role == ProviderRole.ADMINISTRATOR
        and ProviderMembership.objects.filter(provider=provider, role=ProviderRole.ADMINISTRATOR).count() <= 1
    ):
        raise LastAdministrator()
    user = membership.user
    membership.delete()
    audit_record(action="identity.member.removed", actor=by, obj=user, data={"provider": provider.pk})
    if not ProviderMembership.objects.filter(user=user).exists():
        # No organisation left: end the member's sessions.
        keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(user=user).delete()


def holder_read_audited(*, agent: User, holder: Holder, reason: str, request: Any = None) -> dict[str, Any]:
    """An agent reads a holder's personal data: permission checked, reason required, audit written."""
    if getattr(agent, "kind", None) != UserKind.AGENT or not agent.has_perm("identity.view_holder_personal_data"):
        raise AgentPermissionDenied()
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise AuditReasonRequired()
    audit_record(action="identity.holder.personal_data.read", actor=agent, obj=holder, request=request, reason=reason)
    from opencpf.identity.selectors import holder_personal_data

    return holder_personal_data(holder)


def require_agent_admin(by: Any) -> None:
    """Only an administrator agent (permission identity.manage_agents) manages agents' accounts."""
    if getattr(by, "kind", None) != UserKind.AGENT or not by.has_perm("identity.manage_agents"):
        raise PermissionDenied("Seul un administrateur peut gérer les comptes des gestionnaires.")


def managed_agent(*, by: Any, agent_id: int, not_yourself: str) -> User:
    """The agent an administrator acts on; never the administrator themself (`not_yourself` says why)."""
    require_agent_admin(by)
    agent = User.objects.filter(pk=agent_id, kind=UserKind.AGENT).first()
    if agent is None:
        raise NotFound("Ce gestionnaire est introuvable.")
    if agent.pk == by.pk:
        raise PermissionDenied(not_yourself)
    return agent


class AgentRoleUnknown(PermissionDenied):
    code = "agent_role_unknown"
    message = "Ce rôle n'existe pas."


@transaction.atomic
def agent_invite(
    *, by: User, email: str, role: str, first_name: str = "", last_name: str = "", invite_url: str
) -> User:
    """An administrator creates an agent account with one role; the agent chooses a password through a link."""
    from django.contrib.auth.models import Group

    from opencpf.identity.roles import ROLE_PERMISSIONS

    require_agent_admin(by)
    if role not in ROLE_PERMISSIONS:
        raise AgentRoleUnknown()
    email = email.strip().lower()
    user = User.objects.filter(username=email).first()
    if user is not None and user.kind != UserKind.AGENT:
        raise MemberEmailTaken(
            "Cette adresse électronique est déjà utilisée par un compte qui n'est pas un gestionnaire."
        )
    if user is None:
        user = staff_user_create(
            email=email, password=None, kind=UserKind.AGENT, first_name=first_name, last_name=last_name
        )
    user.groups.set([Group.objects.get(name=role)])
    audit_record(action="identity.agent.role_set", actor=by, obj=user, data={"role": role})
    if not user.has_usable_password():
        link = invite_url.replace("{uidb64}", urlsafe_base64_encode(force_bytes(user.pk))).replace(
            "{token}", default_token_generator.make_token(user)
        )
        _send_after_commit(
            "Votre compte gestionnaire",
            f"Bonjour,\n\nUn compte gestionnaire a été créé pour vous. Choisissez votre mot de passe :\n{link}",
            email,
        )
    return user


@transaction.atomic
def agent_deactivate(*, by: User, agent_id: int) -> None:
    agent = managed_agent(by=by, agent_id=agent_id, not_yourself="Vous ne pouvez pas désactiver votre propre compte.")
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    keys = list(UserSession.objects.filter(user=agent).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=agent).delete()
    audit_record(action="identity.agent.deactivated", actor=by, obj=agent)
