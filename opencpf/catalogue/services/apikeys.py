"""Provider API keys: shown once at creation, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction

from opencpf.catalogue.models import Provider, ProviderApiKey
from opencpf.core import clock

KEY_PREFIX = "ocpf_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, provider: Provider, name: str, actor: Any = None) -> tuple[ProviderApiKey, str]:
    """Return the key and its clear value (to show once)."""
    prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ProviderApiKey.objects.create(
        provider=provider,
        name=name.strip()[:100] or "Clé d'API",
        prefix=prefix,
        key_hash=_hash(raw),
        created_at=clock.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ProviderApiKey) -> ProviderApiKey:
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(raw: str) -> ProviderApiKey | None:
    if not raw or not raw.startswith(KEY_PREFIX):
        return None
    key = ProviderApiKey.objects.select_related("provider").filter(key_hash=_hash(raw), revoked_at__isnull=True).first()
    if key is not None:
        ProviderApiKey.objects.filter(pk=key.pk).update(last_used_at=clock.now())
    return key
