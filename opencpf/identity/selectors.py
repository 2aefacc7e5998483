"""Reads on identities."""

from __future__ import annotations

from typing import Any

from opencpf.identity.models import ProviderMembership


def provider_for_user(user: Any) -> Any | None:
    """The provider a staff member acts for (the first membership), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = ProviderMembership.objects.select_related("provider").filter(user=user).order_by("pk").first()
    return membership.provider if membership else None
