"""API credentials: mobile-app token pairs (short-lived access, rotating refresh) and providers' API keys.

Only SHA-256 hashes of the secrets are stored; a secret is shown once, when issued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.identity.exceptions import InvalidToken
from opencpf.identity.models import ApiToken, ProviderApiKey, User


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def access_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "IDENTITY_API_ACCESS_TTL", 900)))


def refresh_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "IDENTITY_API_REFRESH_TTL", 30 * 24 * 3600)))


def _issue(user: User, label: str) -> tuple[ApiToken, str, str]:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    now = clock.now()
    token = ApiToken.objects.create(
        user=user,
        access_hash=_hash(access),
        refresh_hash=_hash(refresh),
        access_expires_at=now + access_ttl(),
        refresh_expires_at=now + refresh_ttl(),
        created_at=now,
        label=label[:100],
    )
    return token, access, refresh


@transaction.atomic
def api_token_issue(*, user: User, label: str = "", request: Any = None) -> tuple[ApiToken, str, str]:
    token, access, refresh = _issue(user, label)
    audit_record(action="identity.api_token.issued", actor=user, obj=token, request=request)
    return token, access, refresh


def api_token_refresh(*, refresh_token: str, request: Any = None) -> tuple[ApiToken, str, str]:
    """Rotate a token pair. Replaying a refresh token already used revokes every token of its user."""
    with transaction.atomic():
        old = (
            ApiToken.objects.select_for_update()
            .select_related("user")
            .filter(refresh_hash=_hash(refresh_token))
            .first()
        )
        now = clock.now()
        if old is not None and old.revoked_at is not None:
            ApiToken.objects.filter(user=old.user, revoked_at__isnull=True).update(revoked_at=now)
            audit_record(action="identity.api_token.replay", actor=old.user, obj=old, request=request)
        elif old is not None and old.refresh_expires_at > now and old.user.is_active:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            return _issue(old.user, old.label)
    raise InvalidToken()  # after the block: a replay's revocation is committed


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(access_token: str) -> ApiToken | None:
    token = ApiToken.objects.select_related("user").filter(access_hash=_hash(access_token or "")).first()
    if token is None or token.revoked_at is not None or token.access_expires_at <= clock.now():
        return None
    if not token.user.is_active:
        return None
    return token


@transaction.atomic
def provider_api_key_create(*, provider: Any, name: str, by: User | None) -> tuple[ProviderApiKey, str]:
    secret = "ocpf_" + secrets.token_urlsafe(32)
    key = ProviderApiKey.objects.create(
        provider=provider,
        name=name[:100],
        prefix=secret[:12],
        key_hash=_hash(secret),
        created_by=by,
        created_at=clock.now(),
    )
    audit_record(action="identity.provider_api_key.created", actor=by, obj=key)
    return key, secret


@transaction.atomic
def provider_api_key_revoke(*, key: ProviderApiKey, by: User | None) -> None:
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        audit_record(action="identity.provider_api_key.revoked", actor=by, obj=key)


def provider_api_key_authenticate(secret: str) -> ProviderApiKey | None:
    key = ProviderApiKey.objects.select_related("provider").filter(key_hash=_hash(secret or "")).first()
    if key is None or key.revoked_at is not None:
        return None
    return key
