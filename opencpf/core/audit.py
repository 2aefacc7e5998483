"""The audit log that every domain writes to: who, what, on which object, when, from which IP."""

from __future__ import annotations

from typing import Any

from django.db import models

from opencpf.core import clock
from opencpf.core.models import AuditEvent


def client_ip(request: Any) -> str | None:
    """The client's address as seen by our reverse proxy (first hop of X-Forwarded-For when trusted)."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    request: Any = None,
    ip: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor,
        actor_label=str(getattr(actor, "username", "") or "")[:150] if actor else "système",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=ip or client_ip(request),
        reason=reason[:300],
        data=data or {},
    )
